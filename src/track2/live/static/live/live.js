// Live regions: an element with data-live-events (an SSE URL) is re-read whenever the server says
// its topic changed. The page is fetched again and the element with the same id is swapped in, so
// what is shown stays server-rendered (access and disclosure rules apply as on a reload).
// A file, not inline script: the site's CSP forbids inline script.
(function () {
  "use strict";

  var READ_TIMEOUT_MS = 30000;

  function watch(region) {
    var status = document.querySelector('[data-live-status="' + region.id + '"]');
    var retryMs = 1000;
    var fetching = false;
    var again = false;

    function say(state) {
      region.setAttribute("data-live-state", state);
      if (status) {
        var text = status.getAttribute("data-text-" + state);
        if (text && status.textContent !== text) {
          status.textContent = text;
        }
      }
    }

    // What the reader has typed or ticked inside the region (and where the focus is) survives the
    // swap: an update arriving while someone writes a note must not take their words away.
    function keyOf(control) {
      var form = control.form ? control.form.getAttribute("action") || "" : "";
      return control.id ? "#" + control.id : form + "|" + control.name + "|" + (control.type === "radio" ? control.value : "");
    }

    function editing(root) {
      var kept = { controls: {}, focus: null };
      Array.prototype.forEach.call(root.querySelectorAll("input, textarea, select"), function (c) {
        var changed =
          c.type === "checkbox" || c.type === "radio"
            ? c.checked !== c.defaultChecked
            : c.tagName === "SELECT"
              ? false
              : c.type !== "hidden" &&
                // a refused entry came back as typed (so its value is its default): an update
                // must not put the stored words back over it
                (c.value !== c.defaultValue || c.getAttribute("aria-invalid") === "true");
        if (changed) {
          var entry = { value: c.value, checked: c.checked };
          // A refused entry keeps its marking and its message too: the update's copy of the page
          // is the stored state, which knows nothing of the send that was refused.
          var problems = c.getAttribute("aria-describedby");
          var message = problems && c.getAttribute("aria-invalid") === "true" ? root.querySelector("#" + CSS.escape(problems)) : null;
          if (message) {
            entry.problems = problems;
            entry.message = message.cloneNode(true);
          }
          kept.controls[keyOf(c)] = entry;
        }
        if (c === document.activeElement) {
          kept.focus = keyOf(c);
          // and the caret or selection in it: a swap between selecting the words and typing over
          // them must not put the new words before the old ones (a caret left at the start).
          if (typeof c.selectionStart === "number") {
            kept.selection = [c.selectionStart, c.selectionEnd, c.selectionDirection];
          }
        }
      });
      return kept;
    }

    function restore(root, kept) {
      Array.prototype.forEach.call(root.querySelectorAll("input, textarea, select"), function (c) {
        var key = keyOf(c);
        var was = kept.controls[key];
        if (was) {
          if (c.type === "checkbox" || c.type === "radio") {
            c.checked = was.checked;
          } else {
            c.value = was.value;
          }
          if (was.message && c.getAttribute("aria-invalid") !== "true" && !document.getElementById(was.problems)) {
            c.setAttribute("aria-invalid", "true");
            c.setAttribute("aria-describedby", was.problems);
            was.message.removeAttribute("role"); // said once already: not read out again on every update
            c.insertAdjacentElement("afterend", was.message);
          }
        }
        if (key === kept.focus) {
          c.focus();
          if (kept.selection && typeof c.selectionStart === "number") {
            c.setSelectionRange(kept.selection[0], kept.selection[1], kept.selection[2]);
          }
        }
      });
    }

    function refresh() {
      if (fetching) {
        again = true; // one more read once this one is in: the newest state always lands
        return;
      }
      fetching = true;
      // A read that never answers (a connection lost mid-way) must not hold back every later
      // refresh: it is abandoned after READ_TIMEOUT_MS and the region says it is stale.
      var abort = new AbortController();
      var timer = window.setTimeout(function () {
        abort.abort();
      }, READ_TIMEOUT_MS);
      fetch(region.getAttribute("data-live-fragment") || window.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        signal: abort.signal,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
          if (fresh) {
            var kept = editing(region);
            region.innerHTML = fresh.innerHTML;
            restore(region, kept);
            region.setAttribute("data-live-version", String(Date.now()));
            region.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
          }
          say("live");
        })
        .catch(function () {
          say("stale");
        })
        .then(function () {
          window.clearTimeout(timer);
          fetching = false;
          if (again) {
            again = false;
            refresh();
          }
        });
    }

    function connect() {
      // EventSource reconnects by itself after a dropped connection, sending Last-Event-ID; when
      // the server refuses (a restart, an error answer) it gives up, and we open a new one.
      var source = new EventSource(region.getAttribute("data-live-events"));
      source.addEventListener("changed", refresh);
      source.addEventListener("open", function () {
        retryMs = 1000;
        say("live");
      });
      source.addEventListener("error", function () {
        say("reconnecting");
        if (source.readyState === EventSource.CLOSED) {
          window.setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, 30000);
        }
      });
    }

    if (!region.id) {
      return; // the fresh copy is found by id
    }
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-events]"), watch);
  });
})();
