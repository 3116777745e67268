// Participation input (issue 14): filter the member picker by name or staff ID, tick or clear the
// members shown, and tick every record of a list for a bulk decision. No inline script (CSP).
(function () {
  "use strict";
  var filter = document.querySelector("[data-member-filter]");
  var list = document.querySelector(".member-choices");
  function shown() {
    return Array.prototype.filter.call(list.querySelectorAll("li"), function (item) { return !item.hidden; });
  }
  if (filter && list) {
    filter.hidden = false;
    var input = filter.querySelector("input[type=search]");
    input.addEventListener("input", function () {
      var text = input.value.trim().toLowerCase();
      list.querySelectorAll("li").forEach(function (item) {
        item.hidden = text !== "" && item.textContent.toLowerCase().indexOf(text) === -1;
      });
    });
    filter.querySelectorAll("[data-tick]").forEach(function (button) {
      button.addEventListener("click", function () {
        var on = button.getAttribute("data-tick") === "all";
        shown().forEach(function (item) { item.querySelector("input[type=checkbox]").checked = on; });
      });
    });
  }
  var all = document.querySelector("[data-tick-every-record]");
  if (all) {
    all.hidden = false;
    all.querySelector("input").addEventListener("change", function (event) {
      document.querySelectorAll("input[name=item_id]").forEach(function (box) { box.checked = event.target.checked; });
    });
  }
})();
