// Steward's own scripts. Loaded as a file (no inline scripts: CSP). Pages work without it.

// Forms marked data-confirm (withdraw, terminate, execute...) ask first, in the USWDS-styled dialog
// #confirm-dialog (partials/_confirm_dialog.html); without JS they are sent as is.
(function () {
  "use strict";
  var pending = null;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.dataset.confirmed === "yes") {
      delete form.dataset.confirmed;
      return;
    }
    var dialog = document.getElementById("confirm-dialog");
    event.preventDefault();
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(form.dataset.confirm)) send(form, event.submitter);
      return;
    }
    pending = { form: form, submitter: event.submitter };
    dialog.querySelector("[data-confirm-text]").textContent = form.dataset.confirm;
    dialog.showModal();
  });
  function send(form, submitter) {
    form.dataset.confirmed = "yes";
    if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var dialog = document.getElementById("confirm-dialog");
    if (target.closest("[data-confirm-yes]") && pending) {
      var chosen = pending;
      pending = null;
      dialog.close();
      send(chosen.form, chosen.submitter);
    } else if (target.closest("[data-confirm-no]")) {
      pending = null;
      dialog.close();
    }
  });
})();

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

// Forms with errors: the error summary (data-error-summary) takes focus when the page loads and when
// htmx swaps a form in, so a screen reader announces it first; its links move focus to the field.
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
    return Boolean(summary);
  }
  // A "Change" link of a check-your-answers page opens the form at #field: focus that field.
  function focusFieldInHash() {
    var field = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
    if (!field || !field.closest("form")) return;
    var control = field.matches("input, select, textarea") ? field
      : field.querySelector("input:checked, select, textarea") || field.querySelector("input");
    if (!control) return;
    var label = document.querySelector("label[for='" + control.id + "']");
    (field.matches("fieldset") ? field : label || control).scrollIntoView();
    control.focus({ preventScroll: true });
  }
  function onLoad() {
    if (!focusSummary()) focusFieldInHash();
  }
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var control = field.matches("input, select, textarea") ? field : field.querySelector("input, select, textarea");
    var label = document.querySelector("label[for='" + (control || field).id + "']") || field;
    label.scrollIntoView();
    (control || field).focus({ preventScroll: true });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    focusSummary(target && target.isConnected ? target.parentNode : document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();

// USWDS's file input names its control after its instructions ("Drag file here or choose from
// folder"), which hides the field's own label from screen readers: put the label first again.
(function () {
  "use strict";
  function labelOf(input) {
    var label = input.id && document.querySelector("label[for='" + input.id + "']");
    return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
  }
  function rename(input) {
    var name = labelOf(input);
    var current = input.getAttribute("aria-label") || "";
    if (name && current && current.indexOf(name) !== 0) input.setAttribute("aria-label", name + ". " + current);
  }
  function setUp() {
    document.querySelectorAll("input.usa-file-input__input").forEach(function (input) {
      rename(input);
      new MutationObserver(function () { rename(input); }).observe(input, { attributes: true, attributeFilter: ["aria-label"] });
    });
  }
  document.addEventListener("DOMContentLoaded", setUp);
})();
