"""The "signal returns" storm of issue 12: ``python -m bench.storm``.

A storm of phones whose signal comes back all at once: ``--phones`` Babinsa
(200) replay ``--tickets`` queued tickets (1,000) with one photo each
against gunicorn (``--workers``, 4) on the bench database. Each phone gets
an API token first (``POST /api/v1/auth/tokens``, timed on its own); then,
all at once, the phones send their items oldest first, one at a time, as
the outbox does: ``POST /api/v1/tickets`` with an
``Idempotency-Key``, then ``POST /api/v1/tickets/<id>/attachments``
(multipart field ``file``, a 1600×1200 JPEG of about 250 KB made once with
Pillow: a phone photo after the browser's re-encode) with a key of its own.
A request that times out (30 s, the outbox's limit), fails on the network
or answers 5xx is sent again with the same key after the outbox's backoff.
A fraction of the items (``--replay``, 10%) is sent twice with the same
keys, as if the first answer had been lost; the replay must answer the
same ticket and the same photo.

Afterwards the database is asked: every item must have exactly one ticket
(found by the unique tag in its title) with one photo: 0 lost, 0
duplicated. Reported: time to drain, throughput, p50/p95 per ticket POST
and per upload, database growth per photo (the attachment tables with
their indexes and TOAST: ``pg_total_relation_size`` on PostgreSQL, the
``dbstat`` table on SQLite), answers by status, and the first load of
*Tiket baru* in a fresh Chromium (HTML, CSS, JS, the service worker and
what it fetches), in bytes and as time on a slow 3G link computed from
those bytes.

The data set is the bench's own (``bench.dataset``), built fresh with
``--background`` tickets, or the one already in the database with
``--reuse``; so, like ``python -m bench``, the storm drops every table of the
database it is given. The figures go to ``bench/RESULTS.md`` as a block of
their own (``<!-- bench:storm:... -->``), replaced by the next run of the
same kind.
"""
import argparse
import http.client
import io
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import WSGIRequestHandler, make_server

from bench import DEFAULT_REGIONS, DEFAULT_RESULTS, dataset as data, report
from bench import vocabulary as words
from bench.appsetup import logged_in_client, make_app, server_env
from bench.cli import _check_target_database
from bench.figures import format_seconds, median, percentile
from bench.serve import Gunicorn
from tracker.attachments.models import Attachment, AttachmentBlob
from tracker.auth.models import BabinsaVillage, User
from tracker.extensions import db
from tracker.idempotency.models import IdempotencyKey
from tracker.tickets.models import SEVERITIES, Ticket

PHONES = 200
TICKETS = 1000
REPLAY_FRACTION = 0.10
BACKGROUND_TICKETS = 50_000

PHOTO_SIZE = (1600, 1200)
PHOTO_BYTES = 250_000
PHOTO_QUALITY = 80  # the phone's canvas re-encode (about 0.8)

# The outbox's rules (notes/field-protocol.md): a 30 s timeout, then back off
# 5 s, 15 s, 1 min, ... and try again with the same key. The bench gives up
# after these attempts; the phone would go on (every 15 min at most).
PHONE_TIMEOUT = 30
BACKOFF = (5, 15, 60)

FIRST_LOAD_LIMIT = 150_000
SLOW_3G_BITS_PER_SECOND = 400_000
SLOW_3G_RTT = 0.400
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE_VIEWPORT = {"width": 360, "height": 740}
QUIET_SECONDS = 1.5

TOKEN_PATH = "/api/v1/auth/tokens"
TICKETS_PATH = "/api/v1/tickets"
OPENAPI_PATH = "/api/v1/openapi.json"
NEW_TICKET_PATH = "/tickets/new"
KEY_HEADER = "Idempotency-Key"


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.storm",
        description="The 'signal returns' storm of issue 12: phones replaying queued tickets with photos "
                    "against gunicorn; and the first load of Tiket baru.")
    parser.add_argument("--database", help="database URL (default $DATABASE_URL); its tables are dropped "
                        "unless --reuse")
    parser.add_argument("--phones", type=int, default=PHONES, help=f"phones (default {PHONES})")
    parser.add_argument("--tickets", type=int, default=TICKETS,
                        help=f"queued tickets over all phones, one photo each (default {TICKETS:,})")
    parser.add_argument("--replay", type=float, default=REPLAY_FRACTION,
                        help=f"fraction of items sent twice with the same keys (default {REPLAY_FRACTION})")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--concurrency", type=int,
                        help="phones sending at once, the load generator's thread pool (default: every phone)")
    parser.add_argument("--background", type=int, default=BACKGROUND_TICKETS,
                        help=f"tickets of the generated data set (default {BACKGROUND_TICKETS:,})")
    parser.add_argument("--regions", default=DEFAULT_REGIONS, help="code,name CSV of regions for the data set "
                        "(default ../shared/data/wilayah_kemendagri_2025.csv)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--reuse", action="store_true", help="storm the bench data set already in the database")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even a database that does not look like a bench database")
    parser.add_argument("--no-first-load", dest="first_load", action="store_false",
                        help="skip the first load of Tiket baru in Chromium")
    parser.add_argument("--output", default=DEFAULT_RESULTS, help="results file (default bench/RESULTS.md)")
    options = parser.parse_args(argv)
    options.database = options.database or os.environ.get("DATABASE_URL")
    if not options.database:
        parser.error("give --database (or DATABASE_URL): the storm needs a database it may fill")
    if options.phones < 1 or options.tickets < options.phones:
        parser.error("need at least one phone and one ticket per phone")
    if not 0 <= options.replay <= 1:
        parser.error("--replay is a fraction between 0 and 1")
    options.concurrency = options.concurrency or options.phones
    return options


# --- what the phones send ----------------------------------------------------

def make_photo(seed, target=PHOTO_BYTES):
    """A 1600×1200 JPEG of about ``target`` bytes that compresses like a photo.

    Gradients and blurred shapes give it a scene, soft grain gives it the
    detail a camera sensor leaves: the amount of grain is searched so that
    the file is as large as a phone's re-encoded photo.
    """
    rng = random.Random(seed)
    width, height = PHOTO_SIZE
    scene = Image.merge("RGB", (
        Image.linear_gradient("L").resize(PHOTO_SIZE),
        Image.radial_gradient("L").resize(PHOTO_SIZE),
        Image.linear_gradient("L").rotate(90).resize(PHOTO_SIZE),
    ))
    draw = ImageDraw.Draw(scene)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        box = (x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 300))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    scene = scene.filter(ImageFilter.GaussianBlur(2))
    grain = Image.frombytes("RGB", (width // 2, height // 2), rng.randbytes(width * height * 3 // 4))
    grain = grain.resize(PHOTO_SIZE, Image.BICUBIC)

    def encode(amount):
        out = io.BytesIO()
        Image.blend(scene, grain, amount).save(out, "JPEG", quality=PHOTO_QUALITY)
        return out.getvalue()

    low, high = 0.0, 0.5
    photo = encode(0.1)
    for _ in range(8):
        if abs(len(photo) - target) <= target * 0.04:
            break
        amount = (low + high) / 2
        photo = encode(amount)
        if len(photo) < target:
            low = amount
        else:
            high = amount
    return photo


def multipart(field_name, filename, content_type, payload):
    """A multipart/form-data body with one file; returns (body, Content-Type header)."""
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head + payload + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Item:
    """One queued ticket with its photo, and what became of it."""

    number: int
    village_code: str
    category: str
    severity: str
    title: str
    description: str
    replay: bool
    ticket_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    photo_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    ticket_id: int | None = None
    replayed_ticket_id: int | None = None
    attachment_id: int | None = None
    replayed_attachment_id: int | None = None
    refused: str = ""

    def ticket_body(self):
        return json.dumps({"village_code": self.village_code, "category": self.category,
                           "severity": self.severity, "title": self.title,
                           "description": self.description}).encode()


@dataclass
class Phone:
    username: str
    villages: list
    items: list = field(default_factory=list)
    token: str = ""


def pick_phones(count, rng):
    """``count`` Babinsa of the data set, spread over it, each with his villages."""
    rows = db.session.execute(
        select(User.username, BabinsaVillage.village_code)
        .join(BabinsaVillage, BabinsaVillage.user_id == User.id)
        .where(User.role == "babinsa", User.is_active_account.is_(True))
        .order_by(User.id, BabinsaVillage.village_code)).all()
    db.session.rollback()
    villages = {}
    for username, code in rows:
        villages.setdefault(username, []).append(code)
    if len(villages) < count:
        raise SystemExit(f"the data set has {len(villages)} Babinsa with villages, fewer than {count} phones")
    return [Phone(username, villages[username]) for username in rng.sample(sorted(villages), count)]


def queue_items(phones, tickets, replay_fraction, rng, run_tag):
    """The queued items, dealt to the phones in turn (each phone's list is oldest first)."""
    categories = sorted(words.TITLES)
    replayed = set(rng.sample(range(tickets), round(tickets * replay_fraction)))
    items = []
    for number in range(tickets):
        phone = phones[number % len(phones)]
        category = rng.choice(categories)
        item = Item(
            number=number, village_code=phone.villages[len(phone.items) % len(phone.villages)],
            category=category, severity=rng.choice(SEVERITIES),
            # The tag makes every item's ticket findable by its title.
            title=f"{rng.choice(words.TITLES[category])} [{run_tag}-{number:05d}]",
            description=rng.choice(words.GENERIC_DESCRIPTIONS), replay=number in replayed)
        phone.items.append(item)
        items.append(item)
    return items


# --- the storm ---------------------------------------------------------------

def post(port, path, body, headers, timeout=PHONE_TIMEOUT):
    """One POST to the local server; returns (status, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Storm:
    """The phones' run against one server, and every answer they got."""

    def __init__(self, port, phones, photo, password):
        self.port, self.phones, self.password = port, phones, password
        self.photo_body, self.photo_type = multipart("file", "foto.jpg", "image/jpeg", photo)
        self.lock = threading.Lock()
        self.answers = []  # (kind, status or failure, seconds)
        self.tokens = []
        self.token_seconds = 0.0
        self.seconds = 0.0

    def record(self, kind, outcome, seconds):
        with self.lock:
            self.answers.append((kind, outcome, seconds))

    def send(self, kind, path, body, headers):
        """Send as the outbox does: again with the same key after a timeout, a network error or a 5xx.

        Returns (status, JSON answer) of the first answer below 500, or
        (None, None) when every attempt failed.
        """
        for pause in (0, *BACKOFF):
            time.sleep(pause)
            started = time.perf_counter()
            try:
                status, raw = post(self.port, path, body, headers)
            except TimeoutError:
                self.record(kind, "timeout", None)
                continue
            except (OSError, http.client.HTTPException) as error:
                self.record(kind, f"network error ({type(error).__name__})", None)
                continue
            self.record(kind, status, time.perf_counter() - started)
            if status < 500:
                try:
                    return status, json.loads(raw)
                except ValueError:
                    return status, {}
        return None, None

    def take_token(self, phone):
        """Log the phone in over the API (``POST /api/v1/auth/tokens``); its items wait without one."""
        status, answer = self.send("token", TOKEN_PATH, json.dumps(
            {"username": phone.username, "password": self.password}).encode(),
            {"Content-Type": "application/json"})
        if status != 201:
            for item in phone.items:
                item.refused = f"no token ({status})"
            return
        phone.token = answer["token"]
        with self.lock:
            self.tokens.append(phone.token)

    def drain_phone(self, phone):
        """The phone's queued items, oldest first, one at a time."""
        if phone.token:
            for item in phone.items:
                self.send_item(item, {"Authorization": f"Bearer {phone.token}"})

    def send_item(self, item, authorization):
        headers = {**authorization, "Content-Type": "application/json", KEY_HEADER: item.ticket_key}
        body = item.ticket_body()
        status, answer = self.send("ticket", TICKETS_PATH, body, headers)
        if status != 201:
            item.refused = f"ticket {status}"
            return
        item.ticket_id = answer["id"]
        ticket_id = item.ticket_id
        if item.replay:
            status, answer = self.send("ticket replay", TICKETS_PATH, body, headers)
            item.replayed_ticket_id = answer.get("id") if status == 201 else None
            # The phone lost the first answer: it knows only the replay's.
            ticket_id = item.replayed_ticket_id or ticket_id
        path = f"{TICKETS_PATH}/{ticket_id}/attachments"
        headers = {**authorization, "Content-Type": self.photo_type, KEY_HEADER: item.photo_key}
        status, answer = self.send("upload", path, self.photo_body, headers)
        if status != 201:
            item.refused = f"photo {status}"
            return
        item.attachment_id = answer["id"]
        if item.replay:
            status, answer = self.send("upload replay", path, self.photo_body, headers)
            item.replayed_attachment_id = answer.get("id") if status == 201 else None

    def run(self, workers, concurrency):
        """Log every phone in, then the storm: every phone at once (``concurrency`` threads).

        The tokens are taken before the signal returns, ``workers`` at a
        time, as phones log in one by one while they have signal: a login
        is an argon2 check (about a second of CPU at production cost), so
        200 at once would be a storm of its own, not this one. Returns the
        seconds to drain.
        """
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(self.take_token, self.phones))
        self.token_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(self.drain_phone, self.phones))
        self.seconds = time.perf_counter() - started
        return self.seconds

    def latencies(self, kind):
        return [seconds for k, outcome, seconds in self.answers
                if k == kind and isinstance(outcome, int) and 200 <= outcome < 300]

    def by_status(self):
        return Counter((kind, outcome) for kind, outcome, _seconds in self.answers)


def ticket_keys_documented(app):
    """Whether the API says POST /api/v1/tickets takes an Idempotency-Key (phase 2 of issue 12)."""
    document = app.test_client().get(OPENAPI_PATH).get_json() or {}
    parameters = document.get("paths", {}).get("/tickets", {}).get("post", {}).get("parameters", [])
    return any(p.get("name") == KEY_HEADER or "dempotency" in p.get("$ref", "") for p in parameters)


# --- the database's view -------------------------------------------------------

def storage_bytes(tables):
    """Bytes the tables take with their indexes (and TOAST on PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        return db.session.execute(text(
            "SELECT COALESCE(SUM(pg_total_relation_size(CAST(name AS regclass))), 0) "
            "FROM unnest(CAST(:tables AS text[])) AS name"), {"tables": list(tables)}).scalar()
    names = {f"t{i}": name for i, name in enumerate(tables)}
    marks = ", ".join(f":{key}" for key in names)
    try:
        return db.session.execute(text(
            "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN "
            f"(SELECT name FROM sqlite_master WHERE tbl_name IN ({marks}))"), names).scalar()
    except OperationalError:  # a SQLite built without the dbstat table: the whole file
        db.session.rollback()
        path = db.engine.url.database
        return sum(os.path.getsize(path + suffix) for suffix in ("", "-wal") if os.path.exists(path + suffix))


def storage_snapshot():
    snapshot = {
        "photos": storage_bytes([Attachment.__tablename__, AttachmentBlob.__tablename__]),
        "keys": storage_bytes([IdempotencyKey.__tablename__]),
        "key_rows": db.session.execute(select(func.count()).select_from(IdempotencyKey)).scalar(),
    }
    db.session.rollback()
    return snapshot


@dataclass
class Census:
    """What the database holds for the storm's items."""

    items: int
    tickets: int
    lost: int
    duplicated: int
    photos: int
    items_without_photo: int
    extra_photos: int
    stored_bytes: int


def count_storm(items, run_tag):
    """Tickets and photos of the items, found by the tag in their titles."""
    tagged = Ticket.title.like(f"%[{run_tag}-%")
    tickets = dict(db.session.execute(
        select(Ticket.title, func.count()).where(tagged).group_by(Ticket.title)).all())
    photos = dict(db.session.execute(
        select(Ticket.title, func.count(Attachment.id)).join(Attachment, Attachment.ticket_id == Ticket.id)
        .where(tagged).group_by(Ticket.title)).all())
    stored = db.session.execute(
        select(func.coalesce(func.sum(func.length(AttachmentBlob.image) + func.length(AttachmentBlob.thumbnail)), 0))
        .join(Attachment, Attachment.id == AttachmentBlob.attachment_id)
        .join(Ticket, Ticket.id == Attachment.ticket_id).where(tagged)).scalar()
    db.session.rollback()
    titles = [item.title for item in items]
    return Census(
        items=len(set(titles)), tickets=sum(tickets.values()),
        lost=sum(1 for title in titles if not tickets.get(title)),
        duplicated=sum(count - 1 for count in tickets.values() if count > 1),
        photos=sum(photos.values()), items_without_photo=sum(1 for title in titles if not photos.get(title)),
        extra_photos=sum(count - 1 for count in photos.values() if count > 1), stored_bytes=stored)


# --- the first load of Tiket baru ----------------------------------------------

class QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without a log line per request."""

    def log_request(self, *_args):
        pass


class ByteCounter:
    """WSGI middleware recording every answer: path, who asked (page or service worker), bytes."""

    def __init__(self, app):
        self.app = app
        self.records = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING")
        record = {"path": path + (f"?{query}" if query else ""), "status": 0, "headers": 0, "body": 0,
                  "by": self.requester(environ, path)}

        def start(status, headers, exc_info=None):
            record["status"] = int(status.split()[0])
            # Status line, header lines and the blank line, as on the wire.
            record["headers"] = len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, start)
        try:
            for chunk in chunks:
                record["body"] += len(chunk)
                yield chunk
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
            with self.lock:
                self.records.append(record)

    @staticmethod
    def requester(environ, path):
        """``page``, ``service worker`` (its script and the scripts it imports) or ``precache``."""
        from_worker = environ.get("HTTP_REFERER", "").endswith("/sw.js")
        if path.endswith("/sw.js") or (from_worker and environ.get("HTTP_SEC_FETCH_DEST") == "script"):
            return "service worker"
        return "precache" if from_worker else "page"

    def quiet_for(self, seconds, limit):
        """Wait until no request arrived for ``seconds`` (at most ``limit`` seconds)."""
        deadline = time.monotonic() + limit
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            with self.lock:
                count = len(self.records)
            if count != seen:
                seen, since = count, time.monotonic()
            elif time.monotonic() - since >= seconds:
                return
            time.sleep(0.1)


def slow_3g_seconds(records):
    """Each request one after another: a round trip, then its bytes at 400 kbit/s."""
    return sum(SLOW_3G_RTT + (r["headers"] + r["body"]) * 8 / SLOW_3G_BITS_PER_SECOND for r in records)


def measure_first_load(app, username, log=print):
    """A fresh phone-sized Chromium opens Tiket baru logged in; returns the server's answers, or a reason.

    The app is served from a thread behind ByteCounter, so the requests the
    service worker makes (its script, its imports, its offline copies) are
    counted like the page's own.
    """
    if not os.path.exists(CHROMIUM):
        return None, f"{CHROMIUM} is not installed"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "the playwright package is not installed"
    counter = ByteCounter(app)
    server = make_server("127.0.0.1", 0, counter, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    cookie = logged_in_client(app, username).get_cookie(app.config["SESSION_COOKIE_NAME"])
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport=PHONE_VIEWPORT, base_url=base, locale="id-ID")
                context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
                page = context.new_page()
                response = page.goto(NEW_TICKET_PATH, wait_until="load")
                if response is None or response.status != 200 or not page.url.endswith(NEW_TICKET_PATH):
                    return None, f"{NEW_TICKET_PATH} answered {response and response.status} at {page.url}"
                worker = page.evaluate("() => 'serviceWorker' in navigator && navigator.serviceWorker"
                                       ".getRegistration().then(r => !!r)")
                if worker:
                    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
                counter.quiet_for(QUIET_SECONDS, 60)
            finally:
                browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    log(f"first load: {len(counter.records)} requests")
    return counter.records, ""


# --- the results ---------------------------------------------------------------

def _kb(size):
    return f"{size / 1000:,.1f} KB"


def _percentiles(samples):
    if not samples:
        return "–"
    return (f"p50 {format_seconds(median(samples))}, p95 {format_seconds(percentile(samples, 0.95))} "
            f"({len(samples):,} answers)")


def _verdict(ok):
    return "**met**" if ok else "**MISSED**"


def first_load_rows(records, reason):
    """Rows for the first load of Tiket baru: its bytes against the target, and slow-3G times."""
    target = f"≤ {FIRST_LOAD_LIMIT / 1000:.0f} KB"
    if records is None:
        return [("first load of Tiket baru", "not available", reason, target, "not available")]
    parts = {by: [r for r in records if r["by"] == by] for by in ("page", "service worker", "precache")}
    first = parts["page"] + parts["service worker"]
    size = sum(r["body"] for r in first)
    listed = ", ".join(f"{r['path'].split('?')[0]} {r['body']:,}" for r in first)
    precache = parts["precache"]
    rows = [
        ("first load of Tiket baru: page and service worker", _kb(size),
         f"{len(first)} requests, response bodies in bytes: {listed}", target, _verdict(size <= FIRST_LOAD_LIMIT)),
        ("… then the service worker's offline copies", _kb(sum(r["body"] for r in precache)),
         f"{len(precache)} requests in the background: "
         + ", ".join(f"{r['path'].split('?')[0]} {r['body']:,}" for r in precache), "", ""),
        ("first load on slow 3G (computed)",
         f"{slow_3g_seconds(parts['page']):.1f} s page, {slow_3g_seconds(first):.1f} s with the service worker, "
         f"{slow_3g_seconds(records):.1f} s with its offline copies",
         f"each request one after another: {SLOW_3G_RTT * 1000:.0f} ms round trip, then its bytes "
         f"(headers and body) at {SLOW_3G_BITS_PER_SECOND // 1000} kbit/s", "", ""),
    ]
    return rows


def render(*, key, backend, options, facts, load, sizes, photo, storm, census, before, after, wired,
           first_load, when):
    """The Markdown block of one storm."""
    replays = [item for item in storm_items(storm) if item.replay]
    same_tickets = sum(1 for i in replays if i.ticket_id is not None and i.replayed_ticket_id == i.ticket_id)
    same_photos = sum(1 for i in replays if i.attachment_id is not None
                      and i.replayed_attachment_id == i.attachment_id)
    delivered = census.items - census.lost
    growth = after["photos"] - before["photos"]
    key_growth = after["keys"] - before["keys"]
    key_rows = after["key_rows"] - before["key_rows"]
    statuses = storm.by_status()
    errors = {f"{kind} {outcome}": count for (kind, outcome), count in sorted(statuses.items(), key=str)
              if not (isinstance(outcome, int) and 200 <= outcome < 300)}
    sent = [kind for kind, _outcome, _seconds in storm.answers if kind != "token"]
    uploaded = sum(1 for kind in sent if kind.startswith("upload")) * len(storm.photo_body)
    rows = [
        ("time to drain", format_seconds(storm.seconds),
         f"{options.phones} phones ({options.concurrency} at once), logged in beforehand, from the first "
         "ticket POST to the last answer", "", ""),
        ("throughput", f"{delivered / storm.seconds:,.1f} tickets with their photo per s",
         f"{len(sent) / storm.seconds:,.1f} requests/s, {uploaded / storm.seconds / 1e6:,.2f} MB/s of photos "
         # Every worker busy all along: what one request costs a worker, queueing left out.
         f"sent; {format_seconds(options.workers * storm.seconds / len(sent))} of a worker per request",
         "", ""),
        ("token POST, before the storm", _percentiles(storm.latencies("token")),
         f"{options.phones} logins {options.workers} at a time in {format_seconds(storm.token_seconds)}: "
         "one argon2 check each", "", ""),
        ("ticket POST", _percentiles(storm.latencies("ticket")), "queueing behind the workers included", "", ""),
        ("photo upload", _percentiles(storm.latencies("upload")),
         f"{len(storm.photo_body):,} B multipart each", "", ""),
        ("replayed ticket POST", _percentiles(storm.latencies("ticket replay")), "", "", ""),
        ("replayed photo upload", _percentiles(storm.latencies("upload replay")), "", "", ""),
        ("database growth per photo", _kb(growth / census.photos) if census.photos else "–",
         f"attachment tables with indexes{' and TOAST' if backend == 'PostgreSQL' else ''}: "
         f"{before['photos']:,} → {after['photos']:,} B for {census.photos:,} photos; "
         f"stored image + thumbnail {census.stored_bytes / census.photos if census.photos else 0:,.0f} B "
         "on average", "", ""),
        ("idempotency keys", _kb(key_growth / key_rows) if key_rows else "–",
         f"{key_rows:,} keys stored, {before['keys']:,} → {after['keys']:,} B", "", ""),
        ("lost", f"{census.lost:,}", f"{census.items:,} items, each looked up by the tag in its title; "
         f"{census.items_without_photo:,} without a photo", "0", _verdict(census.lost == 0
                                                                           and census.items_without_photo == 0)),
        ("duplicated", f"{census.duplicated:,}",
         f"{census.tickets:,} tickets for {census.items:,} items, {census.extra_photos:,} photos too many; "
         f"replays answering the first ticket {same_tickets:,} of {len(replays):,}, "
         f"the first photo {same_photos:,} of {len(replays):,}", "0",
         _verdict(census.duplicated == 0 and census.extra_photos == 0)),
        ("errors by status", ", ".join(f"{name}: {count:,}" for name, count in errors.items()) or "none",
         "answers: " + ", ".join(f"{kind} {outcome}: {count:,}" for (kind, outcome), count
                                 in sorted(statuses.items(), key=str)), "", ""),
    ]
    rows += first_load
    lines = [f"<!-- bench:{key} -->",
             f"## Signal returns (issue 12) · {backend} · {options.phones:,} phones, {options.tickets:,} tickets "
             f"with a photo · {when}", ""]
    lines.append("Machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()) + ".")
    lines.append("Load average (1/5/15 min) at the start {} and at the end {}.".format(
        *("/".join(f"{x:.1f}" for x in averages) for averages in load)))
    lines.append("")
    lines.append(
        f"gunicorn {options.workers} workers on the bench data set ("
        + ", ".join(f"{name} {count:,}" for name, count in sizes.items() if name in ("ticket", "user_account",
                                                                                    "villages"))
        + f"). Photo: {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} JPEG of {len(photo):,} B. Replayed with the same keys: "
        f"{len(replays):,} items ({options.replay:.0%}). Timeout {PHONE_TIMEOUT} s, then the outbox's backoff "
        f"({', '.join(f'{s} s' for s in BACKOFF)}).")
    lines.append("")
    lines.append("| figure | value | detail | target | verdict |")
    lines.append("|---|---|---|---|---|")
    for row in rows:
        lines.append("| " + " | ".join(" ".join(str(cell).replace("|", "/").split()) for cell in row) + " |")
    lines.append("")
    if not wired:
        lines.append(f"- POST {TICKETS_PATH} does not take `{KEY_HEADER}` yet (phase 2 of issue 12 is being "
                     "wired): each replayed ticket is a second ticket, so the duplicates above are expected "
                     "until it lands. Photos already answer a replay with the first photo.")
        lines.append("")
    lines.append("<!-- /bench -->")
    return "\n".join(lines) + "\n"


def storm_items(storm):
    return [item for phone in storm.phones for item in phone.items]


@dataclass
class Outcome:
    """What a storm found, for the caller (and the tests)."""

    storm: Storm
    census: Census
    wired: bool
    photo: bytes
    first_load: list | None
    block: str


def run(options, log=print):
    """Build or reuse the data set, storm it under gunicorn, count, measure the first load, write the block."""
    load_at_start = os.getloadavg()
    rng = random.Random(options.seed)
    app = make_app(options.database)
    with app.app_context():
        _check_target_database(options, log)
        facts = report.machine_facts(db.engine)
        dataset = data.prepare(options.reuse, options.background, options.seed, options.regions, log=log)
        phones = pick_phones(options.phones, rng)
        run_tag = f"storm-{uuid.uuid4().hex[:8]}"
        items = queue_items(phones, options.tickets, options.replay, rng, run_tag)
        photo = make_photo(options.seed)
        wired = ticket_keys_documented(app)
        log(f"{len(phones)} phones, {len(items)} items, photo {len(photo):,} B; "
            f"Idempotency-Key on POST {TICKETS_PATH}: {'yes' if wired else 'not yet'}")
        first_load, reason = measure_first_load(app, phones[0].username, log) if options.first_load \
            else (None, "skipped (--no-first-load)")
        before = storage_snapshot()
        storm = Storm(0, phones, photo, data.BENCH_PASSWORD)
        try:
            with Gunicorn("run:app", server_env(options.database), options.workers, "/healthz") as server:
                storm.port = server.port
                log(f"storm: {options.phones} phones against gunicorn on port {server.port}")
                storm.run(options.workers, options.concurrency)
            log(f"drained in {storm.seconds:.1f} s")
            after = storage_snapshot()
            census = count_storm(items, run_tag)
        finally:
            data.drop_bench_tokens(storm.tokens)
        backend = "PostgreSQL" if db.engine.dialect.name == "postgresql" else "SQLite"
        key = f"storm:{db.engine.dialect.name}:{options.phones}x{options.tickets}"
        block = render(key=key, backend=backend, options=options, facts=facts,
                       load=(load_at_start, os.getloadavg()), sizes=dataset.sizes, photo=photo, storm=storm,
                       census=census, before=before, after=after, wired=wired,
                       first_load=first_load_rows(first_load, reason),
                       when=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
        report.write(options.output, key, block)
        db.session.remove()
        db.engine.dispose()
    log(block)
    return Outcome(storm=storm, census=census, wired=wired, photo=photo, first_load=first_load, block=block)


def main(argv=None, log=print):
    """``python -m bench.storm``: run the storm and write its block to the results file."""
    run(parse(argv), log=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
