// Enhancement only, as the GOV.UK Design System does: move the focus to a
// form's error summary when the page loads, so a keyboard or screen-reader
// user starts from the list of problems, and let each link in it put the
// focus in its field (a plain link only scrolls there). Every page works
// without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    var input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    if (input) {
      event.preventDefault();
      target.scrollIntoView();
      input.focus({ preventScroll: true });
    }
  });
});
