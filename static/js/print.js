// A "Print" button (data-print): the page's print CSS turns it into the sheet to put up.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
