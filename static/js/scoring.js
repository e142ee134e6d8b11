// Asks before destructive or final actions (buttons with data-confirm) and prints on data-print.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
