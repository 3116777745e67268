// The steward's desk: a USB scanner types the member-code URL into the field like a keyboard, with or
// without Enter. Without Enter, submit once the typing pauses and the field holds a whole code.
(function () {
  "use strict";
  var form = document.querySelector("[data-scanner-form]");
  if (!form) { return; }
  var field = form.querySelector("[data-scanner-field]");
  var timer = null;
  var complete = /\/checkin\/m\/[A-Za-z0-9_\-.]{20,}$/;

  field.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () {
      if (complete.test(field.value.trim())) { form.submit(); }
    }, 300);
  });
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } });
  field.focus();
})();
