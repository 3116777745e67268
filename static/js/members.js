// Roster forms: a unit <select data-branch-select="ID"> narrows the branch <select id="ID"> to that unit's branches.
(function () {
  "use strict";
  function narrow(unitSelect) {
    var branchSelect = document.getElementById(unitSelect.getAttribute("data-branch-select"));
    if (!branchSelect) { return; }
    var unit = unitSelect.value;
    Array.prototype.forEach.call(branchSelect.options, function (option) {
      var owner = option.getAttribute("data-unit") || "";
      var fits = owner === "" || unit === "" || unit === "0" || owner === unit;
      option.hidden = !fits;
      option.disabled = !fits;
    });
    var chosen = branchSelect.options[branchSelect.selectedIndex];
    if (chosen && chosen.disabled) { branchSelect.selectedIndex = 0; }
  }
  document.querySelectorAll("select[data-branch-select]").forEach(function (unitSelect) {
    unitSelect.addEventListener("change", function () { narrow(unitSelect); });
    narrow(unitSelect);
  });
})();
