/* The candidate's page: countdown, autosave retries, and integrity signals.
 *
 * The server is the clock: the countdown starts from the seconds it sent and re-syncs from
 * every save's X-Seconds-Left header. Screen readers hear the time only at 10, 5 and 1 minutes
 * left (a polite live region; focus never moves). A save that fails on the network keeps the
 * typed value and is retried, with a growing pause and jitter, until it goes through; the line
 * under the field says so. Nothing typed is lost meanwhile: the text is kept in this device's
 * localStorage until the server confirms it (put back after a reload when it is newer than the
 * server's), and sent with a keepalive request when the page goes away. Nothing here is needed
 * to take the assessment: without JavaScript the form's buttons save and submit.
 */
(function () {
  "use strict";

  var ANNOUNCE_AT_MINUTES = [10, 5, 1];
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var DRAFT_PREFIX = "hireproof-draft ";
  var SENT_KEPT = 3;
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

  // A save that did not go through (the network, a server error, an overloaded server) is
  // tried again after a pause that doubles each time, up to RETRY_MAX_MS, with jitter: a crowd
  // of pages whose saves failed together does not come back together. The text stays in the
  // field and in this device's storage meanwhile, and the line under the field counts down.
  function retryDelay(field, retryAfterSeconds) {
    var tries = Number(field.dataset.retries || 0);
    field.dataset.retries = String(tries + 1);
    var ceiling = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, tries));
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    var asked = Number(retryAfterSeconds) * 1000;
    return isFinite(asked) && asked > delay ? Math.min(asked, RETRY_MAX_MS) : delay;
  }

  function scheduleRetry(field, retryAfterSeconds) {
    if (finished) { return; }
    pending.add(field);
    window.clearTimeout(Number(field.dataset.retryTimer || 0));
    window.clearInterval(Number(field.dataset.retryTicker || 0));
    var due = Date.now() + retryDelay(field, retryAfterSeconds);
    function show() {
      var seconds = Math.max(1, Math.ceil((due - Date.now()) / 1000));
      showStatus(field, "Not saved yet — retrying in " + seconds + " s. Your answer is kept on this device.", "save-pending");
    }
    show();
    field.dataset.retryTicker = String(window.setInterval(show, 1000));
    field.dataset.retryTimer = String(window.setTimeout(function () { retryNow(field); }, due - Date.now()));
  }

  function retryNow(field) {
    window.clearTimeout(Number(field.dataset.retryTimer || 0));
    window.clearInterval(Number(field.dataset.retryTicker || 0));
    if (finished) { return; }
    showStatus(field, "Not saved yet — trying again now…", "save-pending");
    window.htmx.trigger(field, "retry-save");
  }

  function stopRetrying(field) {
    pending.delete(field);
    delete field.dataset.retries;
    window.clearTimeout(Number(field.dataset.retryTimer || 0));
    window.clearInterval(Number(field.dataset.retryTicker || 0));
  }

  function retryAll() {
    pending.forEach(retryNow);
  }

  function attemptOver(doneUrl) {
    var banner = document.getElementById("time-up");
    finished = true;
    pending.forEach(stopRetrying);
    if (banner) {
      banner.hidden = false;
      banner.textContent = "Time is up: answers can no longer be saved. Your saved answers have been submitted. Taking you to your confirmation…";
    }
    if (clock) { clock.textContent = format(0); }
    window.setTimeout(function () { window.location.assign(doneUrl); }, DONE_PAUSE_MS);
  }

  // Worth trying again: nothing came back (offline, a dropped connection, a timeout), the
  // server failed (5xx: a proxy with no server behind it answers 502 or 504), or it asked for
  // a pause (429, 503).
  function isPassing(status) {
    return status === 0 || status === 429 || status >= 500;
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
    if (isTextField(field)) {
      field.dataset.sending = field.value;
      noteSent(field, field.value);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var field = event.detail.elt;
    if (!field || !field.dataset || !field.dataset.item) { return; }
    var status = xhr ? xhr.status : 0;
    if (isPassing(status)) {
      scheduleRetry(field, xhr ? xhr.getResponseHeader("Retry-After") : null);
      return;
    }
    stopRetrying(field);
    // 410: the link was closed meanwhile (the application was withdrawn); the page, loaded
    // again, says so.
    if (status === 410) {
      finished = true;
      showStatus(field, "Not saved: this link was closed. Loading the page that says why…", "save-refused");
      window.location.reload();
      return;
    }
    if (isTextField(field) && status >= 200 && status < 300) {
      confirmSaved(field, field.dataset.sending);
    }
    // The attempt is over (time up, or submitted elsewhere): show why, then go to the
    // confirmation. Checked first, so the countdown's own submission does not race it.
    var doneUrl = xhr.getResponseHeader("X-Attempt-Done");
    if (doneUrl) {
      attemptOver(doneUrl);
      return;
    }
    if (status === 404 || status === 403) {
      // The link no longer opens this attempt, or the page's form token went stale: the text
      // stays here and in this device's storage; a reload shows why or sends it again.
      showStatus(field, "Not saved: this page is out of date. Reload it: your answer is kept on this device.", "save-refused");
      return;
    }
    var seconds = xhr.getResponseHeader("X-Seconds-Left");
    if (seconds !== null) { setSecondsLeft(seconds); }
  });

  window.addEventListener("online", retryAll);

  window.addEventListener("beforeunload", function (event) {
    if (pending.size && !finished) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- nothing typed is lost: drafts kept on this device until saved, sent as the page goes --

  // The server's clock, as far as this page can tell: drafts are dated by it, so that one is
  // compared with the time the server saved the field's text.
  var clockSkew = form && form.dataset.serverTime
    ? Number(form.dataset.serverTime) / 1000 - Date.now()
    : 0;

  function serverNow() {
    return Date.now() + clockSkew;
  }

  function isTextField(element) {
    return Boolean(element && element.dataset && element.dataset.item &&
      (element.tagName === "TEXTAREA" || element.tagName === "INPUT"));
  }

  function textFields() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-item]"), isTextField);
  }

  function draftKey(field) {
    // One attempt's drafts apart from another's, by its number (never the link's token: what
    // is kept on the device must not open the attempt).
    return DRAFT_PREFIX + (form ? form.dataset.attempt : "") + " " + field.dataset.item;
  }

  function readDraft(field) {
    try {
      return JSON.parse(window.localStorage.getItem(draftKey(field)) || "null");
    } catch (error) {
      return null;
    }
  }

  function storeDraft(field, draft) {
    try {
      window.localStorage.setItem(draftKey(field), JSON.stringify(draft));
    } catch (error) { /* storage full or disabled: the autosave still runs */ }
  }

  function writeDraft(field) {
    var draft = readDraft(field) || {};
    storeDraft(field, {
      text: field.value,
      base: field.dataset.saved,
      sent: draft.base === field.dataset.saved && draft.sent ? draft.sent : [],
      at: serverNow()
    });
  }

  // The texts sent since the last one the server confirmed: if the server turns out to hold
  // one of them, a draft typed after it is still newer.
  function noteSent(field, text) {
    var draft = readDraft(field);
    if (!draft || draft.text === field.dataset.saved) { return; }
    var sent = (draft.sent || []).filter(function (t) { return t !== text; });
    sent.push(text);
    draft.sent = sent.slice(-SENT_KEPT);
    storeDraft(field, draft);
  }

  function dropDraft(field) {
    try { window.localStorage.removeItem(draftKey(field)); } catch (error) { /* nothing kept */ }
  }

  function dropAllDrafts(attempt) {
    var prefix = DRAFT_PREFIX + attempt + " ";
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i -= 1) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) { window.localStorage.removeItem(key); }
      }
    } catch (error) { /* storage disabled: nothing was kept */ }
  }

  function confirmSaved(field, text) {
    if (typeof text !== "string") { return; }
    field.dataset.saved = text;
    var draft = readDraft(field);
    if (!draft) { return; }
    if (draft.text === text) {
      dropDraft(field);
    } else {
      draft.base = text;  // typed on since: still to be saved
      draft.sent = [];
      storeDraft(field, draft);
    }
  }

  // A draft is put back when it is newer than the server's text: typed over it, or over a text
  // this page sent that the server kept, or later than the server saved it.
  function isNewer(draft, saved, savedAt) {
    if (draft.text === saved) { return false; }
    if (draft.base === saved) { return true; }
    if ((draft.sent || []).indexOf(saved) !== -1) { return true; }
    return Number(draft.at) > savedAt;
  }

  function restoreDrafts() {
    textFields().forEach(function (field) {
      // defaultValue is what the server rendered: the text it holds, saved at data-saved-at.
      var saved = field.defaultValue;
      var savedAt = Number(field.dataset.savedAt || 0) / 1000;
      field.dataset.saved = saved;
      var draft = readDraft(field);
      if (draft && isNewer(draft, saved, savedAt)) {
        field.value = draft.text;
        draft.base = saved;
        draft.sent = [];
        storeDraft(field, draft);
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
      }).catch(function () { /* the draft is kept on this device for the next load */ });
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
    dropAllDrafts(over.dataset.attempt);
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
