"""Importing the Kemendagri region list."""
import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.regions.codes import CodeError, kind_of, level_of, normalize, parent_of, timezone_of
from tracker.regions.models import Region

LEVEL_NAMES = {1: "provinces", 2: "regencies", 3: "districts", 4: "villages"}
_BATCH = 5000


class ImportError_(ValidationError):
    """A malformed row: carries the line number."""


@dataclass
class ImportResult:
    added: dict = field(default_factory=lambda: {n: 0 for n in LEVEL_NAMES.values()})
    updated: dict = field(default_factory=lambda: {n: 0 for n in LEVEL_NAMES.values()})
    unchanged: int = 0


def _row_values(code, name):
    return {
        "code": code,
        "name": name,
        "level": level_of(code),
        "kind": kind_of(code),
        "parent_code": parent_of(code),
        "province_code": code[:2],
        "regency_code": code[:5] if len(code) >= 5 else None,
        "district_code": code[:8] if len(code) >= 8 else None,
        "timezone": timezone_of(code),
    }


def _fail(line, reason):
    raise ImportError_({"file": [_l("Line %(line)d: %(reason)s", line=line, reason=reason)]})


# The separator is the character right after the first code (or the
# ``code`` header), so a name holding the other separator cannot mislead it.
_FIRST_SEPARATOR = re.compile(r'\s*"?(?:code|[\d.]+)"?\s*([,;])', re.IGNORECASE)


def _delimiter(text):
    for line in text.splitlines():
        if line.strip():
            match = _FIRST_SEPARATOR.match(line)
            return match.group(1) if match else ","
    return ","


def parse_region_csv(text):
    """Parse and check a ``code,name`` CSV (comma or semicolon); returns {code: name}.

    Raises ValidationError naming the first bad line; nothing is written.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    delimiter = _delimiter(text)
    rows = {}
    is_first_row = True
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for row in reader:
        # The physical line the row ends on (a quoted name may span lines).
        line_no = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if is_first_row:
            is_first_row = False
            if [c.strip().lower() for c in row] == ["code", "name"]:
                continue
        if len(row) != 2:
            _fail(line_no, _l("expected 2 columns (code, name), found %(n)d", n=len(row)))
        raw_code, name = row[0].strip(), row[1].strip()
        try:
            code = normalize(raw_code)
        except CodeError:
            _fail(line_no, _l(
                "“%(code)s” is not a region code (expected PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD)",
                code=raw_code,
            ))
        if not name:
            _fail(line_no, _l("the name of %(code)s is empty", code=code))
        if len(name) > 120:
            _fail(line_no, _l("the name of %(code)s is longer than 120 characters", code=code))
        if code in rows:
            _fail(line_no, _l("%(code)s appears twice", code=code))
        rows[code] = (name, line_no)
    if not rows:
        raise ImportError_({"file": [_l("The file holds no regions.")]})
    return rows


def import_regions(text):
    """Insert new codes and rename changed ones, all or nothing.

    Idempotent: importing the same file twice changes nothing the second
    time. Flushes; the caller commits.
    """
    rows = parse_region_csv(text)
    existing = dict(db.session.execute(select(Region.code, Region.name)).all())
    for code, (_name, line_no) in rows.items():
        parent = parent_of(code)
        if parent is not None and parent not in rows and parent not in existing:
            _fail(line_no, _l("%(code)s has no parent region %(parent)s", code=code, parent=parent))

    result = ImportResult()
    to_add, to_rename = [], []
    for code, (name, _line) in rows.items():
        level_name = LEVEL_NAMES[level_of(code)]
        if code not in existing:
            to_add.append(_row_values(code, name))
            result.added[level_name] += 1
        elif existing[code] != name:
            to_rename.append({"b_code": code, "b_name": name})
            result.updated[level_name] += 1
        else:
            result.unchanged += 1
    # Core executemany on the session's connection: the ORM bulk path adds
    # per-row bookkeeping that more than doubles the national import time.
    connection = db.session.connection()
    for start in range(0, len(to_add), _BATCH):
        connection.execute(insert(Region.__table__), to_add[start:start + _BATCH])
    if to_rename:
        stmt = (
            update(Region.__table__)
            .where(Region.__table__.c.code == bindparam("b_code"))
            .values(name=bindparam("b_name"))
        )
        connection.execute(stmt, to_rename)
    db.session.flush()
    return result
