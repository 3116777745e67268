/* The judge's tablet: one criterion per row, checked as typed (the same rules as the server, in
   integer hundredths: never floats), a live total, a confirm step, then submit.
   Nothing is lost: every keystroke is kept in localStorage per (round, slot, judge); a confirmed
   sheet stays "pending" there until the server answers, is retried every few seconds and when the
   network returns; a draft stays with its contestant when the host moves on. Each state poll tells
   the server which contestant it holds an unsent draft for (?draft=<slot id>, empty for none), so
   the host console can show 草稿未提交. */
(function () {
  "use strict";
  var root = document.getElementById("judge-tablet");
  if (!root) return;
  var d = root.dataset;
  var roundId = d.roundId, judgeId = d.judgeId;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var $ = function (sel) { return root.querySelector(sel); };
  var form = $("[data-form]"), statusLine = $("[data-status]"), notice = $("[data-notice]");
  var rows = Array.prototype.slice.call(root.querySelectorAll("[data-criterion]"));
  var state = null, etag = null, selected = null, lastCurrent = null, sending = {}, failures = {};
  var loginLost = false;

  function msg(name, values) {
    var text = d["msg" + name] || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }
  function show(el, on) { if (el) el.classList.toggle("hidden", !on); }

  // ------------------------------------------------------------ drafts in localStorage
  function key(slotId) { return "speech-draft:" + roundId + ":" + slotId + ":" + judgeId; }
  function loadDraft(slotId) {
    try { return JSON.parse(localStorage.getItem(key(slotId)) || "null"); } catch (e) { return null; }
  }
  function saveDraft(slotId, draft) {
    draft.updated = Date.now();
    try { localStorage.setItem(key(slotId), JSON.stringify(draft)); } catch (e) { /* storage full: keep in page */ }
  }
  function dropDraft(slotId) { try { localStorage.removeItem(key(slotId)); } catch (e) { /* ignore */ } }
  function hasValues(draft) {
    return !!draft && Object.keys(draft.scores || {}).some(function (name) { return (draft.scores[name] || "").trim(); });
  }
  function pendingSlots() {
    var found = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i), prefix = "speech-draft:" + roundId + ":";
      if (k && k.indexOf(prefix) === 0 && k.slice(-(":" + judgeId).length) === ":" + judgeId) {
        var draft = loadDraft(k.slice(prefix.length).split(":")[0]);
        if (draft && draft.pending) found.push(k.slice(prefix.length).split(":")[0]);
      }
    }
    return found;
  }

  function reportedDraft() {  // the slot the host console shows a draft for: the one on stage first, else the newest
    var best = null, bestAt = -1, current = state && state.current_slot_id ? String(state.current_slot_id) : null;
    var prefix = "speech-draft:" + roundId + ":", suffix = ":" + judgeId;
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (!k || k.indexOf(prefix) !== 0 || k.slice(-suffix.length) !== suffix) continue;
      var slotId = k.slice(prefix.length).split(":")[0], draft = loadDraft(slotId), slot = slotById(slotId);
      if (!hasValues(draft) || (state && !slot)) continue;
      if (slot && slot.sheet && slot.sheet.state === "submitted" && !draft.pending) continue;
      if (slotId === current) return slotId;
      if ((draft.updated || 0) > bestAt) { best = slotId; bestAt = draft.updated || 0; }
    }
    return best;
  }

  // ------------------------------------------------------------ checking (mirrors events/judging/criteria.py)
  function places(step) { return step.indexOf(".") < 0 ? 0 : step.split(".")[1].length; }
  function units(text, p) {  // "12.5" at 1 place -> 125; null when not a plain decimal or off-step
    var parts = text.split("."), frac = (parts[1] || "").replace(/0+$/, "");
    if (frac.length > p) return null;
    while (frac.length < p) frac += "0";
    return parseInt(parts[0] || "0", 10) * Math.pow(10, p) + (p ? parseInt(frac, 10) : 0);
  }
  function check(row, text, confirmed, note) {
    var c = row.dataset.criterion, step = row.dataset.step, max = row.dataset.maximum, p = places(step);
    text = (text || "").trim().replace(/[０-９．]/g, function (ch) { return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0); });
    if (!text) return { error: msg("Blank", { c: c }) };
    if (!/^\d{1,6}(\.\d{1,6})?$/.test(text)) return { error: msg("Number", { c: c }) };
    var value = units(text, 6), maxUnits = units(max, 6);
    if (value > maxUnits) return { error: msg("Range", { c: c, max: max }) };
    var onStep = units(text, p);
    if (onStep === null) return { error: msg("Step", { c: c, step: step }) };
    var lowText = row.dataset.softMin, highText = row.dataset.softMax;
    var outside = (lowText && value < units(lowText, 6)) || (highText && value > units(highText, 6));
    if (outside && !(confirmed && (note || "").trim())) {
      return { soft: true, hundredths: onStep * Math.pow(10, 2 - p),
               error: msg("Soft", { c: c, v: text, low: lowText || "0", high: highText || max }) };
    }
    return { hundredths: onStep * Math.pow(10, 2 - p), soft: !!outside };
  }
  function formatHundredths(h) {
    var whole = Math.floor(h / 100), frac = String(h % 100);
    if (frac.length < 2) frac = "0" + frac;
    frac = frac.replace(/0+$/, "");
    return frac ? whole + "." + frac : String(whole);
  }

  // ------------------------------------------------------------ the form
  // Only criteria with a soft range have the second confirmation and its note.
  function noteOf(row) { var note = row.querySelector("[data-note]"); return note ? note.value : ""; }
  function confirmedOf(row) { var box = row.querySelector("[data-confirm]"); return !!(box && box.checked); }
  function readForm() {
    var draft = { scores: {}, notes: {}, confirmed: [] };
    rows.forEach(function (row) {
      var name = row.dataset.criterion;
      draft.scores[name] = row.querySelector("[data-score]").value;
      var note = noteOf(row);
      if (note) draft.notes[name] = note;
      if (confirmedOf(row)) draft.confirmed.push(name);
    });
    return draft;
  }
  function setValue(input, value) { if (input.value !== value) input.value = value; }  // keeps the caret
  function fillForm(draft) {
    rows.forEach(function (row) {
      var name = row.dataset.criterion;
      setValue(row.querySelector("[data-score]"), (draft && draft.scores && draft.scores[name]) || "");
      if (!row.querySelector("[data-soft]")) return;
      setValue(row.querySelector("[data-note]"), (draft && draft.notes && draft.notes[name]) || "");
      row.querySelector("[data-confirm]").checked = !!(draft && draft.confirmed && draft.confirmed.indexOf(name) >= 0);
    });
  }
  function validate(showErrors) {
    var total = 0, ok = true;
    rows.forEach(function (row) {
      var input = row.querySelector("[data-score]");
      var result = check(row, input.value, confirmedOf(row), noteOf(row));
      var blank = !input.value.trim();
      var error = result.error && (showErrors || !blank) ? result.error : "";
      row.querySelector("[data-error]").textContent = error;
      row.classList.toggle("has-error", !!error);
      input.setAttribute("aria-invalid", error ? "true" : "false");
      show(row.querySelector("[data-soft]"), !!result.soft);
      if (result.error) ok = false;
      if (result.hundredths !== undefined) total += result.hundredths;
    });
    $("[data-live-total]").textContent = total || ok ? formatHundredths(total) : "—";
    return ok ? formatHundredths(total) : null;
  }
  form.addEventListener("input", function () {
    if (!selected) return;
    var draft = readForm(), before = loadDraft(selected);
    draft.pending = false;
    if (before && before.pending) draft.pending = false;  // changed after confirming: confirm again
    saveDraft(selected, draft);
    validate(false);
    renderStatus();
  });
  $("[data-review]").addEventListener("click", function () {
    var total = validate(true);
    if (total === null) {
      var bad = form.querySelector(".has-error [data-score]");
      if (bad) bad.focus();
      return;
    }
    var slot = slotById(selected);
    $("[data-confirm-name]").textContent = slot ? msg("Seat", { n: slot.position }) + " " + slot.name : "";
    $("[data-confirm-total]").textContent = total;
    show(form, false);
    show($("[data-confirm-step]"), true);
    $("[data-submit]").focus();
  });
  $("[data-back]").addEventListener("click", function () {
    show($("[data-confirm-step]"), false);
    show(form, true);
  });
  $("[data-submit]").addEventListener("click", function () {
    var draft = readForm();
    draft.pending = true;
    saveDraft(selected, draft);
    show($("[data-confirm-step]"), false);
    show(form, true);
    send(selected);
  });
  $("[data-go-current]").addEventListener("click", function () {
    if (state && state.current_slot_id) select(String(state.current_slot_id));
  });
  $("[data-list]").addEventListener("click", function (event) {
    var button = event.target.closest("[data-slot-id]");
    if (button) select(button.dataset.slotId);
  });

  // ------------------------------------------------------------ sending
  function send(slotId) {
    var draft = loadDraft(slotId);
    if (!draft || !draft.pending || sending[slotId]) return;
    sending[slotId] = true;
    renderStatus();
    fetch(d.submitUrl.replace("/slots/0/", "/slots/" + slotId + "/"), {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ scores: draft.scores, notes: draft.notes, confirmed: draft.confirmed })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        sending[slotId] = false;
        if (response.status === 200 && body.status === "submitted") {
          dropDraft(slotId);
          delete failures[slotId];
          markSubmitted(slotId, body);
          poll(true);
        } else if (response.status === 401 || response.status === 403 && !body.status) {
          loginLost = true;
        } else if (response.status === 409 || response.status === 403 || response.status === 404) {
          draft.pending = false;
          draft.refused = body.message || "";  // shown with this contestant until the judge types again
          saveDraft(slotId, draft);
          if (slotId === selected) setNotice(draft.refused);
          poll(true);
        } else if (response.status === 422) {
          draft.pending = false;
          saveDraft(slotId, draft);
          if (slotId === selected) showProblems(body.problems || []);
        } else {
          failures[slotId] = "server";
        }
        renderStatus();
      });
    }).catch(function () {
      sending[slotId] = false;
      failures[slotId] = "network";
      renderStatus();
    });
  }
  function retryAll() { pendingSlots().forEach(send); }
  function showProblems(problems) {
    problems.forEach(function (problem) {
      var row = rows.filter(function (r) { return r.dataset.criterion === problem.field; })[0];
      if (row) {
        row.querySelector("[data-error]").textContent = problem.message;
        row.classList.add("has-error");
      } else {
        setNotice(problem.message);
      }
    });
  }
  function setNotice(text) { notice.textContent = text; show(notice, !!text); }
  function markSubmitted(slotId, body) {
    if (!state) return;
    var slot = slotById(slotId);
    if (slot) slot.sheet = { state: "submitted", version: body.version, total: body.total, scores: slot.sheet && slot.sheet.scores };
    if (slotId === selected) renderSelected();
  }

  // ------------------------------------------------------------ rendering
  function slotById(id) {
    if (!state) return null;
    return state.slots.filter(function (slot) { return String(slot.id) === String(id); })[0] || null;
  }
  function renderStatus() {
    var draft = selected && loadDraft(selected), slot = slotById(selected), text, cls;
    if (slot && slot.sheet && slot.sheet.state === "submitted" && !(draft && draft.pending)) {
      text = msg("Submitted"); cls = "is-submitted";
    } else if (draft && draft.pending) {
      if (loginLost) { text = msg("Login"); cls = "is-failed"; }
      else if (sending[selected] && !failures[selected]) { text = msg("Sending"); cls = "is-sending"; }
      else if (failures[selected] === "server") { text = msg("Retrying"); cls = "is-failed"; }
      else if (failures[selected] === "network" || !navigator.onLine) { text = msg("Offline"); cls = "is-offline"; }
      else { text = msg("Sending"); cls = "is-sending"; }
    } else if (hasValues(draft)) {
      text = msg("Draft"); cls = "is-draft";
    } else {
      text = msg("Empty"); cls = "";
    }
    statusLine.textContent = text;
    statusLine.className = "jt-status " + cls;
    var others = pendingSlots().filter(function (id) { return id !== selected; });
    var pendingOther = $("[data-pending-other]");
    pendingOther.textContent = others.length ? msg("PendingOther", { count: others.length }) : "";
    show(pendingOther, others.length > 0);
  }
  function renderSelected() {
    var slot = slotById(selected);
    setNotice("");
    show($("[data-confirm-step]"), false);
    show($("[data-go-current]"), !!(state && state.current_slot_id && String(state.current_slot_id) !== selected));
    if (!slot) {
      $("[data-sheet-title]").textContent = msg("WaitingHost");
      show(form, false); show($("[data-submitted-view]"), false);
      renderStatus();
      return;
    }
    $("[data-sheet-title]").textContent = msg("Seat", { n: slot.position }) + " " + slot.name;
    var draft = loadDraft(selected);
    var submitted = slot.sheet && slot.sheet.state === "submitted" && !(draft && draft.pending);
    var excluded = slot.excluded && !slot.sheet;
    if (draft && draft.refused) setNotice(draft.refused);
    else if (excluded) setNotice(msg({ recused: "Recused", absent: "Absent", no_show: "NoShow" }[slot.excluded] || "Closed"));
    else if (state.round.status === "closed" && !slot.sheet) setNotice(msg("Closed"));
    else if (slot.sheet && slot.sheet.state === "unlocked") setNotice(msg("Unlocked"));
    var editable = !submitted && !excluded && state.round.status !== "closed";
    show(form, editable);
    show($("[data-submitted-view]"), !!submitted);
    if (submitted) {
      var body = $("[data-submitted-rows]");
      body.textContent = "";
      Object.keys(slot.sheet.scores || {}).forEach(function (name) {
        var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
        th.textContent = name; td.textContent = slot.sheet.scores[name]; td.className = "num";
        tr.appendChild(th); tr.appendChild(td); body.appendChild(tr);
      });
      var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
      th.textContent = root.querySelector(".jt-total").firstChild.textContent.trim();
      td.textContent = slot.sheet.total; td.className = "num"; tr.appendChild(th); tr.appendChild(td); body.appendChild(tr);
    }
    if (editable) {
      fillForm(draft || (slot.sheet && slot.sheet.state === "unlocked" ? { scores: slot.sheet.scores } : null));
      validate(false);
    }
    renderStatus();
    Array.prototype.forEach.call(root.querySelectorAll("[data-slot-id]"), function (button) {
      button.setAttribute("aria-current", button.dataset.slotId === selected ? "true" : "false");
    });
  }
  function select(slotId) {
    selected = slotId ? String(slotId) : null;
    show($("[data-warning]"), false);
    renderSelected();
  }
  function renderList() {
    var list = $("[data-list]");
    list.textContent = "";
    state.slots.forEach(function (slot) {
      var li = document.createElement("li"), button = document.createElement("button"), draft = loadDraft(slot.id);
      button.type = "button"; button.className = "jt-slot"; button.dataset.slotId = slot.id;
      var mark = "";
      if (slot.sheet && slot.sheet.state === "submitted") { mark = "✓ " + slot.sheet.total; button.classList.add("is-done"); }
      else if (draft && draft.pending) { mark = "⏳"; button.classList.add("is-pending"); }
      else if (hasValues(draft)) { mark = "✎"; button.classList.add("is-draft"); }
      else if (slot.excluded) { mark = "—"; button.classList.add("is-excluded"); }
      if (String(slot.id) === String(state.current_slot_id)) button.classList.add("is-current");
      button.textContent = (slot.rehearsal ? msg("Rehearsal") + " " : msg("Seat", { n: slot.position }) + " ") + slot.name +
        (mark ? "  " + mark : "");
      li.appendChild(button); list.appendChild(li);
    });
  }
  function renderBanner() {
    var slot = slotById(state.current_slot_id);
    $("[data-banner-number]").textContent = slot ? (slot.rehearsal ? msg("Rehearsal") : msg("Seat", { n: slot.position })) : "";
    $("[data-banner-name]").textContent = slot ? slot.name : msg("WaitingHost");
    $("[data-banner-unit]").textContent = slot ? slot.unit : "";
    $("[data-banner-title]").textContent = slot ? slot.title : "";
    root.querySelector("[data-done]").textContent = state.done;
    root.querySelector("[data-total]").textContent = state.total;
  }
  function apply(newState) {
    state = newState;
    var current = state.current_slot_id ? String(state.current_slot_id) : null;
    if (current !== lastCurrent) {
      var draft = selected && loadDraft(selected), slot = slotById(selected);
      var unsent = selected && selected !== current && hasValues(draft) && !(slot && slot.sheet && slot.sheet.state === "submitted");
      if (unsent && lastCurrent !== null) {
        var warning = $("[data-warning]");
        warning.textContent = msg("Moved", { n: slot ? slot.position : "", name: slot ? slot.name : "" });
        show(warning, true);
      } else if (!unsent) {
        selected = current;
      }
      lastCurrent = current;
    }
    renderBanner();
    renderList();
    renderSelected();
  }

  // ------------------------------------------------------------ polling
  var polling = false;
  function poll(force) {
    if (polling) return;
    polling = true;
    var headers = { "Accept": "application/json" };
    if (etag && !force) headers["If-None-Match"] = etag;
    var draftUrl = d.stateUrl + (d.stateUrl.indexOf("?") < 0 ? "?" : "&") + "draft=" + encodeURIComponent(reportedDraft() || "");
    fetch(draftUrl, { credentials: "same-origin", cache: "no-store", headers: headers }).then(function (response) {
      polling = false;
      if (response.status === 401) { loginLost = true; renderStatus(); return null; }
      loginLost = false;
      if (response.status === 304 || !response.ok) return null;
      etag = response.headers.get("ETag");
      return response.json().then(apply);
    }).catch(function () { polling = false; renderStatus(); });
  }
  window.addEventListener("online", function () { poll(true); retryAll(); });
  window.addEventListener("offline", renderStatus);
  setInterval(poll, 2000);
  setInterval(retryAll, 3000);
  poll(true);
  retryAll();
})();
