// "New picture" next to the CAPTCHA: ask the server for a fresh sum (the old one is dropped).
document.addEventListener("click", function (event) {
  var button = event.target.closest(".captcha-refresh");
  if (!button) return;
  var img = button.parentElement.querySelector(".captcha-img");
  if (img) img.src = button.dataset.src + "?new=1&t=" + Date.now();
});
