// Enhancement only: move the focus to a form's error summary, as the GOV.UK
// Design System does, so a keyboard or screen-reader user starts from the list
// of problems. Every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
