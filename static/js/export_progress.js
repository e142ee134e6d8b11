// Polls an export job's status and updates the progress bar; shows the download link when done.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("[data-progress-bar]");
  var text = box.querySelector("[data-progress-text]");
  var link = box.querySelector("[data-download]");
  var error = box.querySelector("[data-error]");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        text.textContent = data.done + " / " + data.total;
        if (data.status === "done") {
          link.classList.remove("d-none");
        } else if (data.status === "failed") {
          error.classList.remove("d-none");
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  var status = box.getAttribute("data-status");
  if (status !== "done" && status !== "failed") { poll(); }
})();
