/* Waspada's outbox: reports kept on the phone (IndexedDB "waspada", store "outbox")
   until the server has them. Loaded by the pages and by the service worker
   (importScripts), so it touches no DOM.

   An item: {id, user_id, kind, url, fields: [[name, value]], files: [{field, name,
   type, blob}], client_key, label, village_code, form_page, created_at, state:
   "waiting"|"sending"|"sent"|"refused", message, errors, status, problem, result_url,
   result_ref, attempts, next_try_at}. Times are milliseconds since the epoch.

   Sending one item: a fresh CSRF token from /field/csrf (it also says whose session
   this is), then a multipart POST of the form with Accept: application/json. The
   client_key makes a repeated send (a lost answer, a second tab) harmless. */
(function (root) {
  "use strict";

  var DB_NAME = "waspada";
  var STORE = "outbox";
  var LOCK = "waspada-outbox";
  var TIMEOUT_MS = 30000;
  var BACKOFF_S = [5, 15, 60, 300, 900];
  var SENT_KEPT_MS = 7 * 24 * 3600 * 1000;
  // Answers that will not change by sending the same thing again: kept until fixed or deleted.
  var REFUSED = [403, 404, 409, 413, 422];
  var settings = { csrf: "/field/csrf", login: "/login" };
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("waspada-outbox") : null;
  var listeners = [];
  var opening = null;

  function configure(values) {
    Object.keys(values).forEach(function (name) { settings[name] = values[name]; });
  }

  function database() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  function run(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request.result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  // Keys grow, so the store's order is the order the reports were made: oldest first.
  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function get(id) { return run("readonly", function (store) { return store.get(id); }); }

  function save(item) {
    if (item.id == null) { delete item.id; }
    return run("readwrite", function (store) { return store.put(item); }).then(function (id) {
      item.id = id;
      changed();
      return item;
    });
  }

  function remove(id) {
    return run("readwrite", function (store) { return store.delete(id); }).then(changed);
  }

  function onChange(listener) {
    listeners.push(listener);
    if (channel) { channel.addEventListener("message", function () { listener(); }); }
  }

  function changed() {
    listeners.forEach(function (listener) { listener(); });
    if (channel) { channel.postMessage("changed"); }
  }

  function newKey() {
    if (root.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /** A new report, waiting to be sent. */
  function queue(item) {
    item.state = "waiting";
    item.created_at = item.created_at || Date.now();
    item.attempts = 0;
    item.next_try_at = null;
    item.message = item.errors = item.status = item.problem = null;
    return save(item);
  }

  /** The reports not yet sent, of one user (or of everyone on the phone when user is null). */
  function unsent(items, user) {
    return items.filter(function (item) {
      return item.state !== "sent" && (user == null || item.user_id === user);
    });
  }

  /** Forget sent reports after a week: they were kept only to show their reference. */
  function purge() {
    var limit = Date.now() - SENT_KEPT_MS;
    return all().then(function (items) {
      var old = items.filter(function (item) { return item.state === "sent" && item.sent_at < limit; });
      return Promise.all(old.map(function (item) { return remove(item.id); }));
    });
  }

  function request(url, options) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var opts = Object.assign({ credentials: "same-origin", signal: controller && controller.signal }, options);
    return fetch(url, opts).then(function (response) {
      clearTimeout(timer);
      return response;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  /** {csrf_token, user_id}, or {login: true} when the session has ended. Throws offline. */
  function session() {
    return request(settings.csrf, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) { return { login: true }; }
        if (!response.ok) { return { retry: "server" }; }
        return response.json();
      });
  }

  function body(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    data.append("client_key", item.client_key);
    item.files.forEach(function (file) { data.append(file.field, file.blob, file.name); });
    return data;
  }

  function text(html) {
    return html.replace(/<[^>]*>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
  }

  // The messages an HTML page shows in the given classes (no DOMParser in a service worker).
  function messages(html, pattern) {
    var found = [];
    var re = new RegExp('<(p|div) class="(?:' + pattern + ')"[^>]*>([\\s\\S]*?)</\\1>', "g");
    var match;
    while ((match = re.exec(html)) !== null) {
      var line = text(match[2]);
      if (line && found.indexOf(line) === -1) { found.push(line); }
    }
    return found.join(" ");
  }

  function flatten(errors) {
    var lines = [];
    Object.keys(errors || {}).forEach(function (name) { lines = lines.concat(errors[name]); });
    return lines.join(" ");
  }

  function pathOf(url) {
    var parsed = new URL(url);
    return parsed.pathname + parsed.search;
  }

  /** What an answer means for the item: sent, refused, or a reason to try again. */
  function outcome(response) {
    var type = response.headers.get("Content-Type") || "";
    var status = response.status;
    if (status === 401 || (response.redirected && new URL(response.url).pathname === settings.login)) {
      return Promise.resolve({ login: true });
    }
    if (type.indexOf("json") !== -1) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          var refs = (answer.tickets || []).map(function (t) { return t.ref; }).join(", ");
          return { state: "sent", result_url: answer.url || null, result_ref: answer.ref || refs || null, message: null };
        }
        if (status === 400) { return { csrf: true }; }
        if (REFUSED.indexOf(status) !== -1) {
          return { state: "refused", status: status, errors: answer.errors || null,
                   message: answer.error || flatten(answer.errors) };
        }
        return { retry: "server" };
      });
    }
    if (status >= 500 || status === 408 || status === 429) { return Promise.resolve({ retry: "server" }); }
    // An HTML page: the form's own answer (a redirect to what was saved, or the form
    // again with its errors) from a server that does not answer this form in JSON.
    return response.text().then(function (html) {
      if (response.ok && response.redirected) {
        return { state: "sent", result_url: pathOf(response.url), result_ref: null,
                 message: messages(html, "flash flash-success") || null };
      }
      return { state: "refused", status: status, html: true, errors: null,
               message: messages(html, "error|flash flash-error") || null };
    });
  }

  function backoff(attempts) {
    return Date.now() + 1000 * BACKOFF_S[Math.min(Math.max(attempts, 1), BACKOFF_S.length) - 1];
  }

  function post(item, token) {
    return request(item.url, {
      method: "POST", body: body(item), headers: { "X-CSRFToken": token, Accept: "application/json" },
    }).then(outcome);
  }

  // Send one item, its CSRF token fetched just before; one fresh token more after a CSRF refusal.
  function deliver(item) {
    return session().then(function (who) {
      if (who.login || who.retry) { return who; }
      if (who.user_id !== item.user_id) { return { other_user: true }; }
      item.state = "sending";
      item.attempts = (item.attempts || 0) + 1;
      item.sending_at = Date.now();
      return save(item).then(function () { return post(item, who.csrf_token); }).then(function (result) {
        if (!result.csrf) { return result; }
        return session().then(function (again) {
          return again.csrf_token ? post(item, again.csrf_token) : again;
        }).then(function (second) { return second.csrf ? { retry: "server" } : second; });
      });
    }).catch(function () {
      // No answer (no signal, a timeout, a cut connection), for the token or for the report.
      return { retry: "network" };
    }).then(function (result) { return settle(item, result); });
  }

  function settle(item, result) {
    if (result.other_user) { return Promise.resolve(result); }
    if (result.state) {
      Object.assign(item, { html: false, errors: null, status: null, message: null }, result,
                    { problem: null, next_try_at: null });
      if (result.state === "sent") { item.sent_at = Date.now(); }
    } else {
      item.state = "waiting";
      item.problem = result.login ? "login" : result.retry;
      item.next_try_at = result.login ? null : backoff(item.attempts);
    }
    return save(item).then(function () { return result; });
  }

  // One sender at a time across the pages and the service worker.
  function exclusive(work) {
    if (root.navigator && navigator.locks && navigator.locks.request) {
      return navigator.locks.request(LOCK, function () { return work(true); });
    }
    return work(false);
  }

  /**
   * Send the waiting reports, oldest first, one at a time. options.force ignores the
   * backoff (the connection just came back); options.only sends that one item.
   * Resolves to {login, retry}: the session has ended; some report must be tried again.
   * Each item keeps its own outcome (state, problem, next_try_at) for the pages to show.
   */
  function sendAll(options) {
    options = options || {};
    return exclusive(function (locked) {
      var report = { login: false, retry: false };
      return all().then(function (items) {
        var due = items.filter(function (item) {
          if (item.state === "sent" || item.state === "refused") { return false; }
          if (options.only != null && item.id !== options.only) { return false; }
          // Inside the lock a "sending" item was left by a sender that died: send it again.
          if (item.state === "sending" && !locked && Date.now() - item.sending_at < 2 * TIMEOUT_MS) { return false; }
          return options.force || !item.next_try_at || item.next_try_at <= Date.now();
        });
        var step = function (index) {
          if (index >= due.length || report.login) { return report; }
          return deliver(due[index]).then(function (result) {
            report.login = !!result.login;
            if (result.retry) {
              report.retry = true;
              // No connection: the newer ones would fail the same way.
              if (result.retry === "network") { return report; }
            }
            return step(index + 1);
          });
        };
        return step(0);
      });
    });
  }

  root.WaspadaOutbox = {
    configure: configure, all: all, get: get, save: save, remove: remove, queue: queue,
    unsent: unsent, purge: purge, sendAll: sendAll, newKey: newKey, onChange: onChange,
  };
}(self));
