// Follows a background job (an export, a roster import) on its page, without inline script under
// the CSP: polls the element's data-status-url, moves its progress bar and, once the job has
// finished, either reveals the page's download link or error (data-job-progress="reveal") or
// reloads the page, which then shows the job's result (data-job-progress="reload").
(function () {
  "use strict";
  function follow(box) {
    var url = box.getAttribute("data-status-url");
    var reload = box.getAttribute("data-job-progress") === "reload";
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
          text.textContent = data.percent + "%" + (data.total ? " · " + data.done + " / " + data.total : "");
          if (data.status === "queued" || data.status === "running") {
            window.setTimeout(poll, 1000);
          } else if (reload) {
            window.location.reload();
          } else if (data.status === "done") {
            if (link) { link.classList.remove("d-none"); }
          } else if (error) {
            error.classList.remove("d-none");
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    var status = box.getAttribute("data-status");
    if (status !== "done" && status !== "failed") { poll(); }
  }
  function start() {
    document.querySelectorAll("[data-job-progress]").forEach(follow);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
