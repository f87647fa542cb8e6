/* Waspada's service worker. The server serves it at /sw.js (scope: the whole app)
   after one line of settings, self.WASPADA: the release, the pages to keep for
   offline use, the static files, the offline page.

   Pages: network first; the saved copy when the network fails, errs or lingers
   (marked so the page can say so); else the offline page. Pages are kept for one
   user only: a page of another user, or a page without a user (the login page),
   empties the page cache. Static files: cache first, by their fingerprinted URL
   (/static/app.css?v=<content hash>, as the pages ask for it). Everything else (the API,
   photos, /field/csrf, every POST) goes to the network untouched and is never
   kept. Background Sync sends the outbox (outbox.js). */
"use strict";

var SETTINGS = self.WASPADA;
importScripts(SETTINGS.outbox);

var STATIC = "waspada-static-" + SETTINGS.release;
var PAGES = "waspada-pages-" + SETTINGS.release;
var OWNER = "/field/cache-owner";
var SLOW_MS = 8000;
var MAX_PAGES = 80;
var USER = /<meta name="waspada-user" content="(\d+)">/;
// A page asked for with only these query arguments may be served from the plain page's copy.
var LOOSE_ARGS = ["village_code", "outbox"];

self.WaspadaOutbox.configure({ csrf: SETTINGS.csrf, login: SETTINGS.login });

function fresh(url) {
  return new Request(url, { cache: "reload", credentials: "same-origin" });
}

/** Keep a page answer for offline use (HTML, 200, of a logged-in user only). */
function keep(url, response) {
  var type = response.headers.get("Content-Type") || "";
  if (response.type !== "basic" || response.status !== 200 || type.indexOf("text/html") !== 0) {
    return Promise.resolve();
  }
  return response.text().then(function (body) {
    var user = USER.exec(body);
    return caches.open(PAGES).then(function (cache) {
      return cache.match(OWNER).then(function (owner) { return owner ? owner.text() : null; }).then(function (owner) {
        if (!user) { return owner === null ? null : caches.delete(PAGES).then(function () { return null; }); }
        if (owner === user[1]) { return cache; }
        return caches.delete(PAGES).then(function () { return caches.open(PAGES); }).then(function (mine) {
          return mine.put(OWNER, new Response(user[1])).then(function () { return mine; });
        });
      });
    }).then(function (cache) {
      if (!cache) { return null; }
      var headers = new Headers(response.headers);
      headers.set("X-Waspada-Saved-At", String(Date.now()));
      headers.delete("Content-Length");
      var copy = new Response(body, { status: 200, headers: headers });
      var puts = [cache.put(url, copy.clone())];
      if (response.redirected) { puts.push(cache.put(response.url, copy)); }
      return Promise.all(puts).then(function () { return trim(cache); });
    });
  });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    var pages = keys.filter(function (key) { return new URL(key.url).pathname !== OWNER; });
    var extra = pages.slice(0, Math.max(0, pages.length - MAX_PAGES));
    return Promise.all(extra.map(function (key) { return cache.delete(key); }));
  });
}

function savedCopy(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(url).then(function (hit) {
      var parsed = new URL(url);
      var loose = Array.from(parsed.searchParams.keys()).every(function (k) { return LOOSE_ARGS.indexOf(k) !== -1; });
      return hit || (loose && parsed.search ? cache.match(parsed.origin + parsed.pathname) : hit);
    });
  });
}

// The saved copy, marked on its <html> element with the time it was saved.
function marked(saved) {
  var at = saved.headers.get("X-Waspada-Saved-At") || "";
  return saved.text().then(function (body) {
    var headers = new Headers(saved.headers);
    return new Response(body.replace("<html ", '<html data-saved-at="' + at + '" '), { status: 200, headers: headers });
  });
}

function offlinePage() {
  return caches.match(SETTINGS.offline, { cacheName: STATIC }).then(function (page) {
    return page || Response.error();
  });
}

/** Fetch the offline pages this user does not have yet (after install, and when a page
    asks), and ``also``: a page that loaded before this worker controlled it, so was not kept. */
function warm(also) {
  var urls = SETTINGS.pages.slice();
  if (also) {
    var url = new URL(also, self.location.origin);
    var never = SETTINGS.never_cached.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
    if (url.origin === self.location.origin && !never) { urls.push(url.pathname + url.search); }
  }
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return cache.match(url).then(function (hit) {
        return hit || fetch(fresh(url)).then(function (response) { return keep(url, response); }).catch(function () {});
      });
    }));
  });
}

function page(event) {
  var request = event.request;
  var saved = savedCopy(request.url);
  var forCache = null;
  var network = fetch(request).then(function (response) {
    forCache = response.clone();
    return response;
  });
  event.waitUntil(network.then(function () { return keep(request.url, forCache); }).catch(function () {}));
  return saved.then(function (copy) {
    if (!copy) { return network.catch(offlinePage); }
    return new Promise(function (resolve) {
      var done = false;
      var answer = function (value) { if (!done) { done = true; clearTimeout(timer); resolve(value); } };
      var timer = setTimeout(function () { answer(marked(copy.clone())); }, SLOW_MS);
      network.then(function (response) {
        answer(response.status >= 500 ? marked(copy.clone()) : response);
      }, function () { answer(marked(copy.clone())); });
    });
  });
}

function cacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    return cache.addAll(SETTINGS.statics.concat([SETTINGS.offline]).map(fresh));
  }).then(warm).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("waspada-") === 0 && name !== STATIC && name !== PAGES;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (SETTINGS.never_cached.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; })) { return; }
  if (request.method !== "GET") {
    // A form posted without the page's JavaScript: the offline page, not the browser's error.
    if (request.mode === "navigate") { event.respondWith(fetch(request).catch(offlinePage)); }
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (SETTINGS.statics.indexOf(url.pathname + url.search) !== -1) {
    event.respondWith(cacheFirst(request));
  }
});

self.addEventListener("message", function (event) {
  if (event.data === "warm") { event.waitUntil(warm()); }
  if (event.data && event.data.warm) { event.waitUntil(warm(event.data.page)); }
  // A page asks: the worker sends, so that the page may be left while a send is on its way.
  if (event.data && event.data.send) { event.waitUntil(self.WaspadaOutbox.sendAll({ force: event.data.force })); }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "waspada-outbox") { return; }
  event.waitUntil(self.WaspadaOutbox.sendAll({ force: true }).then(function (report) {
    // A rejected sync is tried again by the browser later.
    if (report.retry) { throw new Error("the outbox will try again"); }
  }));
});
