/* The candidate's page: countdown, autosave retries, and integrity signals.
 *
 * The server is the clock: the countdown starts from the seconds it sent and re-syncs from
 * every save's X-Seconds-Left header. Screen readers hear the time only at 10, 5 and 1 minutes
 * left (a polite live region; focus never moves). A save that fails on the network keeps the
 * typed value and is retried until it goes through. Text typed in the pause before its autosave
 * is not lost either: it is kept in this tab's sessionStorage until the server confirms it (and
 * put back after a reload), and sent with a keepalive request when the page goes away. Nothing
 * here is needed to take the assessment: without JavaScript the form's buttons save and submit.
 */
(function () {
  "use strict";

  var ANNOUNCE_AT_MINUTES = [10, 5, 1];
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var SIGNAL_GAP_MS = 2000;
  var DONE_PAUSE_MS = 4000;

  var countdown = document.getElementById("countdown");
  var clock = document.getElementById("countdown-clock");
  var announcer = document.getElementById("countdown-announcer");
  var form = document.querySelector("form[data-timeout-form]");
  var endsAt = null;
  var announced = {};
  var finished = false;
  var pending = new Set();
  var submittingForm = false;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // --- countdown ----------------------------------------------------------------------------

  function setSecondsLeft(seconds) {
    var value = Number(seconds);
    if (!isFinite(value)) { return; }
    endsAt = Date.now() + Math.max(0, value) * 1000;
    // Thresholds already behind us at (re)load are not announced late.
    ANNOUNCE_AT_MINUTES.forEach(function (minutes) {
      if (value <= minutes * 60) { announced[minutes] = true; }
    });
    tick();
  }

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (h && m < 10 ? "0" : "") + m;
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  function announce(minutes) {
    if (announced[minutes]) { return; }
    announced[minutes] = true;
    announcer.textContent = minutes === 1 ? "1 minute left." : minutes + " minutes left.";
  }

  function tick() {
    if (endsAt === null || finished) { return; }
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    clock.textContent = format(left);
    countdown.classList.toggle("countdown-low", left <= 60);
    ANNOUNCE_AT_MINUTES.forEach(function (minutes) {
      if (left <= minutes * 60 && left > minutes * 60 - 60) { announce(minutes); }
    });
    if (left === 0) { timeUp(); }
  }

  function timeUp() {
    if (finished) { return; }
    finished = true;
    announcer.textContent = "Time is up. Your answers are being submitted.";
    if (form) {
      // The form carries every field's value: answers typed in the last second are sent too,
      // within the server's grace period.
      var marker = document.createElement("input");
      marker.type = "hidden";
      marker.name = "action";
      marker.value = "timeout";
      form.appendChild(marker);
      pending.clear();
      HTMLFormElement.prototype.submit.call(form);
    } else if (countdown) {
      window.location.assign(countdown.dataset.doneUrl);
    }
  }

  function resync() {
    if (!countdown || finished) { return; }
    fetch(countdown.dataset.timeUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { setSecondsLeft(data.seconds_left); } })
      .catch(function () { /* offline: keep counting from what we know */ });
  }

  // --- autosave -----------------------------------------------------------------------------

  function statusOf(field) {
    return document.getElementById("status-" + field.dataset.item);
  }

  function showStatus(field, text, className) {
    var status = statusOf(field);
    if (!status) { return; }
    status.textContent = "";
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    status.appendChild(span);
  }

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (!isNaN(when.getTime())) { element.textContent = when.toLocaleTimeString(); }
    });
  }

  function scheduleRetry(field) {
    var delay = Math.min(RETRY_MAX_MS, Number(field.dataset.retryMs || RETRY_FIRST_MS));
    field.dataset.retryMs = String(delay * 2);
    pending.add(field);
    showStatus(field, "Not saved yet: the connection dropped. Your answer is kept here and will be saved when it is back.", "save-pending");
    window.clearTimeout(Number(field.dataset.retryTimer || 0));
    field.dataset.retryTimer = String(window.setTimeout(function () {
      if (!finished) { window.htmx.trigger(field, "retry-save"); }
    }, delay));
  }

  function retryAll() {
    pending.forEach(function (field) { window.htmx.trigger(field, "retry-save"); });
  }

  function attemptOver(doneUrl) {
    var banner = document.getElementById("time-up");
    finished = true;
    if (banner) {
      banner.hidden = false;
      banner.textContent = "Time is up: answers can no longer be saved. Your saved answers have been submitted. Taking you to your confirmation…";
    }
    if (clock) { clock.textContent = format(0); }
    window.setTimeout(function () { window.location.assign(doneUrl); }, DONE_PAUSE_MS);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    // A refused save (400: fix the answer, 409: time is up) carries a message to show.
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) { localTimes(event.detail.target); });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var field = event.detail.elt;
    if (isTextField(field)) { field.dataset.sending = field.value; }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var field = event.detail.elt;
    if (!field || !field.dataset || !field.dataset.item) { return; }
    if (!xhr || xhr.status === 0 || xhr.status >= 500) {
      scheduleRetry(field);
      return;
    }
    pending.delete(field);
    delete field.dataset.retryMs;
    // 410: the link was closed meanwhile (the application was withdrawn); the page, loaded
    // again, says so.
    if (xhr.status === 410) {
      finished = true;
      window.location.reload();
      return;
    }
    if (isTextField(field) && xhr.status >= 200 && xhr.status < 300) {
      confirmSaved(field, field.dataset.sending);
    }
    // The attempt is over (time up, or submitted elsewhere): show why, then go to the
    // confirmation. Checked first, so the countdown's own submission does not race it.
    var doneUrl = xhr.getResponseHeader("X-Attempt-Done");
    if (doneUrl) {
      attemptOver(doneUrl);
      return;
    }
    var seconds = xhr.getResponseHeader("X-Seconds-Left");
    if (seconds !== null) { setSecondsLeft(seconds); }
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt && event.detail.elt.dataset.item) { scheduleRetry(event.detail.elt); }
  });

  window.addEventListener("online", retryAll);

  window.addEventListener("beforeunload", function (event) {
    if (pending.size && !finished) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- nothing typed is lost: drafts kept until saved, and sent as the page goes away -------

  function isTextField(element) {
    return Boolean(element && element.dataset && element.dataset.item &&
      (element.tagName === "TEXTAREA" || element.tagName === "INPUT"));
  }

  function textFields() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-item]"), isTextField);
  }

  function draftKey(field) {
    // One attempt's drafts apart from another's: the form's URL carries the link's token.
    return "hireproof-draft " + (form ? form.getAttribute("action").split("?")[0] : "") +
      " " + field.dataset.item;
  }

  function readDraft(field) {
    try {
      return JSON.parse(window.sessionStorage.getItem(draftKey(field)) || "null");
    } catch (error) {
      return null;
    }
  }

  function writeDraft(field) {
    try {
      window.sessionStorage.setItem(
        draftKey(field), JSON.stringify({ base: field.dataset.saved, text: field.value }));
    } catch (error) { /* storage full or disabled: the autosave still runs */ }
  }

  function dropDraft(field) {
    try { window.sessionStorage.removeItem(draftKey(field)); } catch (error) { /* nothing kept */ }
  }

  function dropAllDrafts(questionsUrl) {
    var prefix = "hireproof-draft " + questionsUrl + " ";
    try {
      for (var i = window.sessionStorage.length - 1; i >= 0; i -= 1) {
        var key = window.sessionStorage.key(i);
        if (key && key.indexOf(prefix) === 0) { window.sessionStorage.removeItem(key); }
      }
    } catch (error) { /* storage disabled: nothing was kept */ }
  }

  function confirmSaved(field, text) {
    if (typeof text !== "string") { return; }
    field.dataset.saved = text;
    var draft = readDraft(field);
    if (draft && draft.text === text) { dropDraft(field); }
  }

  function restoreDrafts() {
    textFields().forEach(function (field) {
      // defaultValue is what the server rendered: the text it holds.
      var saved = field.defaultValue;
      field.dataset.saved = saved;
      var draft = readDraft(field);
      if (draft && draft.base === saved && draft.text !== saved) {
        field.value = draft.text;  // typed here after the last save the server confirmed
      } else if (draft) {
        dropDraft(field);  // saved already, or the server holds a newer text: it wins
      }
      if (field.value !== saved) { window.htmx.trigger(field, "retry-save"); }
    });
  }

  function sendUnsaved() {
    if (finished || submittingForm) { return; }
    textFields().forEach(function (field) {
      if (field.value === field.dataset.saved) { return; }
      var body = new URLSearchParams();
      body.append(field.name, field.value);
      fetch(field.getAttribute("hx-post"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: true,
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
      }).catch(function () { /* the draft is kept in this tab for the next load */ });
    });
  }

  document.addEventListener("input", function (event) {
    if (isTextField(event.target)) { writeDraft(event.target); }
  });
  document.addEventListener("submit", function () { submittingForm = true; }, true);
  window.addEventListener("pagehide", sendUnsaved);

  // --- integrity signals (evidence for a person, never a penalty) ---------------------------

  var signalUrl = form ? form.dataset.signalUrl : null;
  var away = false;
  var lastSent = {};

  function sendSignal(kind, item, chars) {
    if (!signalUrl || finished) { return; }
    var now = Date.now();
    var key = kind + ":" + (item || "");
    if (kind !== "paste" && lastSent[key] && now - lastSent[key] < SIGNAL_GAP_MS) { return; }
    lastSent[key] = now;
    var body = new URLSearchParams({ kind: kind, item: item || "", chars: String(chars || 0) });
    fetch(signalUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken() }
    }).catch(function () { /* a lost signal is not worth retrying */ });
  }

  // Reloading the page or following one of its own links also blurs the window: that is not
  // leaving the assessment, so a blur counts only if the page is still here a moment later.
  var navigating = false;
  var BLUR_SETTLE_MS = 300;
  window.addEventListener("beforeunload", function () { navigating = true; });
  window.addEventListener("pagehide", function () { navigating = true; });
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (link && link.origin === window.location.origin) { navigating = true; }
  }, true);
  document.addEventListener("submit", function () { navigating = true; }, true);

  function left() {
    if (away) { return; }
    window.setTimeout(function () {
      if (away || navigating) { return; }
      away = true;
      sendSignal("focus_lost");
    }, BLUR_SETTLE_MS);
  }

  function returned() {
    if (!away) { return; }
    away = false;
    sendSignal("focus_returned");
    resync();
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { left(); } else { returned(); }
  });
  window.addEventListener("blur", left);
  window.addEventListener("focus", returned);

  document.addEventListener("paste", function (event) {
    var field = event.target && event.target.closest ? event.target.closest("[data-item]") : null;
    if (!field) { return; }
    var text = event.clipboardData ? event.clipboardData.getData("text") : "";
    sendSignal("paste", field.dataset.item, text.length);
  });

  // --- start --------------------------------------------------------------------------------

  localTimes(document);
  var over = document.querySelector("[data-attempt-over]");
  if (over) {
    // Submitted: a draft still kept (typed as the time ran out, say) has no use any more, and
    // a shared computer's next user must not find it.
    dropAllDrafts(over.dataset.questionsUrl);
  }
  if (form && window.htmx) {
    // After htmx has wired the fields (it does so on DOMContentLoaded), so a restored draft's
    // save goes through it like any other.
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", restoreDrafts);
    } else {
      window.setTimeout(restoreDrafts, 0);
    }
  }
  if (countdown) {
    setSecondsLeft(countdown.dataset.secondsLeft);
    window.setInterval(tick, 1000);
  }
})();
