// Steward's own scripts. Loaded as a file (no inline scripts: CSP). Pages work without it.

// Staff admin: forms marked data-confirm ask before they are sent (without JS they are sent as is).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Session idle warning: on pages whose <body> has data-idle-seconds, a dialog one minute before
// the server's idle timeout offers "Stay signed in" (an htmx POST to /session/keepalive).
(function () {
  "use strict";
  function setUp() {
    var seconds = parseInt(document.body.getAttribute("data-idle-seconds") || "", 10);
    var dialog = document.getElementById("idle-warning");
    if (!seconds || !dialog || typeof dialog.showModal !== "function") return;
    var active = dialog.querySelector("[data-idle-active]");
    var ended = dialog.querySelector("[data-idle-ended]");
    var warnTimer = null;
    var endTimer = null;
    function showEnded() {
      active.classList.add("hidden");
      ended.classList.remove("hidden");
      if (!dialog.open) dialog.showModal();
    }
    function schedule() {
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      warnTimer = setTimeout(function () {
        if (!dialog.open) dialog.showModal();
      }, Math.max(seconds - 60, 0) * 1000);
      endTimer = setTimeout(showEnded, seconds * 1000);
    }
    document.body.addEventListener("htmx:afterRequest", function (evt) {
      var keepalive = dialog.contains(evt.target);
      if (evt.detail && evt.detail.successful) {
        if (keepalive && dialog.open) dialog.close();
        schedule();
      } else if (keepalive) {
        showEnded();
      }
    });
    schedule();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
