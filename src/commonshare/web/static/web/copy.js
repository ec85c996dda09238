// A copy button for read-only fields: each <button data-copy="ID" hidden> is shown and, when
// pressed, copies the value of the field with that id. Without JavaScript the button stays
// hidden and the field's text can be selected and copied by hand.
(function () {
  "use strict";
  function copied(button, field, message) {
    var status = button.parentNode.querySelector(".copy-done");
    if (status) { status.textContent = message; }
    field.select();
  }
  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var text = field.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button, field, "Copied."); },
        function () { copied(button, field, "Selected: press Ctrl+C (⌘C) to copy."); }
      );
      return;
    }
    field.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    copied(button, field, done ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.");
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  for (var i = 0; i < buttons.length; i += 1) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
  }
}());
