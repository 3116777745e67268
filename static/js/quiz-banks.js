// Question form (题库): show the option inputs only for choice questions. Without this script every
// field stays visible and the server still checks options against the type.
(function () {
  "use strict";
  var form = document.querySelector("[data-question-form]");
  if (!form) { return; }
  var typeSelect = form.querySelector("select[name='question_type']");
  var optionSets = form.querySelectorAll("[data-types]");
  if (!typeSelect) { return; }

  function hasValue(fieldset) {
    var inputs = fieldset.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].value.trim() !== "") { return true; }
    }
    return false;
  }

  function update() {
    var kind = typeSelect.value;
    optionSets.forEach(function (fieldset) {
      var wanted = fieldset.getAttribute("data-types").split(" ").indexOf(kind) !== -1;
      // Never hide options that hold text (or an error): the organiser must see what will be refused.
      var keep = wanted || hasValue(fieldset) || fieldset.querySelector(".has-error");
      fieldset.classList.toggle("hidden", !keep);
    });
  }

  typeSelect.addEventListener("change", update);
  update();
}());
