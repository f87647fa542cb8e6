"""The field edge: what makes the app work on a Babinsa's phone with a weak signal.

The service worker (served at ``/sw.js`` so that its scope is the whole app),
the web app manifest, a fresh CSRF token for the phone's outbox, the outbox
page (rendered from IndexedDB by ``tracker/static/outbox-page.js``) and the
page shown offline for what cannot work without a connection. The outbox
itself lives in the browser (``tracker/static/outbox.js``); the server keeps
no state of its own here.
"""
