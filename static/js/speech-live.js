/* The host console and the timekeeper.
   Host: polls host/state (ETag: 304 while nothing changed) every 2 s and swaps the live region with
   the fresh HTML, unless the host is typing in it; "N 秒前" counts up between polls.
   Timer: a running clock from the server's start time, amber from the warning time, red past the
   limit; the stop button sends the seconds the page measured (the server falls back to its own).
   Print pages: a print button. */
(function () {
  "use strict";

  var print = document.querySelector("[data-print]");
  if (print) { print.addEventListener("click", function () { window.print(); }); }

  var region = document.getElementById("host-live");
  if (region && window.fetch) {
    var url = region.getAttribute("data-host-state");
    var agoText = region.getAttribute("data-seconds-ago");
    var never = region.getAttribute("data-never");
    var etag = null, offset = 0;
    var tickAgo = function () {
      var now = Date.now() / 1000 + offset;
      region.querySelectorAll("[data-seen-epoch]").forEach(function (cell) {
        var seen = parseFloat(cell.getAttribute("data-seen-epoch"));
        cell.textContent = isNaN(seen) ? never : agoText.replace("%(n)s", Math.max(0, Math.round(now - seen)));
      });
    };
    var typing = function () {
      var active = document.activeElement;
      return active && region.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    };
    var refresh = function () {
      var headers = { "Accept": "application/json" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
        .then(function (response) {
          if (response.status === 304 || !response.ok || response.redirected) { return null; }
          var date = Date.parse(response.headers.get("Date") || "");
          if (!isNaN(date)) { offset = date / 1000 - Date.now() / 1000; }
          etag = response.headers.get("ETag");
          return response.json();
        })
        .then(function (fresh) { if (fresh && !typing()) { region.innerHTML = fresh.html; tickAgo(); } })
        .catch(function () { /* keep the last state; try again */ })
        .then(function () { window.setTimeout(refresh, 2000); });
    };
    window.setInterval(tickAgo, 1000);
    window.setTimeout(refresh, 2000);
  }

  var timer = document.querySelector("[data-timer]");
  if (timer) {
    var clock = timer.querySelector("[data-clock]");
    var started = parseFloat(timer.getAttribute("data-started"));
    var limit = parseFloat(timer.getAttribute("data-limit"));
    var warning = parseFloat(timer.getAttribute("data-warning"));
    var measured = timer.querySelector("[data-measured]");
    var loadedAt = Date.now() / 1000;
    var serverNow = parseFloat(timer.getAttribute("data-now"));
    var skew = isNaN(serverNow) ? 0 : serverNow - loadedAt;
    var elapsed = function () { return Date.now() / 1000 + skew - started; };
    var format = function (seconds) {
      var whole = Math.floor(seconds);
      var minutes = Math.floor(whole / 60);
      var rest = whole % 60;
      return minutes + ":" + (rest < 10 ? "0" : "") + rest + "." + Math.floor((seconds - whole) * 10);
    };
    if (!isNaN(started)) {
      window.setInterval(function () {
        var seconds = Math.max(0, elapsed());
        clock.textContent = format(seconds);
        timer.classList.toggle("warning", !isNaN(warning) && seconds >= warning && seconds < limit);
        timer.classList.toggle("over", seconds >= limit);
      }, 100);
      timer.querySelector("[data-stop-form]").addEventListener("submit", function () {
        measured.value = Math.max(0, elapsed()).toFixed(1);
      });
    }
  }
})();
