// The job page: poll the job's status every second, move the bar, and reload once it has finished
// (the server then renders the result or the problems). Works again after a reload: the job lives on the server.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-status-url");
  var state = box.querySelector("[data-job-state]");
  var bar = box.querySelector("[data-job-bar]");
  var count = box.querySelector("[data-job-count]");
  var slow = box.querySelector("[data-job-slow]");
  var delay = 1000;

  function show(data) {
    if (data.finished) { window.location.reload(); return; }
    if (data.stage_label) { state.textContent = data.stage_label; }
    if (data.total) {
      bar.max = data.total;
      bar.value = data.done;
      count.textContent = data.done.toLocaleString() + " / " + data.total.toLocaleString();
    } else {
      bar.removeAttribute("value");
      count.textContent = "";
    }
    if (slow) { slow.hidden = !(data.status === "queued" && data.queued_seconds >= 30); }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { delay = 1000; show(data); if (!data.finished) { setTimeout(poll, delay); } })
      .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(poll, delay); });
  }

  setTimeout(poll, delay);
})();
