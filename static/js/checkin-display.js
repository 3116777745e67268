// The venue display: poll the event's state (ETag: 304 while nothing changed), show the QR code of the
// current rotation slot the server names, and the live counter. The server decides the slot, so this
// screen's own clock never matters; two screens or a reload show the same valid code.
(function () {
  "use strict";
  var root = document.querySelector("[data-display]");
  if (!root) { return; }
  var url = root.getAttribute("data-state-url");
  var pollMs = parseInt(root.getAttribute("data-poll-ms"), 10) || 2000;
  var img = root.querySelector("[data-display-qr]");
  var closed = root.querySelector("[data-display-closed]");
  var kind = root.querySelector("[data-display-kind]");
  var checked = root.querySelector("[data-display-checked]");
  var expected = root.querySelector("[data-display-expected]");
  var quorum = root.querySelector("[data-display-quorum]");
  var stale = root.querySelector("[data-display-stale]");
  var etag = null;
  var delay = pollMs;

  function show(state) {
    if (state.qr) {
      if (img.getAttribute("src") !== state.qr) { img.setAttribute("src", state.qr); }
      img.hidden = false;
      closed.hidden = true;
      kind.textContent = kind.getAttribute(state.kind === "sign_out" ? "data-label-sign-out" : "data-label-check-in");
    } else {
      img.hidden = true;
      closed.hidden = false;
      kind.textContent = "";
    }
    checked.textContent = state.checked_in;
    expected.textContent = state.expected;
    if (quorum && state.quorum) {
      var detail = quorum.getAttribute("data-label-detail")
        .replace("{present}", state.quorum.present).replace("{expected}", state.quorum.expected);
      quorum.textContent = detail + " · " + quorum.getAttribute(state.quorum.reached ? "data-label-reached" : "data-label-short");
      quorum.className = "checkin-display-quorum " + (state.quorum.reached ? "ok" : "short");
    }
  }

  function poll() {
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        stale.hidden = true;
        delay = pollMs;
        if (state) { show(state); }
        setTimeout(poll, state && state.next_in ? Math.min(pollMs, state.next_in * 1000 + 50) : pollMs);
      })
      .catch(function () {
        stale.hidden = false;
        delay = Math.min(delay * 2, 15000);
        setTimeout(poll, delay);
      });
  }

  poll();
})();
