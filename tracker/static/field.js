/* Waspada on the phone, on every page: registers the service worker, shows in the
   header how many reports wait on the phone, sends them when the signal returns,
   says when a page is the phone's saved copy, and forgets the saved pages at
   logout. Helpers for the forms (tickets.js) and the outbox page are on
   window.WaspadaField. Without JavaScript none of this exists and the forms post
   as plain HTML. */
(function () {
  "use strict";

  // A refused form's error summary (templates/macros/forms.html) has autofocus; where the
  // browser did not apply it (a restored page, another element first), focus it here.
  var summary = document.querySelector("[data-error-summary]");
  if (summary && (!document.activeElement || document.activeElement === document.body)) {
    summary.focus();
  }

  var node = document.getElementById("waspada-field");
  if (!node) { return; }
  // Without IndexedDB (or a failed outbox.js) the helpers stay, the outbox does not.
  var outbox = window.indexedDB && window.WaspadaOutbox ? window.WaspadaOutbox : null;
  var settings = JSON.parse(node.textContent);
  var text = settings.text;
  var meta = document.querySelector('meta[name="waspada-user"]');
  var user = meta ? Number(meta.content) : null;
  var timer = null;
  var FLASH = "waspada:flash";

  /** A message with its {name} placeholders filled. */
  function say(message, values) {
    return message.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }

  function time(ms) {
    return new Date(ms).toLocaleString(document.documentElement.lang || undefined,
                                       { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  /** Show a message at the top of the page, as the server's flashed messages look. */
  function flash(message, kind, link) {
    var main = document.getElementById("main");
    var p = document.createElement("p");
    p.className = "flash flash-" + kind;
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.textContent = message;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      p.appendChild(document.createTextNode(" "));
      p.appendChild(a);
    }
    main.insertBefore(p, main.firstChild);
    p.scrollIntoView({ block: "nearest" });
    return p;
  }

  /** Show a message on the next page this tab opens (after a send made here navigates). */
  function flashNext(message, kind) {
    try { sessionStorage.setItem(FLASH, JSON.stringify({ message: message, kind: kind })); } catch (e) { /* private mode */ }
  }

  function showFlashed() {
    var stored;
    try {
      stored = JSON.parse(sessionStorage.getItem(FLASH) || "null");
      sessionStorage.removeItem(FLASH);
    } catch (e) { stored = null; }
    if (stored) { flash(stored.message, stored.kind); }
  }

  /** The header's count (or "log in again"), the login page's line, and the next retry. */
  function refresh() {
    return outbox.all().then(function (items) {
      var mine = outbox.unsent(items, user);
      var count = mine.length;
      var loginNeeded = mine.some(function (item) { return item.problem === "login"; });
      var next = Math.min.apply(Math, mine.map(function (item) { return item.next_try_at || Infinity; }));
      clearTimeout(timer);
      // Offline, the online event sends; logged out, nothing can be sent.
      if (next !== Infinity && user != null && navigator.onLine) {
        timer = setTimeout(send, Math.max(1000, next - Date.now()), false);
      }
      var badge = document.querySelector("[data-outbox-badge]");
      if (badge) {
        badge.hidden = count === 0;
        badge.textContent = say(loginNeeded ? text.login_to_send : text.waiting, { n: count });
        badge.href = loginNeeded ? settings.login : settings.outbox;
        badge.classList.toggle("login", loginNeeded);
      }
      var login = document.querySelector("[data-outbox-login]");
      if (login) {
        login.querySelector("[data-outbox-count]").textContent = String(count);
        login.hidden = count === 0;
      }
    });
  }

  function registerSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.getRegistration().then(function (registration) {
      if (registration && registration.sync) { return registration.sync.register("waspada-outbox"); }
    }).catch(function () { /* Background Sync refused: the page's own triggers remain */ });
  }

  /**
   * Send what waits (force: also what is backing off). The service worker sends when it
   * controls the page, so leaving the page does not cut a send short (its answer would be
   * lost and the report sent again). ``only``: send that item from here, now (a form waits for it).
   */
  function send(force, only) {
    if (user == null || !navigator.onLine) { return refresh(); }
    var worker = "serviceWorker" in navigator && navigator.serviceWorker.controller;
    if (worker && only == null) {
      worker.postMessage({ send: true, force: !!force });
      return Promise.resolve();
    }
    return outbox.sendAll({ force: force, only: only }).then(refresh);
  }

  // This page was rendered for him just now, so his session is alive: reports held back
  // for a new login are free to go (the next send says otherwise if it ended meanwhile).
  function sessionIsAlive() {
    if (user == null || document.documentElement.hasAttribute("data-saved-at")) { return Promise.resolve(); }
    return outbox.all().then(function (items) {
      return Promise.all(outbox.unsent(items, user).filter(function (item) { return item.problem === "login"; })
        .map(function (item) { item.problem = null; return outbox.save(item); }));
    });
  }

  function forgetPages() {
    if (!window.caches) { return Promise.resolve(); }
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("waspada-pages-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    });
  }

  function markSavedCopy() {
    var saved = document.documentElement.getAttribute("data-saved-at");
    var main = document.getElementById("main");
    if (!saved || !main) { return; }
    var line = document.createElement("p");
    line.className = "saved-copy";
    line.setAttribute("role", "status");
    line.textContent = say(text.saved_copy, { time: time(Number(saved)) });
    main.parentNode.insertBefore(line, main);
  }

  window.WaspadaField = {
    settings: settings, text: text, user: user, outbox: outbox, say: say, time: time, flash: flash,
    flashNext: flashNext, send: send, registerSync: registerSync,
    isSavedCopy: document.documentElement.hasAttribute("data-saved-at"),
  };

  markSavedCopy();
  showFlashed();
  if (!outbox) { return; }
  outbox.configure({ csrf: settings.csrf, login: settings.login });
  outbox.onChange(refresh);
  window.addEventListener("online", function () { send(true); });
  Array.prototype.forEach.call(document.querySelectorAll('form[action$="/logout"]'), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      forgetPages().then(function () { form.submit(); }, function () { form.submit(); });
    });
  });
  if (user == null) {
    // Logged out (the login page): no saved page may outlive the session.
    forgetPages();
  } else if ("serviceWorker" in navigator) {
    // A page loaded before the worker took control (the first pages after login, while it
    // installs) was not kept for offline use: the worker is asked to fetch and keep it too.
    var unkept = navigator.serviceWorker.controller ? null : location.pathname + location.search;
    navigator.serviceWorker.register(settings.sw).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (registration.active) { registration.active.postMessage({ warm: true, page: unkept }); }
    }).catch(function () { /* no service worker: the pages still work online */ });
  }
  outbox.purge().then(sessionIsAlive).then(function () { return send(false); });
}());
