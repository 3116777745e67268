// A work still 处理中: ask the server every few seconds, reload once its images are ready.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-poll-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && !state.processing) { window.location.reload(); } else { setTimeout(poll, 3000); }
      }, function () { setTimeout(poll, 6000); });
  }
  setTimeout(poll, 2000);
}());
