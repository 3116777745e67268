/* Quiz results: the live progress page reloads its figures every few seconds without a page reload.
   The region marked data-live-refresh="<seconds>" is fetched again and swapped in place; paused
   while the tab is hidden, refreshed at once when it comes back. Without script a <noscript> meta
   refresh reloads the whole page instead. */
(function () {
  "use strict";
  var region = document.querySelector("[data-live-refresh]");
  if (!region || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(region.getAttribute("data-live-refresh"), 10) || 15;
  var busy = false;

  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("refresh " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-refresh]");
        if (fresh) { region.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* keep the last figures; try again next time */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
})();
