// "New picture" next to the CAPTCHA. Without this script the button posts the form, which comes
// back with what was typed and a new picture; with it only the picture is swapped (the server
// drops the old challenge on ?new=1).
document.addEventListener("click", function (event) {
  var button = event.target.closest(".captcha-refresh");
  if (!button) return;
  var block = button.closest(".captcha");
  var img = block && block.querySelector(".captcha-img");
  if (!img) return;
  event.preventDefault();
  img.src = button.dataset.src + "?new=1&t=" + Date.now();
  var input = block.querySelector("input[name=captcha]");
  if (input) {
    input.value = "";
    input.focus();
  }
});
