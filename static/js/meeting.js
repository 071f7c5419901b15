/* The meeting pages' small enhancements. Loaded after htmx; the pages work without either. */
(function () {
  "use strict";
  var htmx = window.htmx;
  if (htmx) {
    // htmx would inject a <style> element for its indicators: the CSP forbids inline styles.
    htmx.config.includeIndicatorStyles = false;
  }
  // After htmx swaps the agenda table, keep keyboard users where they were: focus the moved item's row.
  document.addEventListener("htmx:afterSwap", function (event) {
    var moved = event.detail.requestConfig && event.detail.requestConfig.elt;
    var rowId = moved && moved.closest && moved.closest("form") && moved.closest("form").dataset.row;
    var row = rowId && document.getElementById(rowId);
    if (row) {
      row.setAttribute("tabindex", "-1");
      row.focus();
    }
  });

  // --- Minutes: saved as the secretary types (hx-trigger on each item's [data-minutes] box) ---
  // A box is "dirty" from the first key until a save of exactly its current text succeeds.
  function box(el) {
    return el && el.closest ? el.closest("[data-minutes]") : null;
  }
  function text(b) {
    return Array.prototype.map.call(b.querySelectorAll("textarea"), function (t) { return t.value; }).join("\u0000");
  }
  function say(b, message) {
    var status = b.querySelector(".minutes-status");
    var line = status && status.querySelector("[data-pending]");
    if (status && !line && !status.querySelector("[data-testid=minutes-conflict]")) {
      line = document.createElement("span");
      line.className = "small text-body-secondary";
      line.setAttribute("data-pending", "");
      status.appendChild(line);
    }
    if (line) {
      line.textContent = message;
    }
  }
  document.addEventListener("input", function (event) {
    var b = box(event.target);
    if (b && event.target.tagName === "TEXTAREA") {
      b.setAttribute("data-dirty", "");
      Array.prototype.forEach.call(b.querySelectorAll(".minutes-status .text-success"), function (s) { s.remove(); });
      say(b, "Not saved yet");
    }
  });
  if (htmx) {
    // A conflict (409) or a refusal (400) is an answer to show, not an error to drop.
    document.addEventListener("htmx:beforeSwap", function (event) {
      var status = event.detail.xhr.status;
      if (box(event.detail.elt) && (status === 400 || status === 409)) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    document.addEventListener("htmx:beforeRequest", function (event) {
      var b = box(event.detail.elt);
      if (b) {
        b.dataset.sent = text(b);
        say(b, "Saving…");
      }
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      var b = box(event.detail.elt);
      if (!b) {
        return;
      }
      if (event.detail.xhr.status === 200 && b.dataset.sent === text(b)) {
        b.removeAttribute("data-dirty");
      } else if (!event.detail.xhr.status) {
        say(b, "Not saved: the server could not be reached. Your text is kept; it is saved when you type again.");
      }
    });
    // "Save minutes" and "Replace their text with mine" save by htmx too, without reloading the page.
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-minutes-save], [data-minutes-overwrite]");
      if (!button) {
        return;
      }
      event.preventDefault();
      var own = box(button);
      if (button.hasAttribute("data-minutes-overwrite")) {
        // The editor has seen their text: base this save on their version.
        own.querySelector("input[type=hidden][name$=-version]").value = button.value;
        own.setAttribute("data-dirty", "");
      }
      // Every item with unsaved text, and this one (which then says "Saved" even with nothing new).
      var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-minutes][data-dirty]"));
      if (boxes.indexOf(own) < 0) {
        boxes.push(own);
      }
      boxes.forEach(function (b) {
        htmx.trigger(b, "minutes-save");
      });
    });
  }
  // Typed but not saved: ask before leaving the page.
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("[data-minutes][data-dirty]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
