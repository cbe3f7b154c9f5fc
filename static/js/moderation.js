// The moderation queue stays live: live.js announces every event of the streams the page
// follows as a `circolo:live` DOM event; on the `moderation` stream's flag and claim
// events the queue's list is fetched again from the server (the same partial the page
// was rendered with) and swapped in. Without JavaScript the page is complete as rendered.
(function () {
  "use strict";
  var queue = document.getElementById("moderation-queue");
  if (!queue || !window.fetch) return;
  var url = queue.getAttribute("data-queue-url");
  var pending = null;

  function refresh() {
    if (pending) return; // one refetch for a burst of events
    pending = setTimeout(function () {
      pending = null;
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) queue.innerHTML = html; })
        .catch(function () {});
    }, 150);
  }

  document.addEventListener("circolo:live", function (event) {
    var detail = event.detail || {};
    if (detail.stream === "moderation" || detail.type === "resync") refresh();
  });
})();
