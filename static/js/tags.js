// Tag autocomplete (issue 15): any input with data-tag-suggest (the URL of
// forum:tag_suggestions) becomes an ARIA 1.2 combobox. The word under the cursor is looked
// up while typing; ArrowDown/ArrowUp move through the suggestions (each with its
// description and question count), Enter or a click puts the tag in place of the word,
// Escape closes the list. Without JavaScript the field stays a plain text input.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var SEPARATOR = /[\s,]+/;

  function word(input) {
    // The word being typed: from the last separator before the cursor to the next one.
    var end = input.selectionStart === null ? input.value.length : input.selectionStart;
    var before = input.value.slice(0, end);
    var start = before.search(/[^\s,]*$/);
    var rest = input.value.slice(end).search(SEPARATOR);
    return { start: start, end: rest < 0 ? input.value.length : end + rest, text: before.slice(start) };
  }

  function setUp(input, index) {
    var list = document.createElement("ul");
    list.id = (input.id || "tags-" + index) + "-suggestions";
    list.className = "tag-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", gettext("Matching tags"));
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var active = -1;
    var asked = 0;
    var timer = null;

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(next) {
      var all = options();
      if (!all.length) return;
      active = (next + all.length) % all.length;
      all.forEach(function (option, n) {
        option.setAttribute("aria-selected", n === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function pick(option) {
      var at = word(input);
      var value = input.value;
      var tail = value.slice(at.end).replace(/^[\s,]*/, "");
      var head = value.slice(0, at.start) + option.dataset.value + ", ";
      input.value = head + tail;
      input.setSelectionRange(head.length, head.length);
      close();
      input.focus();
    }

    function lookUp() {
      var text = word(input).text;
      if (!text) return close();
      var mine = ++asked;
      fetch(input.dataset.tagSuggest + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "text/html" }, credentials: "same-origin",
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (mine !== asked) return; // an answer to an older word
        list.innerHTML = html;
        var all = options();
        if (!all.length || document.activeElement !== input) return close();
        all.forEach(function (option, n) { option.id = list.id + "-" + n; });
        active = -1;
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        input.removeAttribute("aria-activedescendant");
      }).catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && word(input).text) { event.preventDefault(); lookUp(); }
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault(); // picks the tag instead of sending the form
        pick(options()[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    // mousedown, not click: the input keeps the focus, so the list is still there.
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { event.preventDefault(); pick(option); }
    });
  }

  function init() {
    document.querySelectorAll("input[data-tag-suggest]:not([role=combobox])").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:load", init);
})();
