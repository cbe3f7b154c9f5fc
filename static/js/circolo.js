// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "circolo-theme";

  function effectiveTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // The theme toggle flips between light and dark and remembers the choice.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-theme-toggle]");
    if (!toggle) return;
    var next = effectiveTheme() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem(KEY, next); } catch (e) { /* private mode */ }
    toggle.setAttribute("aria-pressed", next === "dark" ? "true" : "false");
  });

  // Selects marked data-autosubmit (the language switcher) submit on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });
})();

// Question page (forum/views/questions): htmx leaves 4xx responses unswapped, so a refused
// vote or comment would fail silently. Responses marked X-Circolo-Swap carry the re-rendered
// fragment with the reason in it (403 not allowed, 429 too fast): swap those in place.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Circolo-Swap")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// In DEBUG, django-htmx's script replaces the whole page with any 400/403 response (to show
// Django's error pages); our marked fragments are not error pages, so keep them from it.
document.addEventListener("htmx:beforeOnLoad", function (event) {
  if (event.detail.xhr.getResponseHeader("X-Circolo-Swap")) event.stopPropagation();
}, true);
