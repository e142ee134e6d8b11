// Follows a roster import job (offices admin): polls its status, moves the progress bar, and
// reloads the page once the job has finished, which then shows the result (no inline script
// under the CSP).
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("import-job");
    if (!box) { return; }
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("[data-progress-bar]");
    var text = box.querySelector("[data-progress-text]");
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
          text.textContent = data.percent + "%" + (data.total ? " · " + data.done + " / " + data.total : "");
          if (data.status === "queued" || data.status === "running") {
            window.setTimeout(poll, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
