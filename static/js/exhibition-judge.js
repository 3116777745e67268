/* The exhibition judge's pages (the speech tablet's approach): what the judge enters is kept in
   localStorage per (round, judge, work); a submitted sheet stays "pending" there until the server
   answers 200, is retried every few seconds and when the network returns, from any page of the
   round. The status line says exactly one of 已提交 / 已保存在本机，网络恢复后自动提交 /
   提交失败，正在重试 (or the server's refusal): never 已提交 for what the server did not accept.
   Scores are checked in integer units of the step, never floats. */
(function () {
  "use strict";
  var root = document.getElementById("xr-judge");
  if (!root) return;
  var d = root.dataset, messages = (document.getElementById("xr-messages") || {}).dataset || {};
  var roundId = d.roundId, judgeId = d.judgeId, current = d.workId || null;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var form = root.querySelector("[data-form]"), statusLine = root.querySelector("[data-status]");
  var notice = root.querySelector("[data-notice]"), sending = {}, failures = {}, loginLost = false;
  var prefix = "exhibition-draft:" + roundId + ":" + judgeId + ":";

  function msg(name, values) {
    var text = messages["msg" + name] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }
  function show(el, on) { if (el) el.classList.toggle("hidden", !on); }
  function load(id) { try { return JSON.parse(localStorage.getItem(prefix + id) || "null"); } catch (e) { return null; } }
  function save(id, draft) { try { localStorage.setItem(prefix + id, JSON.stringify(draft)); } catch (e) { /* full */ } }
  function drop(id) { try { localStorage.removeItem(prefix + id); } catch (e) { /* ignore */ } }
  function pending() {
    var found = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf(prefix) === 0) {
        var draft = load(k.slice(prefix.length));
        if (draft && draft.pending) found.push(k.slice(prefix.length));
      }
    }
    return found;
  }

  // ------------------------------------------------------------ the form
  var rows = form ? Array.prototype.slice.call(form.querySelectorAll("[data-criterion]")) : [];
  function units(text, p) {
    var parts = text.split("."), frac = (parts[1] || "").replace(/0+$/, "");
    if (frac.length > p) return null;
    while (frac.length < p) frac += "0";
    return parseInt(parts[0] || "0", 10) * Math.pow(10, p) + (p ? parseInt(frac, 10) : 0);
  }
  function places(step) { return step.indexOf(".") < 0 ? 0 : step.split(".")[1].replace(/0+$/, "").length; }
  function check(row, text) {
    var c = row.querySelector("label") ? row.querySelector("label").firstChild.textContent.trim() : "";
    text = (text || "").trim();
    if (!text) return msg("Blank", { c: c });
    if (!/^\d{1,6}(\.\d{1,6})?$/.test(text)) return msg("Range", { c: c, max: row.dataset.maximum });
    if (units(text, 6) > units(row.dataset.maximum, 6)) return msg("Range", { c: c, max: row.dataset.maximum });
    var step = row.dataset.step, p = places(step), value = units(text, p);
    if (value === null || value % units(step, p) !== 0) return msg("Step", { c: c, step: step });
    return "";
  }
  function readForm() {
    var body = {};
    if (d.method === "shortlist") {
      var chosen = form.querySelector("[data-choice]:checked");
      body.scores = {}; body.scores[rows[0].dataset.criterion] = chosen ? chosen.value : "";
    } else if (d.method === "ranking") {
      body.places = {};
      rows.forEach(function (row) { body.places[row.dataset.criterion] = row.querySelector("[data-score]").value.trim(); });
    } else {
      body.scores = {};
      rows.forEach(function (row) { body.scores[row.dataset.criterion] = row.querySelector("[data-score]").value.trim(); });
    }
    return body;
  }
  function fillForm(body) {
    if (!body) return;
    rows.forEach(function (row) {
      var name = row.dataset.criterion;
      if (d.method === "shortlist") {
        var value = (body.scores || {})[name];
        Array.prototype.forEach.call(row.querySelectorAll("[data-choice]"), function (box) { box.checked = box.value === value; });
      } else {
        var values = d.method === "ranking" ? body.places : body.scores;
        var input = row.querySelector("[data-score]");
        if (values && values[name] !== undefined && values[name] !== "") input.value = values[name];
      }
    });
  }
  function validate() {
    var ok = true;
    rows.forEach(function (row) {
      var error = "";
      if (d.method === "shortlist") {
        if (!form.querySelector("[data-choice]:checked")) error = msg("Blank", { c: "" });
      } else {
        var text = row.querySelector("[data-score]").value;
        error = check(row, text);  // a place used twice is refused by the server, beside the form
      }
      row.querySelector("[data-error]").textContent = error;
      row.classList.toggle("has-error", !!error);
      if (error) ok = false;
    });
    return ok;
  }
  function showProblems(problems) {
    var shown = false;
    problems.forEach(function (problem) {
      var row = rows.filter(function (r) { return r.dataset.criterion === String(problem.field); })[0];
      if (row) { row.querySelector("[data-error]").textContent = problem.message; row.classList.add("has-error"); shown = true; }
      else { setNotice(problem.message); shown = true; }
    });
    return shown;
  }
  function setNotice(text) { if (notice) { notice.textContent = text; show(notice, !!text); } }

  // ------------------------------------------------------------ status
  function render() {
    if (!statusLine || !current) { renderOthers(); return; }
    var draft = load(current), text, cls = "";
    if (d.done === "true" && !(draft && draft.pending)) { text = msg("Submitted"); cls = "is-submitted"; }
    else if (draft && draft.pending) {
      if (loginLost) { text = msg("Login"); cls = "is-failed"; }
      else if (failures[current] === "server") { text = msg("Retrying"); cls = "is-failed"; }
      else if (failures[current] === "network" || !navigator.onLine) { text = msg("Offline"); cls = "is-offline"; }
      else { text = msg("Sending"); cls = "is-sending"; }
    } else if (draft && draft.refused) { text = draft.refused; cls = "is-failed"; }
    else if (draft && draft.body) { text = msg("Draft"); cls = "is-draft"; }
    else { text = msg("Empty"); }
    statusLine.textContent = text;
    statusLine.className = "xr-status " + cls;
    renderOthers();
  }
  function renderOthers() {
    var box = root.querySelector("[data-pending-other]");
    var others = pending().filter(function (id) { return id !== current; });
    if (box) { box.textContent = others.length ? msg("PendingOther", { count: others.length }) : ""; show(box, others.length > 0); }
    Array.prototype.forEach.call(root.querySelectorAll("[data-work-id]"), function (tile) {
      if (tile === root) return;
      var draft = load(tile.dataset.workId), mark = tile.querySelector("[data-mark]");
      if (mark && draft && draft.pending) mark.textContent = "⏳";
    });
  }
  function submitted(id) {
    drop(id);
    delete failures[id];
    if (id === current) {
      d.done = "true";
      if (form) {
        form.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
        var button = form.querySelector("[data-submit]");
        if (button) button.remove();
      }
    }
    var tile = root.querySelector('.xr-tile[data-work-id="' + id + '"]');
    if (tile) { tile.classList.add("is-done"); var mark = tile.querySelector("[data-mark]"); if (mark) mark.textContent = "✓ " + msg("Submitted"); }
  }

  // ------------------------------------------------------------ sending
  function url(id) { return id === "ranking" ? d.submitUrl : d.submitUrl.replace("/works/0/", "/works/" + id + "/"); }
  function send(id) {
    var draft = load(id);
    if (!draft || !draft.pending || sending[id]) return;
    sending[id] = true;
    render();
    fetch(url(id), {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(draft.body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        sending[id] = false;
        if (response.status === 200 && body.status === "submitted") {
          loginLost = false;
          submitted(id);
        } else if (response.status === 401 || (response.status === 403 && !body.status)) {
          loginLost = true;
        } else if (response.status === 409 || response.status === 403 || response.status === 404) {
          draft.pending = false; draft.refused = body.message || msg("Retrying");
          save(id, draft);
          if (id === current) setNotice(draft.refused);
        } else if (response.status === 422) {
          draft.pending = false; draft.refused = "";
          save(id, draft);
          if (id === current) showProblems(body.problems || []);
        } else {
          failures[id] = "server";
        }
        render();
      });
    }).catch(function () {
      sending[id] = false;
      failures[id] = "network";
      render();
    });
  }
  function retryAll() { pending().forEach(send); }

  if (form && d.editable === "true" && current) {
    var draft = load(current);
    if (draft && draft.body) fillForm(draft.body);
    if (draft && draft.refused) setNotice(draft.refused);
    form.addEventListener("input", function () {
      var before = load(current);
      if (before && before.pending) return;  // already on its way: typing again waits for the answer
      save(current, { body: readForm(), pending: false });
      setNotice("");
      render();
    });
    form.addEventListener("change", function () { form.dispatchEvent(new Event("input")); });
    var button = form.querySelector("[data-submit]");
    if (button) button.addEventListener("click", function () {
      if (!validate()) { var bad = form.querySelector(".has-error input"); if (bad) bad.focus(); return; }
      save(current, { body: readForm(), pending: true });
      setNotice("");
      send(current);
    });
  } else if (current && d.done === "true") {
    var stale = load(current);
    if (stale && !stale.pending) drop(current);
  }
  window.addEventListener("online", retryAll);
  window.addEventListener("offline", render);
  setInterval(retryAll, 3000);
  retryAll();
  render();
})();
