// Live updates: one WebSocket per tab to /ws/ (live; API.md, "Live socket").
//
// Pages declare what they follow with data attributes: an element with
// data-live-stream="question.12" data-live-since="41" (the stream's last event id, read
// by the view before the page's data) subscribes to that stream from that id, so nothing
// published between the render and the connection is lost. The header's bell declares
// the member's `user` stream. Every handler fetches the same server-rendered partials the
// page is made of and swaps them in, and is idempotent: the same event twice (a replay
// after reconnecting, or the poster's own htmx response) changes nothing more.
//
// Ids: each stream's events are numbered 1, 2, 3...; a gap means frames were dropped (a
// slow socket), so the stream is resubscribed with since=<last id seen>. A `resync` frame
// (the backlog no longer holds what we missed) refetches everything the page shows.
// Connection lost: "Reconnecting…" in the header, back-off with jitter from 1 s to 30 s,
// then every stream resubscribes with its last id and catches up. A socket closed for
// breaking a limit (4008 rate or subscriptions, 4009 message size; docs/live.md) is not
// reopened: the page says so. Closed because the address has too many sockets open
// (4029), it tries again only after the longest back-off.
//
// Without JavaScript, or without WebSocket support, the pages are complete as rendered.
(function () {
  "use strict";
  if (!("WebSocket" in window) || !window.fetch || !window.JSON) return;

  // Django's JavaScript catalogue (/jsi18n/, domain djangojs) defines these; English if it
  // failed to load.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  };
  function format(text, values) { return interpolate(text, values, true); }

  var MIN_DELAY = 1000;
  var MAX_DELAY = 30000;
  var TYPING_EVERY = 2000;
  // 1008/1009: what servers before the 4000-range codes sent.
  var POLICY_CLOSE = { 4008: true, 4009: true, 1008: true, 1009: true };
  var TOO_MANY_SOCKETS = 4029;
  // Subscription refusals that a retry cannot fix.
  var FINAL_ERRORS = { not_found: true, forbidden: true, login_required: true, unknown_stream: true };

  var streams = {}; // name -> {name, last (id or null), waiting, active}
  var socket = null;
  var attempt = 0;
  var retryTimer = null;
  var stopped = false;
  var leaving = false;
  var statusEl = document.querySelector("[data-live-status]");
  var toastsEl = document.querySelector("[data-live-toasts]");
  var bell = document.querySelector(".bell[data-live-stream]");
  var me = bell ? bell.getAttribute("data-live-user") : "";

  // Connection -----------------------------------------------------------------------------

  function setStatus(text) {
    if (statusEl && statusEl.textContent !== text) statusEl.textContent = text;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  function subscribe(stream) {
    var message = { action: "subscribe", stream: stream.name };
    if (stream.last !== null) message.since = stream.last;
    stream.waiting = send(message);
  }

  function connect() {
    retryTimer = null;
    if (stopped || socket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + location.host + "/ws/");
    } catch (error) {
      socket = null;
      return retry();
    }
    socket.onopen = function () {
      attempt = 0;
      setStatus("");
      Object.keys(streams).forEach(function (name) {
        if (streams[name].active) subscribe(streams[name]);
      });
    };
    socket.onmessage = function (event) { receive(event.data); };
    socket.onclose = function (event) {
      socket = null;
      Object.keys(streams).forEach(function (name) { streams[name].waiting = false; });
      if (leaving) return;
      if (POLICY_CLOSE[event.code]) {
        stopped = true;
        setStatus(gettext("Live updates stopped. Reload the page to resume them."));
        return;
      }
      setStatus(gettext("Reconnecting…"));
      if (event.code === TOO_MANY_SOCKETS) attempt = Math.max(attempt, 5); // 30 s from now on
      retry();
    };
  }

  function retry() {
    if (retryTimer || stopped) return;
    // Exponential back-off, 1 s doubling up to 30 s, with jitter so that the tabs a server
    // restart disconnected do not all come back in the same instant.
    var ceiling = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, attempt));
    attempt += 1;
    var delay = Math.max(MIN_DELAY, ceiling * (0.5 + Math.random() * 0.5));
    retryTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (socket || stopped || leaving) return;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    connect();
  }

  function receive(text) {
    var message;
    try { message = JSON.parse(text); } catch (error) { return; }
    if (!message || typeof message !== "object") return;
    var stream = streams[message.stream];
    if (message.type === "subscribed") {
      if (stream) {
        stream.waiting = false;
        if (stream.last === null && typeof message.last_id === "number") stream.last = message.last_id;
      }
      return;
    }
    if (message.type === "error") {
      if (stream && FINAL_ERRORS[message.reason]) stream.active = false;
      return;
    }
    if (!stream || !stream.active) return;
    if (message.type === "resync") {
      stream.last = message.data && typeof message.data.last_id === "number" ? message.data.last_id : null;
      dispatch(stream, "resync", message.data || {}, message);
      return;
    }
    if (typeof message.id === "number") {
      if (stream.last !== null) {
        if (message.id <= stream.last) return; // seen already (replayed, or sent twice)
        if (message.id > stream.last + 1) {
          // A gap: frames were dropped on the way. The replay from our last id brings
          // this one too, in order.
          if (!stream.waiting) subscribe(stream);
          return;
        }
      }
      stream.last = message.id;
    }
    dispatch(stream, message.type, message.data || {}, message);
  }

  function dispatch(stream, type, data, message) {
    // Scripts of other areas (moderation.js) follow their streams through this DOM event.
    try {
      document.dispatchEvent(
        new CustomEvent("circolo:live", { detail: { stream: stream.name, type: type, data: data } })
      );
    } catch (error) {
      if (window.console) console.error("live: circolo:live", error);
    }
    var handlers = HANDLERS[stream.name.split(".")[0]];
    var handler = handlers && handlers[type];
    if (!handler) return;
    try {
      handler(data, stream, message);
    } catch (error) {
      if (window.console) console.error("live: " + type, error);
    }
  }

  function declare(element) {
    var name = element.getAttribute("data-live-stream");
    if (!name || streams[name]) return;
    var since = parseInt(element.getAttribute("data-live-since"), 10);
    var stream = { name: name, last: isNaN(since) ? null : since, waiting: false, active: true };
    streams[name] = stream;
    subscribe(stream);
  }

  // Fragments ------------------------------------------------------------------------------

  function fetchText(url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status === 404 || response.status === 410) return null;
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
        return response.text();
      });
  }

  function parseFragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content.firstElementChild;
  }

  function activate(node) {
    if (window.htmx && node) window.htmx.process(node);
  }

  // Replace `old` by `fresh` without losing what the reader was doing inside it: text typed
  // in a comment box, which comment forms were open, where the caret was.
  function replacePreserving(old, fresh) {
    if (!old || !fresh) return;
    var typed = [];
    old.querySelectorAll("textarea[id], input[type=text][id]").forEach(function (field) {
      if (field.value) typed.push([field.id, field.value]);
    });
    var opened = [];
    old.querySelectorAll("details[open]").forEach(function (details) {
      var owner = details.parentElement && details.parentElement.closest("[id]");
      if (owner) opened.push(owner.id);
    });
    var active = document.activeElement;
    var focusId = active && old.contains(active) && active.id ? active.id : "";
    var selection = focusId && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
    old.replaceWith(fresh);
    activate(fresh);
    opened.forEach(function (id) {
      var owner = document.getElementById(id);
      var details = owner && owner.querySelector("details");
      if (details) details.open = true;
    });
    typed.forEach(function (entry) {
      var field = document.getElementById(entry[0]);
      if (field && !field.value) field.value = entry[1];
    });
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) {
        again.focus({ preventScroll: true });
        if (selection && "setSelectionRange" in again) {
          try { again.setSelectionRange(selection[0], selection[1]); } catch (error) { /* not text */ }
        }
      }
    }
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }
  var announcer = null;
  if (toastsEl) {
    announcer = document.createElement("div");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    toastsEl.parentNode.insertBefore(announcer, toastsEl);
  }

  // Toasts: one per thing (a badge's notification and its badge.awarded share a key), at
  // most three; when a fourth arrives the oldest of the lowest priority leaves, so an
  // acceptance (priority 2) is never pushed out by points or badges (0 and 1).
  function toast(text, href, options) {
    if (!toastsEl) return;
    options = options || {};
    var key = options.key || href || text;
    var priority = options.priority || 0;
    var same = Array.prototype.find.call(toastsEl.children, function (el) { return el.getAttribute("data-toast-key") === key; });
    if (same) return;
    var item = document.createElement(href ? "a" : "p");
    item.className = "toast" + (priority > 1 ? " toast-important" : "");
    item.textContent = text;
    item.setAttribute("data-toast-key", key);
    item.setAttribute("data-toast-priority", String(priority));
    if (href) item.href = href;
    toastsEl.appendChild(item);
    while (toastsEl.children.length > 3) {
      var victim = null;
      Array.prototype.forEach.call(toastsEl.children, function (el) {
        var p = parseInt(el.getAttribute("data-toast-priority"), 10) || 0;
        if (!victim || p < (parseInt(victim.getAttribute("data-toast-priority"), 10) || 0)) victim = el;
      });
      toastsEl.removeChild(victim);
    }
    setTimeout(function () { if (item.parentNode) item.parentNode.removeChild(item); }, priority > 1 ? 12000 : 8000);
  }

  // The question page ----------------------------------------------------------------------

  var thread = document.querySelector("article.thread[data-live-stream]");
  var pendingAnswers = [];
  var lastTyping = 0;

  function urlFor(attribute, id) {
    return thread.getAttribute(attribute).replace("/0/", "/" + id + "/");
  }

  function answerList() { return document.getElementById("answer-list"); }

  function setAnswerCount(delta) {
    var heading = document.getElementById("answers-heading");
    if (!heading) return;
    // The heading reads "3 answers" (in the page's language): its number is the count.
    var shown = /\d+/.exec(heading.textContent);
    var before = shown ? parseInt(shown[0], 10) : 0;
    var count = Math.max(0, before + delta);
    heading.textContent = format(ngettext("%(count)s answer", "%(count)s answers", count), { count: count });
    var fact = document.getElementById("fact-answers");
    if (fact) fact.textContent = String(count);
    // The first answer (or the last one gone) changes the question's status in the sidebar.
    if ((before === 0) !== (count === 0)) refreshQuestion();
  }

  // Is the reader somewhere that inserting at the end of the answers would move? Inserting
  // below the viewport moves nothing they see; above it, or just above the answer box they
  // are typing in, it would, so the answers wait behind a notice instead.
  function readerIsAway() {
    var list = answerList();
    if (!list) return false;
    var bottom = list.getBoundingClientRect().bottom;
    if (bottom > window.innerHeight) return false;
    if (bottom < 0) return true;
    var form = document.getElementById("answer-form");
    return !!(form && document.activeElement && form.contains(document.activeElement));
  }

  function updateAnswerNotice() {
    var notice = document.getElementById("live-new-answers");
    if (!notice) return;
    var count = pendingAnswers.length;
    if (!count) {
      notice.hidden = true;
      notice.classList.remove("floating");
      return;
    }
    notice.textContent = format(
      ngettext("%(count)s new answer, show it", "%(count)s new answers, show them", count),
      { count: count }
    );
    notice.hidden = false;
    var head = notice.parentElement.getBoundingClientRect();
    // When the answers' heading is out of sight the notice floats over the page (it takes
    // no room there, so nothing moves).
    notice.classList.toggle("floating", head.bottom < 0 || head.top > window.innerHeight);
  }

  // The answers' order, as the server sends it (forum.selectors.question_thread): official
  // staff answers pinned first, then the accepted one, then by score, older first.
  function answerRank(node) {
    if (node.classList.contains("official")) return 0;
    return node.classList.contains("accepted") ? 1 : 2;
  }

  function answerScore(node) {
    var score = node.querySelector(".vote-box .score");
    var shown = score && /-?\d+/.exec(score.textContent);
    return shown ? parseInt(shown[0], 10) : 0;
  }

  function answerComesBefore(a, b) {
    var rankA = answerRank(a);
    var rankB = answerRank(b);
    if (rankA !== rankB) return rankA < rankB;
    if (rankA === 2 && answerScore(a) !== answerScore(b)) return answerScore(a) > answerScore(b);
    return parseInt(a.id.slice(7), 10) < parseInt(b.id.slice(7), 10); // ids grow with time
  }

  // Move one answer to its place among the others (which keep their order).
  function placeAnswer(node) {
    var list = answerList();
    if (!list || node.parentNode !== list) return;
    var before = null;
    var siblings = list.querySelectorAll(":scope > [id^='answer-']");
    for (var i = 0; i < siblings.length; i += 1) {
      if (siblings[i] !== node && answerComesBefore(node, siblings[i])) { before = siblings[i]; break; }
    }
    if (before === node.nextElementSibling || (!before && !node.nextElementSibling)) return;
    list.insertBefore(node, before);
  }

  // Run `change` (which moves or resizes things) keeping the first element the reader can
  // see where it was on the screen: content above the viewport may move, what they read
  // does not (browsers without CSS scroll anchoring included).
  function keepInView(change) {
    var anchor = null;
    var blocks = document.querySelectorAll(
      ".thread-head, #thread-banners, #question, #answers-heading, #answer-list > [id^='answer-'], #answer-form"
    );
    for (var i = 0; i < blocks.length; i += 1) {
      if (blocks[i].getBoundingClientRect().bottom > 0) { anchor = blocks[i]; break; }
    }
    var id = anchor && anchor.id;
    var top = anchor ? anchor.getBoundingClientRect().top : 0;
    change();
    var again = id ? document.getElementById(id) : null;
    if (!again && anchor && anchor.isConnected) again = anchor;
    if (!again || window.scrollY === 0 && top >= 0) return;
    var moved = again.getBoundingClientRect().top - top;
    if (moved) window.scrollBy(0, moved);
  }

  function insertAnswers(ids, reveal) {
    return Promise.all(ids.map(function (id) {
      return fetchText(urlFor("data-live-answer-url", id)).catch(function () { return null; });
    })).then(function (pages) {
      var first = null;
      pages.forEach(function (html) {
        var node = html && parseFragment(html);
        if (!node || !node.id || document.getElementById(node.id)) return;
        answerList().appendChild(node);
        // An official answer is pinned under the question; the others go at the end.
        if (answerRank(node) === 0) keepInView(function () { placeAnswer(node); });
        activate(node);
        if (!node.classList.contains("deleted")) setAnswerCount(1);
        first = first || node;
      });
      if (reveal && first) {
        first.scrollIntoView({ block: "start" });
        first.setAttribute("tabindex", "-1");
        first.focus({ preventScroll: true });
      }
    });
  }

  function showPendingAnswers() {
    var ids = pendingAnswers.slice();
    pendingAnswers = [];
    updateAnswerNotice();
    insertAnswers(ids, true);
  }

  function onAnswerCreated(data) {
    var id = data.id;
    if (document.getElementById("answer-" + id) || pendingAnswers.indexOf(id) >= 0) return;
    // The reader's own answer (from this tab or another) goes in at once: they expect it.
    if (data.author !== me && readerIsAway()) {
      pendingAnswers.push(id);
      updateAnswerNotice();
      announce(document.getElementById("live-new-answers").textContent);
      return;
    }
    insertAnswers([id], false);
  }

  function refreshAnswer(id) {
    var current = document.getElementById("answer-" + id);
    if (!current) return Promise.resolve();
    return fetchText(urlFor("data-live-answer-url", id)).then(function (html) {
      var old = document.getElementById("answer-" + id);
      if (!old) return;
      var wasCounted = !old.classList.contains("deleted");
      if (html === null) { // no longer visible to this reader
        old.parentNode.removeChild(old);
        if (wasCounted) setAnswerCount(-1);
        return;
      }
      var fresh = parseFragment(html);
      replacePreserving(old, fresh);
      if (wasCounted && fresh.classList.contains("deleted")) setAnswerCount(-1);
      if (!wasCounted && !fresh.classList.contains("deleted")) setAnswerCount(1);
    });
  }

  function onAnswerDeleted(data) {
    var at = pendingAnswers.indexOf(data.id);
    if (at >= 0) {
      pendingAnswers.splice(at, 1);
      updateAnswerNotice();
    }
    refreshAnswer(data.id);
  }

  function onCommentsChanged(data) {
    var kind = data.post === "question" ? "question" : "answer";
    var block = document.getElementById("comments-" + kind + "-" + data.post_id);
    if (!block) return;
    var attribute = kind === "question" ? "data-live-question-comments-url" : "data-live-answer-comments-url";
    fetchText(urlFor(attribute, data.post_id)).then(function (html) {
      var old = document.getElementById("comments-" + kind + "-" + data.post_id);
      if (html && old) replacePreserving(old, parseFragment(html));
    });
  }

  function onVoteChanged(data) {
    var box = document.getElementById("vote-" + data.target + "-" + data.id);
    var score = box && box.querySelector(".score");
    if (!score || typeof data.score !== "number") return;
    var text = score.firstChild;
    if (text && text.nodeType === Node.TEXT_NODE) text.nodeValue = String(data.score);
    else score.insertBefore(document.createTextNode(String(data.score)), score.firstChild);
  }

  // The page around the answers (title line, banners, the question post, facts and the
  // answer box) as this reader sees it: forum:question_fragment, a few queries.
  var QUESTION_PARTS = [".thread-head", "#thread-banners", "#question", ".thread-facts"];
  var questionRefresh = null;

  function showGone() {
    var banners = document.getElementById("thread-banners");
    if (!banners) return;
    banners.innerHTML = "";
    var gone = document.createElement("div");
    gone.className = "banner bad";
    gone.setAttribute("role", "note");
    gone.textContent = gettext("This question is no longer available.");
    banners.appendChild(gone);
  }

  function swapAnswerBox(fresh) {
    var box = document.getElementById("answer-form");
    var field = box && box.querySelector("textarea");
    // Never under the reader's fingers: what they are typing stays.
    if (box && fresh && !(field && field.value)) replacePreserving(box, fresh);
  }

  function refreshQuestion() {
    // Events in a burst (edit, close, accept) share one fetch that starts after them.
    if (questionRefresh) return questionRefresh;
    questionRefresh = new Promise(function (resolve) { setTimeout(resolve, 0); }).then(function () {
      questionRefresh = null;
      return fetchText(urlFor("data-live-question-url", thread.getAttribute("data-live-stream").split(".")[1]));
    }).then(function (html) {
      if (html === null) return showGone();
      var fresh = document.createElement("template");
      fresh.innerHTML = html;
      keepInView(function () {
        QUESTION_PARTS.forEach(function (selector) {
          var old = document.querySelector(selector);
          var part = fresh.content.querySelector(selector);
          if (old && part) replacePreserving(old, part);
        });
        swapAnswerBox(fresh.content.getElementById("answer-form"));
      });
    });
    return questionRefresh;
  }

  // After a resync (the backlog no longer holds what this page missed) everything comes
  // from the page itself, fetched again, answers included.
  function refreshThread(options) {
    return fetchText(location.pathname).then(function (html) {
      if (html === null) return showGone();
      var page = new DOMParser().parseFromString(html, "text/html");
      var parts = [".thread-head", "#thread-banners", ".thread-facts"];
      if (options.question) parts.push("#question");
      parts.forEach(function (selector) {
        var old = document.querySelector(selector);
        var fresh = page.querySelector(selector);
        if (old && fresh) replacePreserving(old, document.importNode(fresh, true));
      });
      var box = document.getElementById("answer-form");
      var freshBox = page.getElementById("answer-form");
      var typing = box && box.querySelector("textarea") && box.querySelector("textarea").value;
      if (options.question && box && freshBox && !typing) replacePreserving(box, document.importNode(freshBox, true));
      if (options.answers) {
        var ids = [];
        page.querySelectorAll("#answer-list > [id^='answer-']").forEach(function (node) {
          ids.push(node.id);
          var old = document.getElementById(node.id);
          if (old) replacePreserving(old, document.importNode(node, true));
          else onAnswerCreated({ id: parseInt(node.id.slice(7), 10) });
        });
        answerList().querySelectorAll(":scope > [id^='answer-']").forEach(function (node) {
          if (ids.indexOf(node.id) < 0) node.parentNode.removeChild(node);
        });
        // In the page's order (accepted and official answers first).
        keepInView(function () {
          ids.forEach(function (id) {
            var node = document.getElementById(id);
            if (node && node.parentNode === answerList()) answerList().appendChild(node);
          });
        });
        var heading = page.getElementById("answers-heading");
        var current = document.getElementById("answers-heading");
        if (heading && current) current.replaceWith(document.importNode(heading, true));
      }
    });
  }

  // The accepted answer moves to the top, as after a reload; the one that lost the mark
  // goes back among the others by score. The reader stays on what they were reading.
  function onAcceptanceChanged(data) {
    var ids = [data.id];
    document.querySelectorAll("#answer-list > .answer-post.accepted").forEach(function (node) {
      var id = parseInt(node.id.slice(7), 10);
      if (ids.indexOf(id) < 0) ids.push(id);
    });
    Promise.all(ids.map(refreshAnswer)).then(function () {
      keepInView(function () {
        ids.forEach(function (id) {
          var node = document.getElementById("answer-" + id);
          if (node) placeAnswer(node);
        });
      });
    });
    refreshQuestion();
  }

  function onPresence(data) {
    var line = document.getElementById("live-presence");
    if (!line) return;
    var names = [];
    (data.typing || []).forEach(function (username, index) {
      if (username !== me) names.push((data.typing_names || [])[index] || username);
    });
    var parts = [];
    var viewers = data.viewers || 0;
    if (viewers > 1) {
      parts.push(format(ngettext("%(count)s viewing", "%(count)s viewing", viewers), { count: viewers }));
    }
    if (names.length === 1) {
      parts.push(format(gettext("%(name)s is writing an answer"), { name: names[0] }));
    } else if (names.length === 2) {
      parts.push(format(gettext("%(first)s and %(second)s are writing answers"), { first: names[0], second: names[1] }));
    } else if (names.length > 2) {
      parts.push(format(ngettext(
        "%(name)s and %(count)s other are writing answers",
        "%(name)s and %(count)s others are writing answers",
        names.length - 1
      ), { name: names[0], count: names.length - 1 }));
    }
    line.textContent = parts.join(" · ");
  }

  if (thread) {
    var noticeButton = document.getElementById("live-new-answers");
    if (noticeButton) noticeButton.addEventListener("click", showPendingAnswers);

    // "Anna is writing an answer": at most one `typing` every two seconds while the answer
    // box receives input (the server forgets it a few seconds after the last one).
    document.addEventListener("input", function (event) {
      var form = document.getElementById("answer-form");
      if (!me || !form || !form.contains(event.target) || event.target.tagName !== "TEXTAREA") return;
      var now = Date.now();
      if (now - lastTyping < TYPING_EVERY) return;
      if (send({ action: "typing", stream: thread.getAttribute("data-live-stream") })) lastTyping = now;
    });

    // The poster's own page may get its new answer twice: from htmx (out of band) and from
    // the socket. Keep the first.
    document.addEventListener("htmx:afterSettle", function () {
      var seen = {};
      var list = answerList();
      if (!list) return;
      list.querySelectorAll(":scope > [id^='answer-']").forEach(function (node) {
        if (seen[node.id]) node.parentNode.removeChild(node);
        seen[node.id] = true;
      });
      var waiting = pendingAnswers.filter(function (id) { return !seen["answer-" + id]; });
      if (waiting.length !== pendingAnswers.length) {
        pendingAnswers = waiting;
        updateAnswerNotice();
      }
    });

    var ticking = false;
    window.addEventListener("scroll", function () {
      if (ticking || !pendingAnswers.length) return;
      ticking = true;
      requestAnimationFrame(function () {
        ticking = false;
        var list = answerList();
        // Scrolled back above the end of the answers: inserting there moves nothing in view.
        if (list && list.getBoundingClientRect().bottom > window.innerHeight) {
          var ids = pendingAnswers.slice();
          pendingAnswers = [];
          insertAnswers(ids, false);
        }
        updateAnswerNotice();
      });
    }, { passive: true });
  }

  // The question lists ---------------------------------------------------------------------

  var feed = { baseline: 0, seen: {}, count: 0, unknown: false };

  function resetFeed() {
    var list = document.getElementById("question-results");
    feed.baseline = list ? parseInt(list.getAttribute("data-live-since"), 10) || 0 : 0;
    feed.seen = {};
    feed.count = 0;
    feed.unknown = false;
  }

  function listWouldShow(list, data) {
    if (list.getAttribute("data-live-tab") === "top") return false; // ordered by votes
    var tag = (list.getAttribute("data-live-tag") || "").toLowerCase();
    if (tag && !(data.tags || []).some(function (name) { return String(name).toLowerCase() === tag; })) return false;
    var category = list.getAttribute("data-live-category") || "";
    if (category && data.category !== category) return false;
    return true;
  }

  function updateFeedNotice() {
    var notice = document.getElementById("live-new-questions");
    if (!notice) return;
    if (!feed.count && !feed.unknown) {
      notice.hidden = true;
      return;
    }
    notice.textContent = feed.count
      ? format(ngettext("%(count)s new question, show it", "%(count)s new questions, show them", feed.count), { count: feed.count })
      : gettext("New questions, show them");
    notice.hidden = false;
  }

  function onQuestionCreated(data, _stream, message) {
    var list = document.getElementById("question-results");
    if (!list || message.id <= feed.baseline || feed.seen[data.id]) return;
    if (!listWouldShow(list, data)) return;
    // Published between the page's `since` and its query: already listed.
    var url = (list.getAttribute("data-live-question-url") || "").replace("/0/", "/" + data.id + "/");
    if (url && list.querySelector(".question-row a[href='" + url + "']")) return;
    feed.seen[data.id] = true;
    feed.count += 1;
    updateFeedNotice();
    announce(document.getElementById("live-new-questions").textContent);
  }

  var listShown = document.getElementById("question-results");
  if (listShown) {
    resetFeed();
    // A tab, filter or page link (or the notice itself) swapped the list in place: the new
    // one shows everything up to its own `since`.
    document.addEventListener("htmx:afterSettle", function () {
      var list = document.getElementById("question-results");
      if (list && list !== listShown) {
        listShown = list;
        resetFeed();
      }
    });
  }

  // The bell and the member's own events ----------------------------------------------------

  function setBell(unread) {
    if (!bell || typeof unread !== "number") return;
    var count = bell.querySelector(".bell-count");
    var label = bell.querySelector(".bell-label");
    if (count) {
      count.textContent = unread > 99 ? "99+" : String(unread);
      count.hidden = unread === 0;
    }
    // Nothing left to mark (read here or in another tab): the notifications page's button goes.
    if (unread === 0) {
      document.querySelectorAll("[data-live-mark-all]").forEach(function (form) { form.hidden = true; });
    }
    if (label) {
      label.textContent = format(
        ngettext("Notifications: %(count)s unread", "Notifications: %(count)s unread", unread),
        { count: unread }
      );
    }
  }

  function notificationText(data) {
    if (data.text) return data.text;
    var values = { who: data.actor_name || data.actor, title: data.title };
    switch (data.kind) {
      case "answer": return format(gettext("%(who)s answered your question “%(title)s”"), values);
      case "comment": return format(gettext("%(who)s commented on your post in “%(title)s”"), values);
      case "mention": return format(gettext("%(who)s mentioned you in “%(title)s”"), values);
      case "community_accepted": return format(gettext("%(who)s accepted an answer to your question “%(title)s” on your behalf"), values);
      default: return format(gettext("%(who)s accepted your answer to “%(title)s”"), values);
    }
  }

  function onNotification(data) {
    setBell(data.unread);
    // A badge's own toast comes with badge.awarded (same key: one badge, one toast).
    var badge = data.kind === "badge" && data.link && /#badge-(.+)$/.exec(data.link);
    toast(notificationText(data), data.link || (bell ? bell.getAttribute("href") : null), {
      key: badge ? "badge-" + decodeURIComponent(badge[1]) : "notification-" + data.id,
      priority: data.kind === "accepted" ? 2 : 1,
    });
  }

  var pointsEl = document.querySelector("[data-live-points-value]");
  var newBadge = document.querySelector("[data-live-new-badge]");

  function onReputation(data) {
    var change = data.change;
    if (typeof change !== "number" || !change) return;
    var count = Math.abs(change);
    if (pointsEl && typeof data.reputation === "number") {
      pointsEl.textContent = String(data.reputation);
      pointsEl.parentNode.classList.remove("points-up", "points-down");
      void pointsEl.offsetWidth; // restart the highlight
      pointsEl.parentNode.classList.add(change > 0 ? "points-up" : "points-down");
    }
    toast(change > 0
      ? format(ngettext("You gained %(count)s reputation point", "You gained %(count)s reputation points", count), { count: count })
      : format(ngettext("You lost %(count)s reputation point", "You lost %(count)s reputation points", count), { count: count }));
  }

  function onBadge(data) {
    var page = bell && bell.getAttribute("data-live-badges-url");
    if (!page) return;
    var href = page + "#badge-" + encodeURIComponent(data.badge);
    if (newBadge) {
      newBadge.href = href;
      newBadge.hidden = false;
    }
    var options = { key: "badge-" + data.badge, priority: 1 };
    // The badge's name in the reader's language is on the badges page.
    fetchText(page).then(function (html) {
      var doc = html && new DOMParser().parseFromString(html, "text/html");
      var card = doc && doc.getElementById("badge-" + data.badge);
      var name = card && card.querySelector(".badge");
      toast(name
        ? format(gettext("You earned a badge: %(name)s"), { name: name.textContent.trim() })
        : gettext("You earned a new badge"), href, options);
    }).catch(function () { toast(gettext("You earned a new badge"), href, options); });
  }

  function onUserResync() {
    var url = bell && bell.getAttribute("data-live-unread-url");
    if (!url) return;
    fetch(url + "?page_size=1", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body) setBell(body.unread); })
      .catch(function () { /* the next event sets the count */ });
  }

  var HANDLERS = {
    question: {
      "answer.created": onAnswerCreated,
      "answer.updated": function (data) { refreshAnswer(data.id); },
      "answer.deleted": onAnswerDeleted,
      "comment.created": onCommentsChanged,
      "comment.deleted": onCommentsChanged,
      "comment.updated": onCommentsChanged, // hidden or shown again by a moderator
      "vote.changed": onVoteChanged,
      "answer.accepted": onAcceptanceChanged,
      "answer.unaccepted": onAcceptanceChanged,
      "question.updated": refreshQuestion,
      "question.closed": refreshQuestion,
      presence: onPresence,
      resync: function () { refreshThread({ question: true, answers: true }); },
    },
    feed: {
      "question.created": onQuestionCreated,
      resync: function () { feed.unknown = true; updateFeedNotice(); },
    },
    user: {
      "notification.created": onNotification,
      "notification.read": function (data) { setBell(data.unread); },
      "reputation.changed": onReputation,
      "badge.awarded": onBadge,
      resync: onUserResync,
    },
  };

  // Start ----------------------------------------------------------------------------------

  document.querySelectorAll("[data-live-stream]").forEach(declare);
  if (!Object.keys(streams).length) return;

  window.addEventListener("pagehide", function () { leaving = true; });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      leaving = false;
      reconnectNow();
    }
  });
  window.addEventListener("online", reconnectNow);
  connect();

  // For the browser tests and the curious: the state of the connection.
  window.circoloLive = {
    streams: streams,
    socket: function () { return socket; },
  };
})();
