// Keyboard shortcuts, as on Discourse and Stack Overflow (issue 15): "/" search, "j"/"k"
// next and previous question or post, Enter opens the selected question, "a" answer,
// "n" ask, "?" the list (templates/_shortcuts.html). Ignored while typing in a field or
// with a modifier key. Escape (or a click elsewhere) closes the header's menus.
(function () {
  "use strict";
  var ITEMS = ".question-post, .answer-post, .question-row";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function items() {
    return Array.prototype.filter.call(document.querySelectorAll(ITEMS), function (el) {
      return el.offsetParent !== null;
    });
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var index = list.indexOf(document.activeElement.closest(ITEMS));
    var next = list[Math.min(list.length - 1, Math.max(0, index < 0 ? 0 : index + step))];
    if (!next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    next.classList.add("key-selected");
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open], details.nav-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details.user-menu[open], details.nav-menu[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    var target;
    switch (event.key) {
      case "/":
        target = document.getElementById("site-search");
        break;
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "Enter": {
        var row = event.target.matches && event.target.matches(".question-row") ? event.target : null;
        var link = row && row.querySelector("h2 a, h3 a");
        if (link) link.click();
        else return;
        break;
      }
      case "a":
        target = document.querySelector("#answer-form textarea");
        break;
      case "n": {
        var ask = document.querySelector(".header-tools a.button.primary");
        if (ask) ask.click();
        else return;
        break;
      }
      case "?": {
        var help = document.getElementById("shortcuts-help");
        if (help && help.showModal) help.showModal();
        break;
      }
      default:
        return;
    }
    if (target) {
      target.focus();
      target.scrollIntoView({ block: "center" });
    }
    if (target || "jk?".indexOf(event.key) >= 0 || event.key === "/") event.preventDefault();
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.classList && event.target.classList.contains("key-selected")) {
      event.target.classList.remove("key-selected");
    }
  });

  // A click outside an open header menu closes it (as a native menu would).
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.user-menu, details.nav-menu"));
  });
})();
