// The phone submission page: each image is checked (size, resolution) and uploaded on its own with a
// progress bar, a failed one is retried alone; the form then carries the staging tokens. What the
// member typed is kept in localStorage, so a reload (or a browser killed on mobile data) loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("work-form");
  if (!form) { return; }
  var data = form.dataset;
  var select = document.getElementById("category_id");
  var picker = document.getElementById("image-picker");
  var list = form.querySelector("[data-upload-list]");
  var hidden = document.getElementById("images");
  var message = form.querySelector("[data-form-message]");
  var csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
  var key = "saishi." + data.draftKey;
  var kept = ["title", "statement", "width_cm", "height_cm", "medium", "year_made", "coauthors", "category_id"];
  var entries = [];

  function category() { return select.options[select.selectedIndex] || select.options[0]; }
  function maxImages() { return parseInt(category().dataset.maxImages || "1", 10); }
  function minEdge() { return parseInt(category().dataset.minEdge || "0", 10); }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function say(text) { message.textContent = text || ""; message.hidden = !text; }

  function tokens() {
    return entries.filter(function (e) { return e.token; }).map(function (e) { return e.token; });
  }
  function save() {
    var state = { images: tokens() };
    kept.forEach(function (name) { var el = form.elements[name]; if (el) { state[name] = el.value; } });
    state.pledge = form.elements.pledge ? form.elements.pledge.checked : false;
    try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode: no draft kept */ }
    hidden.value = tokens().join("\n");
  }
  function restore() {
    var raw = null;
    try { raw = localStorage.getItem(key); } catch (e) { return; }
    if (!raw || form.querySelector(".field-error:not([hidden])")) { return; }  // a re-shown form wins
    var state;
    try { state = JSON.parse(raw); } catch (e) { return; }
    var restored = false;
    kept.forEach(function (name) {
      var el = form.elements[name];
      if (el && state[name] && !el.value) { el.value = state[name]; restored = true; }
      else if (el && name === "category_id" && state[name]) { el.value = state[name]; }
    });
    if (form.elements.pledge && state.pledge) { form.elements.pledge.checked = true; }
    if (!hidden.value && state.images && state.images.length) { hidden.value = state.images.join("\n"); restored = true; }
    if (restored) { say(""); var note = document.createElement("p"); note.className = "flash flash-info";
      note.textContent = data.msgRestored; form.insertBefore(note, form.firstChild); }
  }

  function render(entry) {
    var li = entry.li;
    li.className = "upload-item " + entry.state;
    li.textContent = "";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = entry.label;
    li.appendChild(name);
    if (entry.state === "uploading") {
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = entry.percent || 0;
      li.appendChild(bar);
      var pct = document.createElement("span");
      pct.className = "small"; pct.textContent = data.msgUploading + " " + (entry.percent || 0) + "%";
      li.appendChild(pct);
    } else if (entry.state === "done") {
      var ok = document.createElement("span");
      ok.className = "badge ok"; ok.textContent = data.msgDone;
      li.appendChild(ok);
    } else if (entry.state === "failed") {
      var why = document.createElement("span");
      why.className = "field-error"; why.textContent = entry.error;
      li.appendChild(why);
      if (entry.file && entry.retry !== false) {
        var retry = document.createElement("button");
        retry.type = "button"; retry.className = "button small-button"; retry.textContent = data.msgRetry;
        retry.addEventListener("click", function () { upload(entry); });
        li.appendChild(retry);
      }
    }
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "linklike"; remove.textContent = data.msgRemove;
    remove.addEventListener("click", function () {
      if (entry.xhr) { entry.xhr.abort(); }
      entries = entries.filter(function (e) { return e !== entry; });
      li.remove(); save();
    });
    li.appendChild(remove);
  }

  function upload(entry) {
    var xhr = new XMLHttpRequest();
    entry.xhr = xhr; entry.state = "uploading"; entry.percent = 0; render(entry);
    xhr.open("POST", data.stageUrl + "?category_id=" + encodeURIComponent(select.value));
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("Content-Type", entry.file.type || "application/octet-stream");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { entry.percent = Math.round(100 * event.loaded / event.total); render(entry); }
    });
    xhr.addEventListener("load", function () {
      entry.xhr = null;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 200 && body && body.ok) {
        entry.token = body.token; entry.state = "done";
        entry.label = entry.file.name + "（" + body.width + " × " + body.height + "）";
      } else {
        entry.state = "failed";
        entry.error = (body && body.message) || data.msgFailed;
        entry.retry = xhr.status >= 500 || xhr.status === 0 || !body;  // a refusal is not fixed by retrying
      }
      render(entry); save();
    });
    xhr.addEventListener("error", function () {
      entry.xhr = null; entry.state = "failed"; entry.error = data.msgFailed; entry.retry = true; render(entry);
    });
    xhr.send(entry.file);
  }

  function measure(file) {
    // The browser may not decode HEIC: then the server decides.
    if (window.createImageBitmap) {
      return createImageBitmap(file).then(function (bitmap) {
        var size = { width: bitmap.width, height: bitmap.height };
        if (bitmap.close) { bitmap.close(); }
        return size;
      }, function () { return null; });
    }
    return new Promise(function (resolve) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve({ width: img.naturalWidth, height: img.naturalHeight }); };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(null); };
      img.src = url;
    });
  }

  function add(file) {
    var li = document.createElement("li");
    list.appendChild(li);
    var entry = { file: file, label: file.name, li: li, state: "checking" };
    entries.push(entry);
    render(entry);
    if (file.size > parseInt(data.maxBytes, 10)) {
      entry.state = "failed"; entry.error = data.msgTooBig; entry.retry = false; render(entry); return;
    }
    measure(file).then(function (size) {
      var edge = size ? Math.max(size.width, size.height) : null;
      if (edge !== null && edge < minEdge()) {
        entry.state = "failed"; entry.retry = false;
        entry.error = fill(data.msgTooSmall, { edge: edge, minimum: minEdge() });
        render(entry); return;
      }
      upload(entry);
    });
  }

  picker.addEventListener("change", function () {
    var files = Array.prototype.slice.call(picker.files || []);
    list.querySelectorAll("[data-existing]").forEach(function (li) { li.remove(); });
    if (entries.length + files.length > maxImages()) {
      say(fill(data.msgTooMany, { count: maxImages() }));
      files = files.slice(0, Math.max(0, maxImages() - entries.length));
    } else { say(""); }
    files.forEach(add);
    picker.value = "";
  });

  function showCategory() {
    var physical = category().dataset.physical === "1";
    form.querySelectorAll("[data-physical-fields]").forEach(function (el) { el.classList.toggle("hidden", !physical); });
    var text = form.querySelector("[data-min-edge-text]");
    if (text) { text.textContent = minEdge() + " px"; }
  }
  select.addEventListener("change", function () { showCategory(); save(); });

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.querySelector("[data-save-draft]").addEventListener("click", function () {
    document.getElementById("save_draft").value = "1";
  });
  form.querySelector("[data-submit]").addEventListener("click", function () {
    document.getElementById("save_draft").value = "";
  });
  form.addEventListener("submit", function (event) {
    if (entries.some(function (e) { return e.state === "uploading" || e.state === "checking"; })) {
      event.preventDefault(); say(data.msgWait); return;
    }
    if (entries.length) { hidden.value = tokens().join("\n"); }
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  });

  restore();
  if (hidden.value && !entries.length) {
    hidden.value.split("\n").filter(Boolean).forEach(function (token, index) {
      var li = document.createElement("li");
      list.appendChild(li);
      var entry = { token: token, label: "#" + (index + 1), li: li, state: "done" };
      entries.push(entry); render(entry);
    });
  }
  showCategory();
}());
