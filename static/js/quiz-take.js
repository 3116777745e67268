/* Answering a quiz on a phone (templates/quizzes/take/attempt.html).
 *
 * Every answer is sent the moment it is chosen (fill blanks: after a short pause in typing, and on
 * leaving the box). Each page load has its own id and counts its saves per position from 1, so the
 * server keeps this page's newest answer whatever order its resends arrive in, while a change made
 * on another phone or tab (another page id) wins by arriving later. A save the server refuses as
 * stale comes back with the answer it holds, which the page then shows and says so; coming back to
 * the page (focus, visibility, back-forward cache) fetches every answer again. Unsent answers wait in a queue that retries with
 * backoff and are kept in localStorage, so a reload while offline sends them later. The clock is the
 * server's: the page counts down the remaining seconds it was given and re-syncs on every save.
 */
(function () {
  "use strict";

  var root = document.getElementById("quiz-take");
  if (!root || !window.fetch) { return; }
  root.classList.add("is-enhanced");

  var data = root.dataset;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var storeKey = "saishi.quiz.pending." + data.attemptId;
  var placeKey = "saishi.quiz.current." + data.attemptId;
  var FILL_DELAY = 700;
  // This page's own id: its saves are ordered among themselves by seq, against other pages by arrival.
  var pageId = (Date.now().toString(36) + Math.random().toString(36).slice(2)).replace(/[^a-z0-9]/g, "").slice(0, 16);
  var REQUEST_TIMEOUT = 15000;

  var sections = Array.prototype.slice.call(root.querySelectorAll(".quiz-q"));
  var byPosition = {};
  var seqs = {};
  var lastRecorded = {};
  sections.forEach(function (section) {
    var position = section.getAttribute("data-position");
    byPosition[position] = section;
    seqs[position] = 0;
    lastRecorded[position] = JSON.stringify(readResponse(section));
  });

  var statusEl = root.querySelector("[data-status]");
  var alertEl = root.querySelector("[data-alert]");
  var timerEl = root.querySelector("[data-timer]");
  var currentEl = root.querySelector("[data-current]");
  var summaryEl = root.querySelector("[data-answered-summary]");
  var prevButton = root.querySelector("[data-prev]");
  var nextButton = root.querySelector("[data-next]");
  var submitForm = root.querySelector("[data-submit-form]");
  var confirmEl = root.querySelector("[data-confirm]");

  var pending = {};          // position -> {position, response, seq, page} not yet confirmed by the server
  var inflight = null;
  var failures = 0;
  var retryTimer = null;
  var fillTimers = {};
  var authLost = false;
  var finished = false;      // submitted (here or by the server): stop saving
  var submitting = false;
  var unloading = false;
  var leaveCount = parseInt(data.leaveCount, 10) || 0;
  var leaveLimit = parseInt(data.leaveLimit, 10) || 0;
  var endAt = Date.now() + (parseInt(data.remaining, 10) || 0) * 1000;
  var warned = false;
  var timeUp = false;
  var currentIndex = 0;

  function message(name, values) {
    var text = data["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  function showAlert(text, kind) {
    alertEl.textContent = text;
    alertEl.className = "quiz-alert" + (kind ? " is-" + kind : "");
  }

  // ------------------------------------------------------------ reading and showing answers

  function readResponse(section) {
    var type = section.getAttribute("data-type");
    var checked = Array.prototype.slice.call(section.querySelectorAll("input:checked"));
    if (type === "single") { return checked.length ? checked[0].value : null; }
    if (type === "multiple") {
      var letters = checked.map(function (input) { return input.value; }).sort();
      return letters.length ? letters : null;
    }
    if (type === "judge") { return checked.length ? checked[0].value === "true" : null; }
    var parts = Array.prototype.slice.call(section.querySelectorAll("input[data-blank]"))
      .map(function (input) { return input.value; });
    return parts.some(function (part) { return part.trim() !== ""; }) ? parts : null;
  }

  function applyResponse(section, response) {
    var type = section.getAttribute("data-type");
    if (type === "fill") {
      Array.prototype.slice.call(section.querySelectorAll("input[data-blank]")).forEach(function (input, index) {
        input.value = response && response[index] != null ? response[index] : "";
      });
      return;
    }
    Array.prototype.slice.call(section.querySelectorAll("input")).forEach(function (input) {
      if (type === "judge") { input.checked = response !== null && String(response) === input.value; }
      else if (type === "single") { input.checked = response === input.value; }
      else { input.checked = !!response && response.indexOf(input.value) !== -1; }
    });
  }

  // ------------------------------------------------------------ the answer card

  function paintChoices(section) {  // older phone browsers lack :has(), so chosen options get a class
    Array.prototype.slice.call(section.querySelectorAll(".quiz-choice")).forEach(function (label) {
      var input = label.querySelector("input");
      label.classList.toggle("is-chosen", !!(input && input.checked));
    });
  }

  function markCard(position) {
    paintChoices(byPosition[position]);
    var cell = root.querySelector('[data-goto="' + position + '"]');
    if (cell) {
      var unsaved = !!pending[position];
      cell.classList.toggle("is-answered", readResponse(byPosition[position]) !== null && !unsaved);
      cell.classList.toggle("is-unsaved", unsaved);
    }
    updateSummary();
  }

  function describe(section, response) {  // an answer as the member reads it, for "updated to …"
    var type = section.getAttribute("data-type");
    if (response === null || response === undefined) { return message("unanswered"); }
    if (type === "judge") { return response ? message("true") : message("false"); }
    if (type === "multiple") { return response.join(""); }
    if (type === "fill") { return response.join(" | "); }
    return String(response);
  }

  function takeServerAnswer(key, response) {  // the server holds another page's answer: show it, say so
    var section = byPosition[key];
    if (!section || pending[key]) { return; }
    var before = JSON.stringify(readResponse(section));
    applyResponse(section, response);
    var after = JSON.stringify(readResponse(section));
    lastRecorded[key] = after;
    markCard(key);
    if (before !== after) {
      showAlert(message("otherDevice", { n: key, answer: describe(section, readResponse(section)) }), "warning");
    }
  }

  function answeredCount() {
    return sections.filter(function (section) { return readResponse(section) !== null; }).length;
  }

  function updateSummary() {
    if (summaryEl) { summaryEl.textContent = answeredCount() + " / " + sections.length; }
  }

  function show(index, focus) {
    currentIndex = Math.max(0, Math.min(sections.length - 1, index));
    sections.forEach(function (section, i) { section.classList.toggle("is-current", i === currentIndex); });
    Array.prototype.slice.call(root.querySelectorAll("[data-goto]")).forEach(function (cell, i) {
      cell.classList.toggle("is-current", i === currentIndex);
    });
    if (currentEl) { currentEl.textContent = String(currentIndex + 1); }
    prevButton.disabled = currentIndex === 0;
    nextButton.disabled = currentIndex === sections.length - 1;
    try { sessionStorage.setItem(placeKey, String(currentIndex)); } catch (e) { /* private mode */ }
    if (focus) {
      window.scrollTo(0, 0);
      var stem = sections[currentIndex].querySelector(".quiz-stem");
      if (stem) { stem.setAttribute("tabindex", "-1"); stem.focus({ preventScroll: true }); }
    }
  }

  // ------------------------------------------------------------ saving

  function persist() {
    try {
      var entries = Object.keys(pending).map(function (key) { return pending[key]; });
      if (entries.length) { localStorage.setItem(storeKey, JSON.stringify(entries)); }
      else { localStorage.removeItem(storeKey); }
    } catch (e) { /* storage full or disabled: the queue still lives in memory */ }
  }

  function restore() {
    var entries = [];
    try { entries = JSON.parse(localStorage.getItem(storeKey) || "[]") || []; } catch (e) { entries = []; }
    entries.forEach(function (entry) {
      var key = String(entry.position);
      var section = byPosition[key];
      if (!section || typeof entry.seq !== "number") { return; }
      pending[key] = entry;  // sent under the page id it was made on, so it keeps its place among that page's saves
      applyResponse(section, entry.response);
      lastRecorded[key] = JSON.stringify(entry.response);
    });
    persist();
  }

  function record(section) {
    if (finished) { return; }
    var key = section.getAttribute("data-position");
    var response = readResponse(section);
    var serialised = JSON.stringify(response);
    if (serialised === lastRecorded[key]) { return; }
    lastRecorded[key] = serialised;
    seqs[key] = (seqs[key] || 0) + 1;
    pending[key] = { position: parseInt(key, 10), response: response, seq: seqs[key], page: pageId };
    persist();
    markCard(key);
    flush();
  }

  function updateStatus() {
    var count = Object.keys(pending).length;
    var text, state;
    if (authLost) { text = message("login"); state = "is-error"; }
    else if (failures > 0 && count) { text = message("retry") + " · " + message("unsaved", { n: count }); state = "is-error"; }
    else if (count || inflight) { text = message("saving"); state = "is-saving"; }
    else { text = message("saved"); state = "is-saved"; }
    statusEl.textContent = text;
    statusEl.className = "save-status " + state;
  }

  function post(url, body, keepalive) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT) : null;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (timer) { clearTimeout(timer); }
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, body: json };
      });
    }, function (error) {
      if (timer) { clearTimeout(timer); }
      throw error;
    });
  }

  function scheduleRetry() {
    failures += 1;
    updateStatus();
    var delay = Math.min(30000, 1000 * Math.pow(2, failures - 1)) + Math.floor(Math.random() * 500);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, delay);
  }

  function flush() {
    updateStatus();
    if (inflight || finished || authLost) { return; }
    var keys = Object.keys(pending);
    if (!keys.length) { return; }
    var entry = pending[keys[0]];
    inflight = entry;
    post(data.answersUrl, entry).then(function (result) {
      inflight = null;
      var body = result.body || {};
      if (result.status === 200) {
        failures = 0;
        var key = String(entry.position);
        if (pending[key] && pending[key].page === entry.page && pending[key].seq <= entry.seq) {
          delete pending[key];
          persist();
        }
        if (typeof body.remaining_seconds === "number") { syncClock(body.remaining_seconds); }
        if (body.stale && "response" in body) { takeServerAnswer(key, body.response); }
        markCard(key);
        flush();
      } else if (result.status === 409) {
        goToResult();
      } else if (result.status === 400 && body.status === undefined) {
        // The server refused this answer as malformed: drop it rather than retry forever, and say so.
        delete pending[String(entry.position)];
        persist();
        showAlert(message("invalid", { n: entry.position }), "error");
        flush();
      } else if (result.status === 401 || result.status === 403 || result.status === 400) {
        authLost = true;  // signed out or the page expired: keep the answers on the phone
        updateStatus();
      } else if (result.status === 404) {
        authLost = true;
        updateStatus();
      } else {
        scheduleRetry();
      }
    }, function () {
      inflight = null;
      scheduleRetry();
    });
  }

  function retryNow() {
    clearTimeout(retryTimer);
    failures = Math.min(failures, 1);
    flush();
  }

  // ------------------------------------------------------------ server state and clock

  function syncClock(remaining) {
    var next = Date.now() + remaining * 1000;
    if (Math.abs(next - endAt) > 2000) { endAt = next; }
  }

  var lastRefresh = 0;

  function refreshState() {
    if (finished || Date.now() - lastRefresh < 1000) { return; }  // focus and visibility often come together
    lastRefresh = Date.now();
    fetch(data.stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (state.submitted) { goToResult(); return; }
        syncClock(state.remaining_seconds);
        (state.items || []).forEach(function (item) {
          var key = String(item.position);
          var section = byPosition[key];
          // Not over an answer this page has yet to save, nor under the member's fingers.
          if (!section || pending[key]) { return; }
          if (section.getAttribute("data-type") === "fill" && section.contains(document.activeElement)) { return; }
          if (JSON.stringify(item.response) !== lastRecorded[key]) { takeServerAnswer(key, item.response); }
        });
      })
      .catch(function () { /* offline: the next save or visit tries again */ });
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var left = Math.max(0, Math.round((endAt - Date.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    timerEl.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(left % 60);
    if (left <= 60 && !warned && !finished) {
      warned = true;
      timerEl.classList.add("is-urgent");
      showAlert(message("minute"), "warning");
    }
    if (left <= 0 && !timeUp && !finished) {
      timeUp = true;
      showAlert(message("timeup"), "warning");
      submit("timeout");
    }
  }

  // ------------------------------------------------------------ submitting

  function goToResult() {
    finished = true;
    pending = {};
    persist();
    window.location.href = data.resultUrl;
  }

  function submit(reason) {
    if (submitting || finished) { return; }
    submitting = true;
    statusEl.textContent = message("submitting");
    var answers = Object.keys(pending).map(function (key) { return pending[key]; });
    post(data.submitUrl, { answers: answers, reason: reason }).then(function (result) {
      if (result.status === 200 && result.body && result.body.submitted) {
        finished = true;
        pending = {};
        persist();
        window.location.href = result.body.result_url || data.resultUrl;
      } else if (result.status === 409) {
        goToResult();
      } else {
        failedSubmit(reason);
      }
    }, function () { failedSubmit(reason); });
  }

  function failedSubmit(reason) {
    submitting = false;
    showAlert(message("submitFailed"), "error");
    updateStatus();
    if (reason === "timeout") { setTimeout(function () { submit(reason); }, 3000); }
  }

  function openConfirm() {
    var missing = sections.length - answeredCount();
    confirmEl.querySelector("[data-confirm-text]").textContent =
      missing > 0 ? message("confirm", { n: missing }) : message("confirmAll");
    confirmEl.classList.remove("hidden");
    confirmEl.querySelector("[data-confirm-yes]").focus();
  }

  function closeConfirm() { confirmEl.classList.add("hidden"); }

  // ------------------------------------------------------------ leaving the page (切屏)

  function reportLeave() {
    post(data.leaveUrl, {}, true).then(function (result) {
      var body = result.body || {};
      if (typeof body.leave_count === "number") { leaveCount = body.leave_count; }
      if (body.submitted) {
        showAlert(message("leftSubmitted"), "error");
        setTimeout(goToResult, 1500);
      } else if (leaveLimit) {
        showAlert(message("leave", { count: leaveCount, limit: leaveLimit }), "warning");
      }
    }, function () { /* offline: not counted */ });
  }

  // ------------------------------------------------------------ wiring

  root.addEventListener("change", function (event) {
    var section = event.target.closest(".quiz-q");
    if (!section) { return; }
    if (section.getAttribute("data-type") === "fill") { clearTimeout(fillTimers[section.getAttribute("data-position")]); }
    record(section);
  });

  root.addEventListener("input", function (event) {
    var section = event.target.closest(".quiz-q");
    if (!section || section.getAttribute("data-type") !== "fill") { return; }
    var key = section.getAttribute("data-position");
    clearTimeout(fillTimers[key]);
    fillTimers[key] = setTimeout(function () { record(section); }, FILL_DELAY);
  });

  root.addEventListener("focusout", function (event) {
    var section = event.target.closest && event.target.closest(".quiz-q");
    if (section && section.getAttribute("data-type") === "fill") {
      clearTimeout(fillTimers[section.getAttribute("data-position")]);
      record(section);
    }
  });

  prevButton.addEventListener("click", function () { show(currentIndex - 1, true); });
  nextButton.addEventListener("click", function () { show(currentIndex + 1, true); });
  Array.prototype.slice.call(root.querySelectorAll("[data-goto]")).forEach(function (cell, index) {
    cell.addEventListener("click", function (event) {
      event.preventDefault();
      show(index, true);
    });
  });

  submitForm.addEventListener("submit", function (event) {
    event.preventDefault();
    sections.forEach(function (section) {
      if (section.getAttribute("data-type") === "fill") { record(section); }
    });
    openConfirm();
  });
  confirmEl.querySelector("[data-confirm-yes]").addEventListener("click", function () {
    closeConfirm();
    submit("member");
  });
  confirmEl.querySelector("[data-confirm-no]").addEventListener("click", closeConfirm);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeConfirm(); }
  });

  window.addEventListener("online", retryNow);
  window.addEventListener("pagehide", function () { unloading = true; persist(); });
  window.addEventListener("beforeunload", function () { unloading = true; persist(); });
  window.addEventListener("pageshow", function (event) {
    unloading = false;
    if (!event.persisted) { return; }
    // Back from the result (back-forward cache): this page must not pose as a live attempt.
    if (finished) { window.location.replace(data.resultUrl); return; }
    refreshState();
    retryNow();
  });
  window.addEventListener("focus", function () { refreshState(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      persist();
      if (!unloading && !finished && !submitting) { reportLeave(); }
    } else {
      refreshState();
      retryNow();
    }
  });

  // ------------------------------------------------------------ start

  restore();
  var startAt = 0;
  var hash = /^#q(\d+)$/.exec(window.location.hash);
  if (hash) { startAt = parseInt(hash[1], 10) - 1; }
  else {
    try { startAt = parseInt(sessionStorage.getItem(placeKey) || "0", 10) || 0; } catch (e) { startAt = 0; }
  }
  show(startAt, false);
  sections.forEach(function (section) { markCard(section.getAttribute("data-position")); });
  tick();
  setInterval(tick, 1000);
  flush();
}());
