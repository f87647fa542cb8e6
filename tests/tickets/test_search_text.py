"""Text search means the same on SQLite (FTS5 trigram index) and PostgreSQL (pg_trgm):
the stripped, lower-cased query occurs in the title or the description.

Each test runs on the suite's engine and compares the search with a plain Python
substring filter over the same visible tickets, so both engines are held to one
reference. The ticket texts use upper case only in ASCII (as Indonesian does); the
databases' lower() and Python's agree on those, on any engine locale.
"""
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU
from tracker import scope
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.tickets import search
from tracker.tickets.models import Ticket
from tracker.tickets.services import search_tickets

TEXTS = (
    ("Sengketa BATAS sawah", "Dua warga berselisih soal patok di Dusun Krajan."),
    ("Spanduk dirusak", "Warga melihat sengketa antartim; spanduk calon nomor 2 disobek."),
    ("Diskon 100% sembako", "Pembagian sembako \"gratis\" dengan syarat memilih paslon_01."),
    ("Banjir di RT 03/RW 05", "Air setinggi 50 cm, TPS dipindah ke balai desa."),
    ("Intimidasi pemilih AND ancaman", "Kata-kata (kasar) * ^ NEAR OR: \"jangan datang\" ke TPS."),
    ("Kampanye di café Hàn 🗳️", "Ceramah berisi kampanye — naïve «propaganda» 中文 ñ ü."),
    ("Politik uang", ""),
    ("Money politics reported", "Amplop berisi uang Rp50.000 dibagikan malam hari (serangan fajar)."),
    ("SERANGAN FAJAR", "tim sukses membagikan amplop. back\\slash and 50% off"),
)
VILLAGES = (KEMIRI, KEBAK, WARU, JATEN)

QUERIES = (
    # Indonesian words, mixed case, inside words, across words
    "sengketa", "SENGKETA", "SeNgKeTa", "batas sawah", "engket", "amplop", "serangan fajar",
    "Serangan Fajar", "ang", "bagi", "dibagikan malam", "rp50.000", "desa.", "warga",
    # one and two characters (no trigram: the plain LIKE)
    "a", "S", "ng", "RT", "0", "%", "_", "\\", "\"", "'", "é", "🗳", " ",
    # the query is stripped
    "  sawah  ", "\tbanjir\n",
    # FTS5 syntax is plain text
    "AND", "and ancaman", "OR", "NEAR", "NEAR(a b)", "*", "sem*", "^ban", "(kasar)", "\"jangan",
    "\"gratis\"", "a\"b", "\"\"\"", "title:banjir", "-warga", "+warga", "{title}", "'; DROP TABLE ticket; --",
    # LIKE wildcards are literal
    "100%", "50% off", "paslon_01", "back\\slash", "%%%", "___",
    # non-ASCII
    "café", "CAFÉ", "hàn", "naïve", "«propaganda»", "中文", "🗳️", "kampanye —",
    # no match
    "tidak ada", "zzzz", "sengketaa",
)


@pytest.fixture
def tickets(world, make_ticket):
    made = []
    for n, (title, description) in enumerate(TEXTS):
        village = VILLAGES[n % len(VILLAGES)]
        reporter = world.koramil_other if village == JATEN else world.koramil
        made.append(make_ticket(reporter, village_code=village, title=title, description=description))
    return made


def found(user, q):
    return [t.id for t in db.session.execute(search_tickets(user, {"q": q})).scalars()]


def reference(user, q):
    """The meaning, in Python: the visible tickets, newest first, whose text holds the query."""
    visible = db.session.execute(
        scope.tickets(user).order_by(Ticket.reported_at.desc(), Ticket.id.desc())).scalars().all()
    needle = q.strip().lower()
    return [t.id for t in visible if needle in t.title.lower() or needle in t.description.lower()]


@pytest.mark.parametrize("q", QUERIES)
def test_search_returns_the_reference_rows(world, tickets, q):
    expected = reference(world.admin, q)
    assert found(world.admin, q) == expected
    # A scoped user gets the same meaning over fewer tickets.
    assert found(world.koramil_other, q) == reference(world.koramil_other, q)


def test_the_fixed_queries_do_find_rows(world, tickets):
    # (The equivalence above is not vacuous: case, substrings and special characters match.)
    assert len(found(world.admin, "SENGKETA")) == 2
    assert len(found(world.admin, "engket")) == 2
    assert len(found(world.admin, "ng")) == len(TEXTS) - 1
    assert len(found(world.admin, "(kasar)")) == 1
    assert len(found(world.admin, "\"gratis\"")) == 1
    assert len(found(world.admin, "CAFÉ")) == 1
    assert len(found(world.admin, "🗳️")) == 1
    assert found(world.admin, "NEAR") == found(world.admin, "near") != []


# Query text: anything, or a piece of a ticket's text with its case shuffled.
_pieces = st.builds(
    lambda text_, start, length, upper: (text_[start % (len(text_) or 1):][:length].upper() if upper
                                         else text_[start % (len(text_) or 1):][:length]),
    st.sampled_from([t for pair in TEXTS for t in pair]), st.integers(0, 80), st.integers(0, 12), st.booleans(),
)
_queries = st.one_of(st.text(max_size=12), st.text(alphabet="aAnNgG\"*^():%_\\ -éÉ🗳", max_size=8), _pieces)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=_queries)
@example(q="\x00")
@example(q="\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
@example(q="x" * 201)
def test_any_query_answers_the_reference_or_names_the_field(world, tickets, q):
    try:
        result = found(world.admin, q)
    except ValidationError as error:
        # Only text no database can take (NUL) or an over-long query is refused, naming the field.
        assert "\x00" in q or len(q) > 200
        assert set(error.errors) == {"q"}
        return
    assert result == reference(world.admin, q)


def test_lone_surrogate_is_refused_naming_the_field(world, tickets):
    with pytest.raises(ValidationError) as raised:
        found(world.admin, "ab\ud800c")
    assert set(raised.value.errors) == {"q"}


@pytest.mark.parametrize("q", ["\"", "a\"b", "NEAR(", "*", "AND OR", "sem*", "x\x00y", "🗳️", "' OR 1=1 --"])
def test_pages_and_api_answer_any_query_without_a_server_error(world, tickets, client, login, bearer, q):
    login("admin")
    page = client.get("/tickets/", query_string={"q": q})
    assert page.status_code in (200, 400), page.status_code
    answer = client.get("/api/v1/tickets", query_string={"q": q}, headers=bearer(world.admin))
    if "\x00" in q:
        assert answer.status_code == 422 and "q" in answer.get_json()["errors"]
    else:
        assert answer.status_code == 200
        assert [row["id"] for row in answer.get_json()["items"]] == reference(world.admin, q)[:answer.get_json()["per_page"]]


def _sqlite_only():
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 index exists on SQLite only")


def test_sqlite_index_follows_inserts_updates_and_deletes(world, tickets):
    _sqlite_only()
    ticket = tickets[0]
    ticket.title = "Pohon tumbang menutup jalan"
    ticket.description = "Jalan desa tertutup"
    db.session.commit()
    assert found(world.admin, "tumbang") == [ticket.id]
    assert found(world.admin, "batas sawah") == []
    # The index agrees with the ticket rows (FTS5 checks an external-content table against its content).
    db.session.execute(text(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}, rank) VALUES ('integrity-check', 1)"))
    gone = tickets[1]
    db.session.execute(text("DELETE FROM ticket_event WHERE ticket_id = :id"), {"id": gone.id})
    db.session.execute(text("DELETE FROM ticket WHERE id = :id"), {"id": gone.id})
    db.session.commit()
    assert db.session.execute(text(
        f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH :q"), {"q": '"spanduk"'}).all() == []
    db.session.execute(text(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}, rank) VALUES ('integrity-check', 1)"))


def test_sqlite_search_of_three_characters_or_more_reads_the_index(world, tickets):
    _sqlite_only()
    long_query = search_tickets(world.admin, {"q": "sengketa"})
    short_query = search_tickets(world.admin, {"q": "ng"})
    compiled = long_query.compile(dialect=db.session.get_bind().dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    plan = " ".join(str(row) for row in db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + compiled.string, params))
    assert "VIRTUAL TABLE INDEX" in plan, plan
    assert "MATCH" in str(long_query.compile()) and "MATCH" not in str(short_query.compile())


def test_sqlite_page_walks_the_list_order_while_the_count_reads_the_matches(world, tickets):
    """A page (LIMIT) tests ``+ticket.id IN (...)`` so SQLite walks the newest-first index and
    stops after the page; the exact count keeps ``ticket.id IN (...)`` and counts through the
    index. Same rows either way."""
    _sqlite_only()
    from tracker.pagination import count_rows, paginate

    stmt = search_tickets(world.admin, {"q": "sengketa"})
    dialect = db.session.get_bind().dialect
    page_sql = str(stmt.limit(26).compile(dialect=dialect))
    count_sql = str(stmt.with_only_columns(Ticket.id).order_by(None).compile(dialect=dialect))
    assert "+ticket.id IN (SELECT" in page_sql
    assert "+ticket.id" not in count_sql and "ticket.id IN (SELECT" in count_sql
    # A plain condition both ways, never "(... IN (...)) = 1", which no index serves.
    assert ") = 1" not in page_sql and ") = 1" not in count_sql
    compiled = stmt.with_only_columns(Ticket.id).order_by(None).compile(dialect=dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    plan = " ".join(str(row) for row in db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + compiled.string, params))
    assert "SCAN ticket" not in plan.replace("SCAN ticket_fts", ""), plan
    # Within an area the area's index leads and the matches are probed, count included.
    for scoped in (search_tickets(world.koramil, {"q": "sengketa"}),
                   search_tickets(world.admin, {"q": "sengketa", "district_code": "33.13.14"})):
        assert "+ticket.id IN (SELECT" in str(scoped.with_only_columns(Ticket.id).order_by(None).compile(dialect=dialect))
        assert count_rows(scoped) == len(db.session.execute(scoped).scalars().all())
    page = paginate(stmt, page=1, per_page=1)
    every = db.session.execute(stmt).scalars().all()
    assert page.total == count_rows(stmt) == len(every) > 1
    assert page.has_next and [t.id for t in page.items] == [every[0].id]
