"""The election-day mix for locust (run by ``bench/election_day.py``, never on its own).

Everything a user needs (session cookies, API tokens, villages, the photo)
comes from the JSON file named by ``BENCH_ELECTION_CONFIG``, written by the
harness; this file imports nothing of the application, so locust's gevent
patching touches only this process. Requests go to ``--host`` (127.0.0.1).

Each user walks a fixed cycle of actions, starting at an offset of its own,
so that even a run of a few seconds with a few users exercises every action:

- Babinsa: Tiket baru through the web form (CSRF token from the page, a
  browser's redirect); Kunjungan baru with one problem heard; the outbox
  replaying a ticket with a photo (``/field/csrf``, then the multipart form
  with ``client_key`` and ``Accept: application/json``, sent twice as if the
  first answer had been lost: the replay must answer the same ticket); the API
  outbox (``POST /api/v1/tickets`` with ``Idempotency-Key``, then the photo,
  each replayed with the same key).
- Koramil: the triage queue; the transition of a queued ticket through the
  ticket page's form (one account per locust user, so no two users race).
- Kodim: the dashboard and the escalation queue.
- API client: ``GET /api/v1/tickets`` with a bearer token, filtered and not.
"""
import itertools
import json
import os
import random
import re
import uuid

from locust import HttpUser, between, constant, task

with open(os.environ["BENCH_ELECTION_CONFIG"], encoding="utf-8") as _handle:
    CONFIG = json.load(_handle)
with open(CONFIG["photo_path"], "rb") as _handle:
    PHOTO = _handle.read()
with open(CONFIG["api_photo_path"], "rb") as _handle:
    API_PHOTO_BODY = _handle.read()

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CLIENT_KEY = re.compile(r'name="client_key" value="([^"]+)"')
VISITED_ON = re.compile(r'name="visited_on"[^>]*value="([^"]*)"')
TICKET_LINK = re.compile(r'href="/tickets/(\d+)"')
JSON_ANSWER = {"Accept": "application/json"}
NO_POSITION = {"latitude": "", "longitude": "", "accuracy_m": ""}

# One name per action: the report counts each of them (``ACTIONS`` in election_day.py).
TICKET_FORM = "babinsa · Tiket baru (web form)"
VISIT_FORM = "babinsa · Kunjungan baru (web form)"
WEB_OUTBOX = "babinsa · outbox replay, form + photo (client_key)"
API_OUTBOX = "babinsa · outbox replay, API + photo (Idempotency-Key)"
TRIAGE_QUEUE = "koramil · triage queue"
TRANSITION = "koramil · transition"
DASHBOARD = "kodim · dashboard"
ESCALATIONS = "kodim · escalations"
API_LIST = "api · ticket list"


def _wait():
    low, high = CONFIG["think"]
    return constant(low) if low == high else between(low, high)


class Cycling(HttpUser):
    """A user that takes one account of its kind and walks its cycle of actions."""

    abstract = True
    wait_time = _wait()
    kind = ""
    cycle = ()
    _numbers = None

    def on_start(self):
        cls = type(self)
        if cls._numbers is None:
            cls._numbers = itertools.count()
        self.number = next(cls._numbers)
        accounts = CONFIG[self.kind]
        self.account = accounts[self.number % len(accounts)]
        # Only the first user of an account acts on tickets: no two users race for one ticket.
        self.exclusive = self.number < len(accounts)
        self.rng = random.Random(f"{self.kind}-{self.number}")
        self.steps = itertools.cycle(self.cycle[self.number % len(self.cycle):] + self.cycle[:self.number % len(self.cycle)])
        if "cookie" in self.account:
            self.client.cookies.set(CONFIG["cookie_name"], self.account["cookie"], domain="127.0.0.1")
        self.client.headers["Accept-Language"] = "id"
        # Production cookies are Secure (TLS at nginx); this generator talks plain HTTP to
        # 127.0.0.1, so it sends them back as a browser behind TLS would.
        send = self.client.request

        def request(*args, **kwargs):
            for cookie in self.client.cookies:
                cookie.secure = False
            return send(*args, **kwargs)

        self.client.request = request

    @task
    def next_action(self):
        getattr(self, next(self.steps))()

    # helpers ---------------------------------------------------------------

    def get_page(self, url, name, pattern=None):
        """GET a page that must answer 200; returns its text (or None after recording a failure)."""
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            if pattern is not None and not pattern.search(response.text):
                response.failure(f"no {pattern.pattern[:30]} in the page")
                return None
            return response.text

    def expect(self, response, statuses):
        if response.status_code not in statuses:
            response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            return False
        return True


class BabinsaUser(Cycling):
    weight = 6
    kind = "babinsa"
    cycle = ("ticket_form", "web_outbox", "visit_form", "api_outbox", "ticket_form", "visit_form", "ticket_form")

    def title(self):
        category, title = self.rng.choice(CONFIG["titles"])
        return category, f"{title} [{CONFIG['run_tag']}-{uuid.uuid4().hex[:8]}]"

    def village(self):
        return self.rng.choice(self.account["villages"])

    def ticket_fields(self, client_key):
        category, title = self.title()
        return {"village_code": self.village(), "category": category,
                "severity": self.rng.choice(CONFIG["severities"]), "title": title,
                "description": self.rng.choice(CONFIG["descriptions"]), "occurred_on": "", "parties": "",
                "visit_id": "", "client_key": client_key, **NO_POSITION}

    def ticket_form(self):
        """The form in a browser: the page, then the post and its redirect to the new ticket."""
        page = self.get_page("/tickets/new", TICKET_FORM + ": GET /tickets/new", CSRF)
        if page is None:
            return
        data = self.ticket_fields(CLIENT_KEY.search(page).group(1))
        data["csrf_token"] = CSRF.search(page).group(1)
        with self.client.post("/tickets/new", data=data, name=TICKET_FORM + ": POST", catch_response=True,
                              allow_redirects=False) as response:
            if not self.expect(response, (302,)):
                return
            location = response.headers["Location"]
        self.get_page(location, TICKET_FORM + ": GET /tickets/<id>")

    def visit_form(self):
        page = self.get_page("/visits/new", VISIT_FORM + ": GET /visits/new", CSRF)
        if page is None:
            return
        category, title = self.title()
        visited_on = VISITED_ON.search(page)
        data = {"csrf_token": CSRF.search(page).group(1), "client_key": CLIENT_KEY.search(page).group(1),
                "village_code": self.village(), "visited_on": visited_on.group(1) if visited_on else "",
                "met_with": self.rng.choice(CONFIG["met_with"]), "notes": "",
                "tickets-0-category": category, "tickets-0-severity": self.rng.choice(CONFIG["severities"]),
                "tickets-0-title": title, "tickets-0-description": self.rng.choice(CONFIG["descriptions"]),
                "tickets-0-parties": "", **NO_POSITION}
        with self.client.post("/visits/new", data=data, name=VISIT_FORM + ": POST", catch_response=True,
                              allow_redirects=False) as response:
            if not self.expect(response, (302,)):
                return
            location = response.headers["Location"]
        self.get_page(location, VISIT_FORM + ": GET /visits/<id>")

    def outbox_token(self, name):
        """What the outbox does before each send: a fresh CSRF token from /field/csrf."""
        with self.client.get("/field/csrf", name=name + ": GET /field/csrf", headers=JSON_ANSWER,
                             catch_response=True) as response:
            if not self.expect(response, (200,)):
                return None
            return response.json()["csrf_token"]

    def web_outbox(self):
        """A ticket queued offline with its photo; the first answer is lost, so it is sent again."""
        data = self.ticket_fields(str(uuid.uuid4()))
        first_id = None
        for attempt in ("POST", "replay POST"):
            token = self.outbox_token(WEB_OUTBOX)
            if token is None:
                return
            files = {"photos": ("foto.jpg", PHOTO, "image/jpeg")}
            with self.client.post("/tickets/new", data=data, files=files, name=f"{WEB_OUTBOX}: {attempt}",
                                  headers={**JSON_ANSWER, "X-CSRFToken": token}, catch_response=True,
                                  allow_redirects=False) as response:
                if not self.expect(response, (201,)):
                    return
                ticket_id = response.json().get("id")
                if first_id is not None and ticket_id != first_id:
                    response.failure(f"the replay answered ticket {ticket_id}, not {first_id}")
                    return
                first_id = ticket_id

    def api_outbox(self):
        """The API outbox: the ticket, then its photo, each sent twice with its own key."""
        auth = {"Authorization": f"Bearer {self.account['token']}"}
        category, title = self.title()
        body = json.dumps({"village_code": self.village(), "category": category,
                           "severity": self.rng.choice(CONFIG["severities"]), "title": title,
                           "description": self.rng.choice(CONFIG["descriptions"])})
        ticket_key, photo_key = str(uuid.uuid4()), str(uuid.uuid4())
        first = None
        for attempt in ("POST /api/v1/tickets", "replay POST /api/v1/tickets"):
            with self.client.post("/api/v1/tickets", data=body, name=f"{API_OUTBOX}: {attempt}",
                                  headers={**auth, "Content-Type": "application/json",
                                           CONFIG["key_header"]: ticket_key}, catch_response=True) as response:
                if not self.expect(response, (201,)):
                    return
                answered = response.json()["id"]
                if first is not None and answered != first:
                    response.failure(f"the replay answered ticket {answered}, not {first}")
                    return
                first = answered
        photo = None
        for attempt in ("POST attachments", "replay POST attachments"):
            with self.client.post(f"/api/v1/tickets/{first}/attachments", data=API_PHOTO_BODY,
                                  name=f"{API_OUTBOX}: {attempt}", catch_response=True,
                                  headers={**auth, "Content-Type": CONFIG["api_photo_type"],
                                           CONFIG["key_header"]: photo_key}) as response:
                if not self.expect(response, (201,)):
                    return
                answered = response.json()["id"]
                if photo is not None and answered != photo:
                    response.failure(f"the replay answered photo {answered}, not {photo}")
                    return
                photo = answered


class KoramilUser(Cycling):
    weight = 2
    kind = "koramil"
    cycle = ("transition", "triage_queue", "triage_queue")

    def on_start(self):
        super().on_start()
        self.done = set()

    def triage_queue(self):
        return self.get_page("/tickets/triage", TRIAGE_QUEUE + ": GET /tickets/triage")

    def transition(self):
        """The queue, the first ticket not yet handled, its page, and the first action its form offers."""
        page = self.triage_queue()
        if page is None or not self.exclusive:
            return
        waiting = [int(i) for i in TICKET_LINK.findall(page) if int(i) not in self.done]
        if not waiting:
            return
        ticket_id = waiting[0]
        self.done.add(ticket_id)
        detail = self.get_page(f"/tickets/{ticket_id}", TRANSITION + ": GET /tickets/<id>")
        form = re.search(rf'<form method="post" action="/tickets/{ticket_id}/transition" class="one-column"'
                         r'[^>]*>(.*?)</form>', detail or "", re.S)
        if form is None:
            return
        actions = re.findall(r'name="action" value="([^"]+)"', form.group(1))
        version = re.search(r'name="version" value="(\d+)"', form.group(1))
        if not actions or version is None:
            return
        data = {"csrf_token": CSRF.search(form.group(1)).group(1), "version": version.group(1),
                "action": "triage" if "triage" in actions else actions[0],
                "reason": "Diteruskan dalam uji beban hari pemungutan suara."}
        with self.client.post(f"/tickets/{ticket_id}/transition", data=data, name=TRANSITION + ": POST",
                              catch_response=True, allow_redirects=False) as response:
            self.expect(response, (302,))


class KodimUser(Cycling):
    weight = 1
    kind = "kodim"
    cycle = ("dashboard", "escalations")

    def dashboard(self):
        self.get_page("/dashboard/", DASHBOARD + ": GET /dashboard/")

    def escalations(self):
        self.get_page("/tickets/escalations", ESCALATIONS + ": GET /tickets/escalations")


class ApiUser(Cycling):
    weight = 2
    kind = "api"
    cycle = ("first_page", "new_high", "first_page", "severe_uncounted")

    def list(self, query, label):
        with self.client.get(f"/api/v1/tickets{query}", name=f"{API_LIST}: {label}", catch_response=True,
                             headers={"Authorization": f"Bearer {self.account['token']}"}) as response:
            self.expect(response, (200,))

    def first_page(self):
        self.list("", "first page")

    def new_high(self):
        self.list("?status=new&severity=high", "status=new&severity=high")

    def severe_uncounted(self):
        self.list("?severity=critical&count=false", "severity=critical&count=false")


class BareUser(HttpUser):
    """The bare Flask endpoint's ceiling: the same generator, no think time, one fixed JSON body."""

    wait_time = constant(0)

    @task
    def answer(self):
        with self.client.get("/api/v1/tickets", name="bare · GET", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
