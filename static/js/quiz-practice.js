/* Practice (练习): a small enhancement of the server-rendered answer form.
 * Without this script everything still works; with it, an empty answer is caught before posting,
 * the chosen option is highlighted and the submit button cannot be tapped twice. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-practice-answer]");
  if (!form) {
    return;
  }
  var button = form.querySelector("button[type=submit]");
  var message = form.querySelector("[data-practice-message]");
  var idleLabel = button ? button.textContent : "";
  var submitting = false;

  function answered() {
    var inputs = form.querySelectorAll("input[name=response], input[name=blank]");
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") && input.checked) {
        return true;
      }
      if (input.type === "text" && input.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function showMessage(text) {
    if (!message) {
      return;
    }
    message.textContent = text;
    message.classList.toggle("hidden", !text);
  }

  function markChosen() {
    var labels = form.querySelectorAll(".practice-choice");
    for (var i = 0; i < labels.length; i += 1) {
      var input = labels[i].querySelector("input");
      labels[i].classList.toggle("is-chosen", Boolean(input && input.checked));
    }
  }

  form.addEventListener("change", function () {
    markChosen();
    if (answered()) {
      showMessage("");
    }
  });

  form.addEventListener("submit", function (event) {
    if (submitting) {
      event.preventDefault();
      return;
    }
    if (!answered()) {
      event.preventDefault();
      showMessage(form.getAttribute("data-empty-message") || "");
      return;
    }
    submitting = true;
    if (button) {
      button.disabled = true;
      button.textContent = form.getAttribute("data-busy-label") || idleLabel;
    }
  });

  // Coming back with the browser's back button restores the page from cache: make it usable again.
  window.addEventListener("pageshow", function () {
    submitting = false;
    if (button) {
      button.disabled = false;
      button.textContent = idleLabel;
    }
    markChosen();
  });

  markChosen();
})();
