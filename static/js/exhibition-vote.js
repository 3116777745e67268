// The vote button on a work's page: one tap sends one vote (the button is disabled at once, so a
// double tap sends nothing more); the answer replaces the button. Without JS the form posts as is.
(function () {
  "use strict";
  var form = document.querySelector("[data-vote-form]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var button = form.querySelector("button");
  var state = form.querySelector(".vote-state");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) { return; }
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        state.textContent = answer.message || answer.reason || "";
        if (answer.voted) {
          button.textContent = button.getAttribute("data-done") || "✓";
        } else if (answer.may_vote) {
          button.disabled = false;
        }
      }, function () {
        button.disabled = false;
        state.textContent = form.getAttribute("data-offline") || "";
      });
  });
}());
