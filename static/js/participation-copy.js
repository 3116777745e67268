/* Participation pages: the chase list's "复制提醒文字" buttons copy their message (the textarea stays as
   the fallback: select and copy by hand), and the notice's 打印 button prints. Buttons are hidden
   until this script shows them, so without script nothing is offered that cannot work. */
(function () {
  "use strict";

  function copyFrom(area) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(area.value);
    }
    return new Promise(function (resolve, reject) {
      area.focus();
      area.select();
      try { if (document.execCommand("copy")) { resolve(); } else { reject(new Error("copy")); } }
      catch (error) { reject(error); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-target]"), function (button) {
    var area = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!area) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyFrom(area).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied-text"); }
      }, function () {
        area.focus();
        area.select();
        if (status) { status.textContent = button.getAttribute("data-failed-text"); }
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
