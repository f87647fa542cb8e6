"""The national data set: regions, units, users, elections, visits, tickets.

Everything is derived from one ``random.Random(seed)`` and the measuring
moment, so the same seed and ``--at`` give the same rows. Rows are written
with bulk inserts: COPY on PostgreSQL (psycopg 3 ``cursor.copy``) and
``executemany`` of plain tuples on SQLite, never the ORM row by row. The
secondary indexes of the big tables are dropped during the load and built
afterwards, as the models define them.
"""
import bisect
import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Date, DateTime, func, inspect, select, text
from sqlalchemy.schema import CreateColumn

from bench import vocabulary as words
from tracker.auth.models import ApiToken, BabinsaVillage, User
from tracker.auth.passwords import hash_password
from tracker.auth.services import issue_token
from tracker.counters import tally
from tracker.elections.models import Election, ElectionArea, ElectionStage
from tracker.extensions import db
from tracker.regions.codes import WIB, WIT, WITA
from tracker.regions.models import Region
from tracker.regions.services import import_regions
from tracker.tickets import search
from tracker.tickets.models import SEVERITY_RANK, Ticket, TicketCounter, TicketEvent
from tracker.units.models import Unit, UnitRegion
from tracker.visits.models import Visit

BENCH_PASSWORD = "waspada-bench"
META_TABLE = "bench_meta"
CHUNK = 20_000
PERIOD_DAYS = 365
UTC_OFFSET_HOURS = {WIB: 7, WITA: 8, WIT: 9}
DUE_HOURS = {"critical": 24, "high": 72, "medium": 168, "low": 336}

# Zipf-like exponent over villages: the busiest village holds about 1% of
# all tickets, the quietest a handful a year.
ZIPF_EXPONENT = 0.7
SEVERITY_WEIGHTS = (("low", 35), ("medium", 35), ("high", 20), ("critical", 10))
CATEGORY_WEIGHTS = {
    "money_politics": 10, "identity_politics": 5, "hoax": 10, "supporter_conflict": 7,
    "campaign_violation": 9, "neutrality": 5, "election_logistics": 5, "voter_roll": 6,
    "pilkades_dispute": 5, "land_dispute": 8, "social_conflict": 8, "crime": 9,
    "disaster": 5, "public_service": 6, "other": 2,
}
UNRESOLVED_WEIGHTS = (("new", 30), ("triaged", 20), ("in_progress", 35), ("escalated", 15))
SETTLED_WEIGHTS = (("closed", 70), ("resolved", 22), ("rejected", 8))
# The status path of a ticket: (action event kind, from, to) after "created".
PATHS = {
    "new": (),
    "triaged": (("status", "new", "triaged"),),
    "in_progress": (("status", "new", "triaged"), ("status", "triaged", "in_progress")),
    "escalated": (("status", "new", "triaged"), ("escalated", "triaged", "escalated")),
    "resolved": (("status", "new", "triaged"), ("status", "triaged", "in_progress"),
                 ("status", "in_progress", "resolved")),
    "closed": (("status", "new", "triaged"), ("status", "triaged", "in_progress"),
               ("status", "in_progress", "resolved"), ("status", "resolved", "closed")),
    "rejected": (("status", "new", "rejected"),),
}
# Pilkades waves: days from the measuring day to voting day, so that the
# waves sit in different stages (quiet, voting, campaign, lead-up, recap).
PILKADES_OFFSETS = (2, 0, 5, 30, -10, 50)
NATIONAL_VOTING_OFFSET = 40  # campaign stage of Pileg and Pilpres
STAGE_DAYS = {  # from issue 4: (lead-up from, campaign from, campaign to, recap until)
    "pileg": (-120, -78, -4, 35), "pilpres": (-120, -78, -4, 35),
    "pilkada": (-90, -63, -4, 19), "pilkades": (-60, -6, -4, 30),
}


@dataclass
class Village:
    code: str
    district: str
    regency: str
    timezone: str
    kind: str
    babinsa_id: int = 0


@dataclass
class DataSet:
    """What the measurements need to know about the generated data."""

    moment: datetime
    seed: int
    tickets: int
    sizes: dict = field(default_factory=dict)
    kodim_user: str = ""
    koramil_user: str = ""
    admin_user: str = "admin"
    search_term: str = words.SEARCH_TERM
    region_import_seconds: float = 0.0
    generate_seconds: float = 0.0
    regions_path: str = ""

    def to_json(self):
        data = dict(self.__dict__)
        data["moment"] = self.moment.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw):
        data = json.loads(raw)
        data["moment"] = datetime.fromisoformat(data["moment"])
        return cls(**data)


# --- bulk writing -------------------------------------------------------------

class BulkWriter:
    """Writes plain tuples into a table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine):
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        if not self.is_postgres:
            # The generator writes consistent rows by construction; checking
            # every foreign key of millions of rows only slows the load.
            self.raw.driver_connection.execute("PRAGMA foreign_keys=OFF")

    def write(self, table, columns, rows):
        """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
        if self.is_postgres:
            with self.raw.driver_connection.cursor() as cursor:
                with cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        converted = [(i, conv) for i, conv in enumerate(_sqlite_converter(table.c[n].type) for n in columns) if conv]
        if converted:
            rows = [_convert(row, converted) for row in rows]
        marks = ", ".join("?" for _ in columns)
        cursor = self.raw.driver_connection.cursor()
        cursor.executemany(f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({marks})', rows)
        cursor.close()

    def commit(self):
        self.raw.commit()

    def close(self):
        if not self.is_postgres:
            self.raw.driver_connection.execute("PRAGMA foreign_keys=ON")
        self.raw.close()


def _sqlite_converter(column_type):
    """SQLite keeps dates as text in SQLAlchemy's own format; write them the same way.

    Datetimes are UTC: ``YYYY-MM-DD HH:MM:SS.ffffff`` without the offset.
    """
    if isinstance(column_type, DateTime):
        return lambda v: v.isoformat(" ", "microseconds")[:26]
    if isinstance(column_type, Date):
        return date.isoformat
    return None


def _convert(row, converted):
    values = list(row)
    for index, convert in converted:
        if values[index] is not None:
            values[index] = convert(values[index])
    return values


# --- schema -------------------------------------------------------------------

BIG_TABLES = (Ticket.__table__, TicketEvent.__table__, Visit.__table__)


def create_schema():
    """Drop everything and create the models' schema (create_all: bench databases only)."""
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {META_TABLE}"))
    db.drop_all()
    db.create_all()
    with db.engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {META_TABLE} (name VARCHAR(40) PRIMARY KEY, value TEXT)"))


def _drop_secondary_indexes():
    with db.engine.begin() as connection:
        for table in BIG_TABLES:
            for index in table.indexes:
                index.drop(connection)
        # The SQLite search index is not kept row by row during the load: rebuilt once after it.
        search.drop_triggers(connection)


def _create_secondary_indexes():
    with db.engine.begin() as connection:
        for table in BIG_TABLES:
            for index in table.indexes:
                index.create(connection)
        search.create_index(connection, fill=True)


def _finish_database():
    """Reset the id sequences after explicit ids, then gather planner statistics."""
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            for table in db.metadata.sorted_tables:
                if "id" in table.c:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"
                    ))
    analyze(vacuum=True)


def sync_schema(log=print):
    """Bring a reused data set's columns and indexes to the models' definitions.

    A data set outlives code changes (``--reuse``): an index the models
    define that is missing or covers other columns is (re)built, and an
    ``ix_`` index the models no longer define is dropped, a column the
    models added (nullable or with a server default) is added and a table they added is created, so a reused set is measured with the
    schema of the code under test. Returns the names changed.
    """
    inspector = inspect(db.engine)
    changed = []
    with db.engine.begin() as connection:
        existing = set(inspector.get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name not in existing:
                # A table added since the set was built starts empty, with its indexes.
                log(f"creating table {table.name}")
                table.create(connection)
                changed.append(table.name)
                continue
            # A column added since the set was built (nullable, or with a server default
            # the old rows take).
            have = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and (column.nullable or column.server_default is not None):
                    spec = CreateColumn(column).compile(dialect=db.engine.dialect)
                    log(f"adding column {table.name}.{column.name}")
                    connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN {spec}'))
                    changed.append(f"{table.name}.{column.name}")
            present = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes(table.name)}
            wanted = {index.name: index for index in table.indexes}
            for name, columns in present.items():
                if name and name.startswith("ix_") and name not in wanted:
                    connection.execute(text(f'DROP INDEX "{name}"'))
                    changed.append(f"-{name}")
            for name, index in wanted.items():
                only_for = getattr(getattr(index, "_ddl_if", None), "dialect", None)
                if only_for and only_for != db.engine.dialect.name:
                    continue
                columns = [column.name for column in index.columns]
                if name in present and (present[name] == columns or not columns):
                    continue  # (an expression index is taken as it is)
                if name in present:
                    index.drop(connection)
                log(f"building index {name} on {table.name}")
                index.create(connection)
                changed.append(name)
    if db.engine.dialect.name == "sqlite" and search.FTS_TABLE not in existing:
        # A set built before the SQLite search index: index its tickets.
        log(f"building the search index {search.FTS_TABLE}")
        with db.engine.begin() as connection:
            search.create_index(connection, fill=True)
        changed.append(search.FTS_TABLE)
    if {"ticket_tally", "ticket_day_tally", "village_open"} & set(changed):
        # Counter tables new to a reused set are filled from its tickets.
        log("recounting the ticket counters")
        rebuild_counters()
    if changed:
        # Rebuilt indexes and recounted tables as autovacuum would leave them (statistics, visibility).
        analyze(vacuum=True)
    return changed


def rebuild_counters():
    """Recount the ticket counters from the tickets and flags and commit (see ``tracker.counters.tally``)."""
    tally.rebuild(db.session)
    db.session.commit()


def analyze(vacuum=False):
    """Gather planner statistics (ANALYZE) for the whole database; on PostgreSQL VACUUM too if asked."""
    if db.engine.dialect.name == "postgresql":
        # VACUUM cannot run inside a transaction block.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if vacuum else "ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def save_meta(dataset):
    with db.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {META_TABLE} WHERE name = 'dataset'"))
        connection.execute(text(f"INSERT INTO {META_TABLE} (name, value) VALUES ('dataset', :v)"),
                           {"v": dataset.to_json()})


def prepare(reuse, tickets, seed, regions_path, log=print):
    """The data set of a load run: the stored one when ``reuse`` finds one (its schema
    brought up to date), else a new one of ``tickets`` generated now (on the hour)."""
    dataset = load_meta() if reuse else None
    if dataset is not None:
        sync_schema(log=log)
        return dataset
    with open(regions_path, encoding="utf-8-sig") as handle:
        regions_text = handle.read()
    moment = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    log(f"generating {tickets:,} tickets (seed {seed})")
    return Generator(tickets=tickets, seed=seed, moment=moment, regions_text=regions_text,
                     regions_path=regions_path, log=log).run()


def load_meta():
    """The DataSet stored by the last generation, or None when there is none."""
    try:
        with db.engine.connect() as connection:
            raw = connection.execute(text(f"SELECT value FROM {META_TABLE} WHERE name = 'dataset'")).scalar()
    except Exception:  # no meta table: not a bench database
        return None
    return DataSet.from_json(raw) if raw else None


def table_sizes():
    """Row counts of the tables the measurements read."""
    sizes = {}
    for model in (Region, Unit, User, BabinsaVillage, Visit, Ticket, TicketEvent, Election,
                  ElectionArea, ElectionStage):
        sizes[model.__tablename__] = db.session.execute(select(func.count()).select_from(model)).scalar()
    sizes["villages"] = db.session.execute(
        select(func.count()).select_from(Region).where(Region.level == 4)).scalar()
    db.session.rollback()
    return sizes


# --- generation ---------------------------------------------------------------

def _weighted(rng, pairs):
    names = [p[0] for p in pairs]
    cum = []
    total = 0
    for _name, weight in pairs:
        total += weight
        cum.append(total)
    return names, cum, total


def _pick(rng, names, cum, total):
    return names[bisect.bisect_right(cum, rng.random() * total)]


def _local_day(moment, tz):
    return (moment + timedelta(hours=UTC_OFFSET_HOURS[tz])).date()


class Generator:
    """Builds the data set; ``run()`` returns the DataSet description."""

    def __init__(self, *, tickets, seed, moment, regions_text, regions_path, log=print):
        self.n_tickets = tickets
        self.seed = seed
        self.moment = moment
        self.regions_text = regions_text
        self.regions_path = regions_path
        self.log = log
        self.rng = random.Random(seed)
        self.ids = {}

    def next_id(self, name):
        self.ids[name] = self.ids.get(name, 0) + 1
        return self.ids[name]

    def run(self):
        started = time.perf_counter()
        create_schema()
        self.log("schema created")
        region_seconds = self.import_regions()
        self.log(f"regions imported in {region_seconds:.1f} s")
        writer = BulkWriter(db.engine)
        try:
            self.load_regions()
            self.write_units(writer)
            self.write_users(writer)
            writer.commit()
            self.log(f"units and users written: {len(self.kodims)} Kodim, {len(self.koramils)} Koramil, "
                     f"{self.ids.get('user', 0)} users")
            _drop_secondary_indexes()
            village_picks = self.pick_villages()
            self.write_elections(writer, village_picks)
            self.write_routine_visits(writer)
            writer.commit()
            self.write_tickets(writer, village_picks)
            writer.commit()
        finally:
            writer.close()
        self.log("building indexes")
        _create_secondary_indexes()
        # The loader writes around the ORM: the ticket counters are recounted once, as `flask counters rebuild`.
        started_counters = time.perf_counter()
        rebuild_counters()
        self.log(f"counters rebuilt in {time.perf_counter() - started_counters:.1f} s")
        _finish_database()
        dataset = DataSet(
            moment=self.moment, seed=self.seed, tickets=self.n_tickets,
            kodim_user=self.kodim_username, koramil_user=self.koramil_username,
            region_import_seconds=region_seconds, regions_path=self.regions_path,
        )
        dataset.sizes = table_sizes()
        dataset.generate_seconds = time.perf_counter() - started
        save_meta(dataset)
        return dataset

    # regions, units, users -----------------------------------------------

    def import_regions(self):
        """The real importer, timed: the first import into an empty table."""
        started = time.perf_counter()
        import_regions(self.regions_text)
        db.session.commit()
        return time.perf_counter() - started

    def load_regions(self):
        rows = db.session.execute(
            select(Region.code, Region.name, Region.level, Region.kind, Region.regency_code,
                   Region.district_code, Region.timezone).order_by(Region.code)
        ).all()
        db.session.rollback()
        self.regencies = [(r.code, r.name, r.timezone) for r in rows if r.level == 2]
        self.districts = [(r.code, r.name, r.regency_code) for r in rows if r.level == 3]
        self.provinces = [(r.code, r.name) for r in rows if r.level == 1]
        self.villages = [Village(r.code, r.district_code, r.regency_code, r.timezone, r.kind)
                         for r in rows if r.level == 4]

    def write_units(self, writer):
        units, covered = [], []
        korem_of = {}
        for code, name in self.provinces:
            kodam = self.next_id("unit")
            units.append((kodam, "kodam", code, f"Kodam {code}/{name}", None))
            korem = self.next_id("unit")
            units.append((korem, "korem", code, f"Korem {code}/{name}", kodam))
            korem_of[code] = korem
        self.kodims = {}  # regency code -> (unit id, number)
        koramil_seq = {}
        for number, (code, name, _tz) in enumerate(self.regencies, start=1):
            unit_id = self.next_id("unit")
            kodim_number = f"{number:04d}"
            units.append((unit_id, "kodim", kodim_number, f"Kodim {kodim_number}/{name}", korem_of[code[:2]]))
            covered.append((self.next_id("unit_region"), unit_id, code))
            self.kodims[code] = (unit_id, kodim_number)
            koramil_seq[code] = 0
        self.koramils = {}  # district code -> (unit id, number)
        for code, name, regency in self.districts:
            koramil_seq[regency] += 1
            kodim_id, kodim_number = self.kodims[regency]
            number = f"{koramil_seq[regency]:02d}"
            unit_id = self.next_id("unit")
            units.append((unit_id, "koramil", number, f"Koramil {kodim_number}-{number}/{name}", kodim_id))
            covered.append((self.next_id("unit_region"), unit_id, code))
            self.koramils[code] = (unit_id, number)
        writer.write(Unit.__table__, ("id", "kind", "number", "name", "parent_id"), units)
        writer.write(UnitRegion.__table__, ("id", "unit_id", "region_code"), covered)

    def write_users(self, writer):
        """Admin, one commander per Kodim and Koramil (email, digest on), a Babinsa per two villages."""
        password_hash = hash_password(BENCH_PASSWORD)
        created = self.moment - timedelta(days=PERIOD_DAYS + 30)
        users, assigned = [], []

        def user(username, full_name, rank, role, unit_id, email):
            user_id = self.next_id("user")
            users.append((user_id, username, full_name, rank, None, role, unit_id, email, "id", True,
                          email is not None, password_hash, 0, None, created))
            return user_id

        self.admin_id = user("admin", "Operator Waspada", None, "admin", None, "admin@bench.waspada.example")
        self.kodim_commander = {}
        for regency, (unit_id, number) in self.kodims.items():
            name = f"dandim.{number}"
            self.kodim_commander[regency] = user(name, f"Dandim {number}", "Letkol Inf", "kodim", unit_id,
                                                 f"{name}@bench.waspada.example")
        self.koramil_commander = {}
        for district, (unit_id, number) in self.koramils.items():
            name = f"danramil.{self.kodims[district[:5]][1]}.{number}"
            self.koramil_commander[district] = user(name, f"Danramil {number}", "Kapten Inf", "koramil",
                                                    unit_id, f"{name}@bench.waspada.example")
        by_district = {}
        for village in self.villages:
            by_district.setdefault(village.district, []).append(village)
        for district, villages in by_district.items():
            unit_id = self.koramils[district][0]
            for start in range(0, len(villages), 2):
                babinsa_id = user(f"babinsa.{self.ids['user'] + 1}", "Babinsa", "Serda", "babinsa",
                                  unit_id, None)
                for village in villages[start:start + 2]:
                    village.babinsa_id = babinsa_id
                    assigned.append((self.next_id("babinsa_village"), babinsa_id, village.code))
        columns = ("id", "username", "full_name", "rank", "nrp", "role", "unit_id", "email", "locale",
                   "is_active", "is_digest_enabled", "password_hash", "failed_logins",
                   "last_login_at", "created_at")
        writer.write(User.__table__, columns, users)
        writer.write(BabinsaVillage.__table__, ("id", "user_id", "village_code"), assigned)

    # tickets -------------------------------------------------------------

    def pick_villages(self):
        """The village of every ticket: Zipf-like over a seeded ranking of villages."""
        order = list(range(len(self.villages)))
        self.rng.shuffle(order)
        cum, total = [], 0.0
        for rank in range(1, len(order) + 1):
            total += rank ** -ZIPF_EXPONENT
            cum.append(total)
        picks = self.rng.choices(order, cum_weights=cum, k=self.n_tickets)
        # The measured Kodim and Koramil are the busiest: the worst case.
        per_regency, per_district = {}, {}
        for index in picks:
            village = self.villages[index]
            per_regency[village.regency] = per_regency.get(village.regency, 0) + 1
            per_district[village.district] = per_district.get(village.district, 0) + 1
        self.busiest_regency = max(per_regency, key=lambda k: (per_regency[k], k)) if picks else self.regencies[0][0]
        busiest_district = max(per_district, key=lambda k: (per_district[k], k)) if picks else self.districts[0][0]
        self.kodim_username = f"dandim.{self.kodims[self.busiest_regency][1]}"
        self.koramil_username = (f"danramil.{self.kodims[busiest_district[:5]][1]}."
                                 f"{self.koramils[busiest_district][1]}")
        return picks

    def write_routine_visits(self, writer):
        """Komsos visits over the last 60 days; some villages get none (silent)."""
        rows = []
        for village in self.villages:
            for _ in range(self.rng.choices((0, 1, 2, 3), (15, 35, 30, 20))[0]):
                day = _local_day(self.moment, village.timezone) - timedelta(days=self.rng.randrange(60))
                rows.append(self._visit_row(village, village.babinsa_id, day))
        writer.write(Visit.__table__, VISIT_COLUMNS, rows)

    def _visit_row(self, village, babinsa_id, day):
        created = datetime(day.year, day.month, day.day, 10, tzinfo=timezone.utc) - \
            timedelta(hours=UTC_OFFSET_HOURS[village.timezone])
        return (self.next_id("visit"), babinsa_id, village.code, day, self.rng.choice(words.MET_WITH),
                self.rng.choice(words.VISIT_NOTES), min(created, self.moment))

    def write_tickets(self, writer, picks):
        rng = self.rng
        n = len(picks)
        start = self.moment - timedelta(days=PERIOD_DAYS)
        span = (self.moment - start).total_seconds() - 60
        # Ids grow with time, as in a real database.
        offsets = sorted(rng.random() for _ in range(n))
        severities = _weighted(rng, SEVERITY_WEIGHTS)
        categories = _weighted(rng, tuple(CATEGORY_WEIGHTS.items()))
        unresolved = _weighted(rng, UNRESOLVED_WEIGHTS)
        settled = _weighted(rng, SETTLED_WEIGHTS)
        counters = {}
        event_columns = ("id", "ticket_id", "kind", "actor_id", "at", "from_value", "to_value", "reason")
        ticket_columns = ("id", "ref", "village_code", "district_code", "regency_code", "visit_id",
                          "reporter_id", "category", "severity", "severity_rank", "status", "level", "title",
                          "description", "parties", "occurred_on", "is_sensitive", "reported_at",
                          "updated_at", "due_at", "resolved_at", "version")
        for chunk_start in range(0, n, CHUNK):
            tickets, events, visits = [], [], []
            for i in range(chunk_start, min(n, chunk_start + CHUNK)):
                village = self.villages[picks[i]]
                reported = start + timedelta(seconds=offsets[i] * span)
                age_days = (self.moment - reported).days
                p_open = 0.55 if age_days < 14 else 0.15 if age_days < 60 else 0.065
                status = _pick(rng, *unresolved) if rng.random() < p_open else _pick(rng, *settled)
                severity = _pick(rng, *severities)
                category = _pick(rng, *categories)
                koramil_id = self.koramil_commander[village.district]
                kodim_id = self.kodim_commander[village.regency]
                reporter = koramil_id if rng.random() < 0.1 else village.babinsa_id
                escalated_before = status in ("in_progress", "resolved", "closed") and rng.random() < 0.08
                level = "kodim" if status == "escalated" or escalated_before else "koramil"
                ticket_id = self.next_id("ticket")

                path = list(PATHS[status])
                if escalated_before:
                    path[1] = ("escalated", "triaged", "escalated")
                    path.insert(2, ("status", "escalated", "in_progress"))
                n_events = max(len(path) + 1, rng.randint(2, 6))
                times = [reported]
                for _ in range(n_events - 1):
                    times.append(times[-1] + timedelta(hours=rng.expovariate(1 / 30)))
                if times[-1] > self.moment:
                    scale = (self.moment - reported).total_seconds() * 0.99 / (times[-1] - reported).total_seconds()
                    times = [reported + (t - reported) * scale for t in times]
                events.append((self.next_id("event"), ticket_id, "created", reporter, reported, None, "new", ""))
                resolved_at = None
                comment_slots = n_events - 1 - len(path)
                step_times = times[1:]
                # Comments fall between the status changes, the path keeps its order.
                slots = sorted(rng.sample(range(len(step_times)), comment_slots)) if comment_slots else []
                path_iter = iter(path)
                for k, at in enumerate(step_times):
                    if slots and k == slots[0]:
                        slots.pop(0)
                        actor = rng.choice((village.babinsa_id, koramil_id, kodim_id))
                        events.append((self.next_id("event"), ticket_id, "comment", actor, at, None, None,
                                       rng.choice(words.COMMENTS)))
                        continue
                    kind, old, new = next(path_iter)
                    actor = kodim_id if old == "escalated" else koramil_id
                    reason = ""
                    if kind == "escalated":
                        reason = words.REASONS["escalate"]
                    elif new == "resolved":
                        reason = words.REASONS["resolve"]
                        resolved_at = at
                    elif new == "rejected":
                        reason = words.REASONS["reject"]
                    events.append((self.next_id("event"), ticket_id, kind, actor, at, old, new, reason))

                local = _local_day(reported, village.timezone)
                prefix = self.kodims[village.regency][1]
                counters[(prefix, local.year)] = counters.get((prefix, local.year), 0) + 1
                visit_id = None
                if reporter == village.babinsa_id and rng.random() < 0.5:
                    visits.append(self._visit_row(village, reporter, local))
                    visit_id = visits[-1][0]
                description = " ".join(
                    rng.sample(words.DESCRIPTIONS.get(category, ()) + words.GENERIC_DESCRIPTIONS, 2))
                tickets.append((
                    ticket_id, f"{prefix}-{local.year}-{counters[(prefix, local.year)]:06d}", village.code,
                    village.district, village.regency, visit_id, reporter, category, severity,
                    SEVERITY_RANK[severity], status, level, rng.choice(words.TITLES[category]), description,
                    rng.choice(words.PARTIES) if rng.random() < 0.3 else "",
                    local - timedelta(days=rng.randrange(4)), rng.random() < 0.03, reported,
                    events[-1][4], reported + timedelta(hours=DUE_HOURS[severity]), resolved_at,
                    1 + len(path),
                ))
            writer.write(Visit.__table__, VISIT_COLUMNS, visits)
            writer.write(Ticket.__table__, ticket_columns, tickets)
            writer.write(TicketEvent.__table__, event_columns, events)
            writer.commit()
            self.log(f"tickets {min(n, chunk_start + CHUNK):,} / {n:,}")
        writer.write(TicketCounter.__table__, ("id", "prefix", "year", "last_value"),
                     [(self.next_id("counter"), prefix, year, value)
                      for (prefix, year), value in sorted(counters.items())])

    # elections -----------------------------------------------------------

    def write_elections(self, writer, picks):
        """Pileg and Pilpres nationally in their campaign, Pilkades waves in several kabupaten."""
        today = _local_day(self.moment, WIB)
        created = self.moment - timedelta(days=200)
        elections, areas, stages = [], [], []

        def election(kind, name, voting_on, scope_kind, codes):
            lead, campaign_from, campaign_to, recap = STAGE_DAYS[kind]
            election_id = self.next_id("election")
            day = timedelta(days=1)
            spans = (("lead_up", voting_on + lead * day, voting_on + (campaign_from - 1) * day),
                     ("campaign", voting_on + campaign_from * day, voting_on + campaign_to * day),
                     ("quiet", voting_on - 3 * day, voting_on - day),
                     ("voting", voting_on, voting_on),
                     ("recap", voting_on + day, voting_on + recap * day))
            elections.append((election_id, kind, name, voting_on, scope_kind, spans[0][1], spans[-1][2],
                              self.admin_id, created))
            for stage, first, last in spans:
                stages.append((self.next_id("stage"), election_id, stage, first, last))
            for code in codes:
                areas.append((self.next_id("area"), election_id, code))

        voting = today + timedelta(days=NATIONAL_VOTING_OFFSET)
        election("pileg", f"Pemilu Legislatif {voting.year}", voting, "national", ())
        election("pilpres", f"Pemilu Presiden {voting.year}", voting, "national", ())
        desa_by_regency = {}
        for village in self.villages:
            if village.kind in ("desa", "desa_adat"):
                desa_by_regency.setdefault(village.regency, []).append(village.code)
        candidates = sorted(r for r in desa_by_regency if r != self.busiest_regency)
        chosen = [self.busiest_regency] if self.busiest_regency in desa_by_regency else []
        chosen += self.rng.sample(candidates, min(len(candidates), len(PILKADES_OFFSETS) - len(chosen)))
        names = {code: name for code, name, _tz in self.regencies}
        for regency, offset in zip(chosen, PILKADES_OFFSETS):
            desa = [code for code in desa_by_regency[regency] if self.rng.random() < 0.6]
            voting = today + timedelta(days=offset)
            election("pilkades", f"Pilkades serentak {names[regency]} {voting.isoformat()}", voting,
                     "villages", desa)
        writer.write(Election.__table__, ("id", "kind", "name", "voting_on", "scope_kind", "window_start",
                                          "window_end", "created_by_id", "created_at"), elections)
        writer.write(ElectionStage.__table__, ("id", "election_id", "name", "starts_on", "ends_on"), stages)
        writer.write(ElectionArea.__table__, ("id", "election_id", "region_code"), areas)
        self.log(f"elections: 2 national, {len(chosen)} Pilkades waves")


VISIT_COLUMNS = ("id", "babinsa_id", "village_code", "visited_on", "met_with", "notes", "created_at")


def issue_bench_tokens(usernames):
    """API tokens for the measured users (plain text, for the Authorization header)."""
    tokens = {}
    for username in usernames:
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        tokens[username] = issue_token(user)[0]
    db.session.commit()
    return tokens


def drop_bench_tokens(tokens=None):
    """Delete the API tokens the bench issued: those given, or every token of the bench database."""
    table = ApiToken.__table__
    if tokens is None:
        db.session.execute(table.delete())
    else:
        digests = [hashlib.sha256(token.encode()).hexdigest() for token in tokens]
        db.session.execute(table.delete().where(table.c.token_hash.in_(digests)))
    db.session.commit()
