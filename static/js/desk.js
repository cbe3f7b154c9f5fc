// The escalation desk in the browser: the queue and a case follow the staff-only `desk`
// stream (static/js/live.js owns the socket and re-dispatches each event as a
// `circolo:live` DOM event), SLA countdowns tick, canned responses fill the answer box.
// Without JavaScript every page still works: reload for news, the canned links prefill.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  };
  function format(text, values) { return interpolate(text, values, true); }

  // Countdowns -------------------------------------------------------------------------------

  function duration(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    if (minutes < 60) return format(ngettext("%(n)s min", "%(n)s min", minutes), { n: minutes });
    var hours = Math.floor(minutes / 60);
    if (hours < 48) {
      var rest = minutes % 60;
      return format(gettext("%(h)s h %(m)s min"), { h: hours, m: rest < 10 ? "0" + rest : rest });
    }
    var days = Math.floor(hours / 24);
    return format(ngettext("%(n)s day", "%(n)s days", days), { n: days });
  }

  function tick(root) {
    (root || document).querySelectorAll(".countdown[data-state='running']").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = (due - Date.now()) / 1000;
      var text = document.createElement("span");
      text.setAttribute("data-countdown-text", "");
      if (left <= 0) {
        text.textContent = format(gettext("%(text)s late"), { text: duration(left) });
        node.classList.add("breached");
        node.classList.remove("soon");
        var mark = document.createElement("strong");
        mark.className = "breach-mark";
        mark.textContent = gettext("Breached");
        node.replaceChildren(mark, document.createTextNode(" "), text);
      } else {
        text.textContent = format(gettext("%(text)s left"), { text: duration(left) });
        node.classList.toggle("soon", left <= 15 * 60);
        node.replaceChildren(text);
      }
    });
  }

  tick();
  setInterval(tick, 30000);

  // The queue --------------------------------------------------------------------------------

  var queue = document.getElementById("desk-queue");
  var refreshTimer = null;
  var refreshing = false;
  var again = false;

  function refreshQueue() {
    refreshTimer = null;
    if (refreshing) { again = true; return; }
    refreshing = true;
    var url = queue.getAttribute("data-desk-refresh-url");
    var before = {};
    queue.querySelectorAll("tbody tr[id]").forEach(function (row) { before[row.id] = true; });
    var checked = {};
    queue.querySelectorAll("input[name='escalations']:checked").forEach(function (box) { checked[box.value] = true; });
    var assignee = queue.querySelector("select[name='assignee']");
    var chosen = assignee ? assignee.value : null;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        queue.innerHTML = html;
        var arrived = 0;
        queue.querySelectorAll("tbody tr[id]").forEach(function (row) {
          if (!before[row.id]) { row.classList.add("arrived"); arrived += 1; }
          var box = row.querySelector("input[name='escalations']");
          if (box && checked[box.value] && !box.disabled) box.checked = true;
        });
        var select = queue.querySelector("select[name='assignee']");
        if (select && chosen !== null) select.value = chosen;
        tick(queue);
        if (window.htmx) window.htmx.process(queue);
        var announcer = queue.querySelector("[data-desk-announce]");
        if (announcer && arrived) {
          announcer.textContent = format(
            ngettext("%(count)s new escalation", "%(count)s new escalations", arrived), { count: arrived }
          );
        }
      })
      .catch(function (error) { if (window.console) console.error("desk: refresh", error); })
      .then(function () {
        refreshing = false;
        if (again) { again = false; scheduleRefresh(); }
      });
  }

  function scheduleRefresh() {
    if (!refreshTimer) refreshTimer = setTimeout(refreshQueue, 250);
  }

  // A case -----------------------------------------------------------------------------------

  var caseView = document.querySelector("[data-desk-case]");

  document.addEventListener("circolo:live", function (event) {
    var detail = event.detail || {};
    if (detail.stream !== "desk") return;
    if (queue) scheduleRefresh();
    if (caseView && (detail.type === "resync" ||
        String((detail.data || {}).id) === caseView.getAttribute("data-desk-case"))) {
      var notice = caseView.querySelector("[data-desk-changed]");
      if (notice) notice.hidden = false;
    }
  });

  // Canned responses: fill the official answer box (the link's ?canned= does it without JS).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-canned-text]") : null;
    if (!link) return;
    var box = document.getElementById("answer_body");
    if (!box) return;
    event.preventDefault();
    if (box.value.trim() && !window.confirm(gettext("Replace what you wrote with this canned response?"))) return;
    box.value = link.getAttribute("data-canned-text");
    box.focus();
  });
})();
