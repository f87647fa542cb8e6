"""Text search over tickets: a case-insensitive substring of the title or description.

The meaning is one on both databases: ``q`` (stripped, lower-cased) occurs in
``lower(title)`` or ``lower(description)`` — the LIKE condition. What differs
is how the rows are found:

- PostgreSQL: trigram GIN indexes on ``lower(title)`` and ``lower(description)``
  (pg_trgm, see the Ticket model) serve the LIKE itself.
- SQLite: an FTS5 table with the trigram tokenizer (``ticket_fts``, external
  content: it stores the index, not a copy of the text) kept in step with the
  ticket table by triggers. A query of three characters or more is quoted as one
  FTS5 phrase, which finds the rows containing it (case folded) through the
  index; the LIKE condition then still applies to those rows, so the result is
  exactly the LIKE's. Shorter queries have no trigram and use the LIKE alone.
  In a select with a LIMIT (a page, a capped count), and in any select
  within an area, the id test is written ``+ticket.id IN (...)``: the unary
  plus keeps SQLite from driving the select by the matches (reading all of
  them: 100-150 ms for a word in 40,000-70,000 tickets), so it walks the
  list's order index newest first and stops after the page, or the area's
  index and probes the matches; the national count keeps the plain form and
  counts through the index.

Any user text is safe: the phrase is quoted with its double quotes doubled, so
FTS5 operators (AND, OR, NEAR, ``*``, ``^``, parentheses, ``:``) are plain text.
"""
from sqlalchemy import DDL, and_, bindparam, column, event, func, literal_column, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from tracker.tickets.models import Ticket

FTS_TABLE = "ticket_fts"
# A trigram needs three characters: a shorter query cannot use the index.
TRIGRAM = 3

# Created by the migration on SQLite, and by create_all (tests, bench) through the
# listeners below. The statements are idempotent.
CREATE_STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, description, content='ticket', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON ticket BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON ticket BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF id, title, description ON ticket BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, description) VALUES (new.id, new.title, new.description); END",
)
TRIGGERS = (f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au")
REBUILD_STATEMENT = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"


def is_index_table(name):
    """The FTS5 table and its shadow tables: not in the models' metadata (schema comparisons skip them)."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


def include_name(name, type_, parent_names):
    """Alembic ``include_name`` hook: leave the SQLite search index out of autogenerate."""
    return not (type_ == "table" and name and is_index_table(name))


def create_index(connection, *, fill=True):
    """Create the FTS5 table and its triggers on SQLite (nothing elsewhere); ``fill`` indexes the existing rows."""
    if connection.dialect.name != "sqlite":
        return
    for statement in CREATE_STATEMENTS:
        connection.exec_driver_sql(statement)
    if fill:
        connection.exec_driver_sql(REBUILD_STATEMENT)


def drop_triggers(connection):
    """Stop keeping the index in step (a bulk load); ``create_index`` brings them back and rebuilds it."""
    if connection.dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def drop_index(connection):
    if connection.dialect.name != "sqlite":
        return
    drop_triggers(connection)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


# create_all / drop_all: the index lives and dies with the ticket table (on SQLite).
for _statement in CREATE_STATEMENTS:
    event.listen(Ticket.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(Ticket.__table__, "before_drop",
             DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"))


def like_pattern(needle):
    """A LIKE pattern (escape ``\\``) matching ``needle`` anywhere."""
    return "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_phrase(needle):
    """``needle`` as one FTS5 phrase: double-quoted, inner double quotes doubled."""
    return '"' + needle.replace('"', '""') + '"'


_fts = table(FTS_TABLE, column("rowid"))


class _MatchedIds(ColumnElement):
    """``ticket.id IN (<the index's matches>)``, written ``+ticket.id IN (...)`` within an area or a LIMIT."""

    inherit_cache = True
    type = Boolean()
    # A comparison already: SQLite must not get "(... IN (...)) = 1", which no index serves.
    _is_implicitly_boolean = True
    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement),
                           ("within_area", InternalTraversal.dp_boolean)]

    def __init__(self, condition, within_area):
        self.condition = condition
        self.within_area = within_area


@compiles(_MatchedIds)
def _compile_matched_ids(element, compiler, **kw):
    sql = compiler.process(element.condition, **kw)
    enclosing = compiler.stack[-1]["selectable"] if compiler.stack else None
    probe = element.within_area or getattr(enclosing, "_limit_clause", None) is not None
    return "+" + sql if probe else sql


def text_condition(q, dialect_name, *, within_area=False):
    """The WHERE condition for the search text ``q`` (already validated as storable text).

    ``within_area``: the select is narrowed to an area (see the module) by an indexed condition.
    """
    needle = q.strip().lower()
    pattern = like_pattern(needle)
    like = or_(func.lower(Ticket.title).like(pattern, escape="\\"),
               func.lower(Ticket.description).like(pattern, escape="\\"))
    if dialect_name != "sqlite" or len(needle) < TRIGRAM:
        return like
    matching = select(_fts.c.rowid).where(
        literal_column(FTS_TABLE).op("MATCH")(bindparam("fts_phrase", fts_phrase(needle), unique=True)))
    return and_(_MatchedIds(Ticket.id.in_(matching), within_area), like)
