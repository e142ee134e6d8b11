// Adds a row to a Django formset without a round trip: a button with data-formset-add="<prefix>"
// clones <template data-formset-template="<prefix>">, numbers it from the management form's
// TOTAL_FORMS and inserts it before the button (or before its [data-formset-anchor] wrapper). Without JavaScript the button stays hidden and
// the formset's empty rows (and a save) do the same job.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var max = document.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    if (!template || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      var anchor = button.closest("[data-formset-anchor]") || button;
      var holder = document.createElement("div");
      holder.innerHTML = html;
      while (holder.firstChild) {
        anchor.parentNode.insertBefore(holder.firstChild, anchor);
      }
      total.value = String(index + 1);
      var added = anchor.previousElementSibling;
      var first = added && added.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
