// Running clocks on the floor: an element with data-clock-seconds (what the server computed from
// the stored intervals when it rendered the page) and data-clock-running="true" counts on by
// itself between live updates; each update re-renders it with the server's figure, so the page
// never drifts from the stored intervals for long. A file, not inline script: the CSP forbids it.
(function () {
  "use strict";

  function format(total) {
    var minutes = Math.floor(total / 60);
    var seconds = total % 60;
    return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll("[data-clock-seconds]"), function (el) {
      if (!el.hasAttribute("data-clock-since")) {
        el.setAttribute("data-clock-since", String(now));
      }
      var base = parseInt(el.getAttribute("data-clock-seconds"), 10) || 0;
      var running = el.getAttribute("data-clock-running") === "true";
      var since = parseInt(el.getAttribute("data-clock-since"), 10);
      var passed = running ? Math.floor((now - since) / 1000) : 0;
      // data-clock-down: a countdown (a caucus break), which stops at zero.
      var shown = el.hasAttribute("data-clock-down") ? Math.max(0, base - passed) : base + passed;
      var text = format(shown);
      if (el.textContent !== text) {
        el.textContent = text;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
