// The attendance sheet's filters (issue 10): city staff are offered the offices and teams of the
// district the page was filtered by. Once another district is chosen those pickers no longer
// apply (an office of another district would make the filtered page a 404): they are hidden and
// left out of the form, and the hint to press Filter is shown, until the district is set back.
(function () {
  "use strict";
  var district = document.querySelector("select[data-sheet-district]");
  if (!district) { return; }
  var form = district.form;
  var hint = form.querySelector("[data-sheet-district-hint]");
  var hiddenAtFirst = hint ? hint.hidden : true;
  district.addEventListener("change", function () {
    var same = district.value === district.getAttribute("data-sheet-district");
    form.querySelectorAll("[data-sheet-picker]").forEach(function (box) {
      box.hidden = !same;
      box.querySelectorAll("select").forEach(function (select) { select.disabled = !same; });
    });
    if (hint) { hint.hidden = same ? hiddenAtFirst : false; }
  });
})();
