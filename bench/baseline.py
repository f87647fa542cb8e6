"""The sweep's limit: hand-written SQL that computes the same flags and writes the same rows.

Written straight from the rules of issue 4 (stages, stage rules, clearing,
auto-escalation, silent villages), with no ORM and no Python per ticket, so
it is what a careful engineer would write by hand. Since issue 16 the sweep
also keeps the ticket counters (flagged counts, escalated tickets' cells)
and writes its list of silent villages: so does this, set-based. The sweep is measured
against it: the ratio shows the cost of the application's own layers.
Runs in the caller's transaction; the harness rolls it back.
"""
from datetime import timedelta

from sqlalchemy import Date, DateTime, bindparam, text

from bench.dataset import UTC_OFFSET_HOURS
from tracker.regions.codes import WIB, WIT, WITA
from tracker.warnings.silence import NEVER

UNRESOLVED = "('new', 'triaged', 'in_progress', 'escalated')"
SILENT_AFTER_DAYS = 14
# The village's local day, from its province's time zone.
LOCAL_DAY = ("(CASE v.timezone WHEN 'Asia/Jakarta' THEN :d_wib WHEN 'Asia/Makassar' THEN :d_wita "
             "ELSE :d_wit END)")
SILENT_SINCE = ("(CASE v.timezone WHEN 'Asia/Jakarta' THEN :s_wib WHEN 'Asia/Makassar' THEN :s_wita "
                "ELSE :s_wit END)")
# One equality probe per level on the unique (election_id, region_code)
# index: an IN list of the village's codes makes PostgreSQL scan every area
# row of the election instead.
IN_AREA = "(e.scope_kind = 'national' OR " + " OR ".join(
    f"EXISTS (SELECT 1 FROM election_area a WHERE a.election_id = e.id AND a.region_code = v.{column})"
    for column in ("code", "district_code", "regency_code", "province_code")) + ")"

ACTIVE_FLAG = "EXISTS (SELECT 1 FROM flag g WHERE g.ticket_id = t.id AND g.cleared_at IS NULL)"
CELL = "village_code, status, severity, category, level"
# The ticket counters (tracker/counters) follow every flag and escalation the pass writes:
# the flagged count of the tickets in {ids}, added with {sign}, in their village's cell,
# the nation's cell and (unresolved ones) their village's open row.
FLAGGED_COUNTERS = (
    """UPDATE ticket_tally SET flagged = ticket_tally.flagged {sign} c.n
FROM (SELECT t.village_code, t.status, t.severity, t.category, t.level, COUNT(*) AS n
      FROM ticket t JOIN {ids} i ON i.ticket_id = t.id
      GROUP BY t.village_code, t.status, t.severity, t.category, t.level) c
WHERE ticket_tally.village_code = c.village_code AND ticket_tally.status = c.status
  AND ticket_tally.severity = c.severity AND ticket_tally.category = c.category AND ticket_tally.level = c.level""",
    """UPDATE ticket_tally SET flagged = ticket_tally.flagged {sign} c.n
FROM (SELECT t.status, t.severity, t.category, t.level, COUNT(*) AS n
      FROM ticket t JOIN {ids} i ON i.ticket_id = t.id
      GROUP BY t.status, t.severity, t.category, t.level) c
WHERE ticket_tally.village_code = '' AND ticket_tally.status = c.status
  AND ticket_tally.severity = c.severity AND ticket_tally.category = c.category AND ticket_tally.level = c.level""",
    """UPDATE village_open SET flagged = village_open.flagged {sign} c.n
FROM (SELECT t.village_code, COUNT(*) AS n FROM ticket t JOIN {ids} i ON i.ticket_id = t.id
      WHERE t.status IN """ + UNRESOLVED + """ GROUP BY t.village_code) c
WHERE village_open.village_code = c.village_code""",
)
# An escalation moves its tickets (and their flags) from their cells to (escalated, kodim) ones.
MOVE_COUNTERS = (
    f"""UPDATE ticket_tally SET tickets = ticket_tally.tickets - m.n, flagged = ticket_tally.flagged - m.f
FROM bench_moved m
WHERE ticket_tally.village_code = m.village_code AND ticket_tally.status = m.status
  AND ticket_tally.severity = m.severity AND ticket_tally.category = m.category AND ticket_tally.level = m.level""",
    f"""UPDATE ticket_tally SET tickets = ticket_tally.tickets - m.n, flagged = ticket_tally.flagged - m.f
FROM (SELECT status, severity, category, level, SUM(n) AS n, SUM(f) AS f FROM bench_moved
      GROUP BY status, severity, category, level) m
WHERE ticket_tally.village_code = '' AND ticket_tally.status = m.status
  AND ticket_tally.severity = m.severity AND ticket_tally.category = m.category AND ticket_tally.level = m.level""",
    f"""INSERT INTO ticket_tally (village_code, district_code, regency_code, status, severity, category, level,
                          tickets, flagged)
SELECT village_code, district_code, regency_code, 'escalated', severity, category, 'kodim', SUM(n), SUM(f)
FROM bench_moved WHERE 1 = 1 GROUP BY village_code, district_code, regency_code, severity, category
ON CONFLICT ({CELL}) DO UPDATE SET tickets = ticket_tally.tickets + excluded.tickets,
                                   flagged = ticket_tally.flagged + excluded.flagged""",
    f"""INSERT INTO ticket_tally (village_code, district_code, regency_code, status, severity, category, level,
                          tickets, flagged)
SELECT '', '', '', 'escalated', severity, category, 'kodim', SUM(n), SUM(f)
FROM bench_moved WHERE 1 = 1 GROUP BY severity, category
ON CONFLICT ({CELL}) DO UPDATE SET tickets = ticket_tally.tickets + excluded.tickets,
                                   flagged = ticket_tally.flagged + excluded.flagged""",
)

STATEMENTS = (
    # 1. clear flags whose ticket is settled or whose window no longer holds the day
    ("clear", f"""
CREATE TEMP TABLE bench_cleared AS
SELECT f.id AS flag_id, f.ticket_id AS ticket_id
FROM flag f
JOIN ticket t ON t.id = f.ticket_id
JOIN region v ON v.code = t.village_code
JOIN election e ON e.id = f.election_id
WHERE f.cleared_at IS NULL
  AND (t.status NOT IN {UNRESOLVED} OR e.window_start > {LOCAL_DAY} OR e.window_end < {LOCAL_DAY})
"""),
    (None, "UPDATE flag SET cleared_at = :at, clear_reason = 'ticket settled or window ended' "
           "WHERE id IN (SELECT flag_id FROM bench_cleared)"),
    (None, "INSERT INTO ticket_event (ticket_id, kind, actor_id, at, from_value, to_value, reason) "
           "SELECT ticket_id, 'flag_cleared', NULL, :at, NULL, NULL, 'ticket settled or window ended' "
           "FROM bench_cleared"),
    # the counters: tickets left without an active flag are no longer counted as flagged
    (None, "CREATE TEMP TABLE bench_unflagged AS SELECT DISTINCT c.ticket_id FROM bench_cleared c "
           "WHERE NOT EXISTS (SELECT 1 FROM flag f WHERE f.ticket_id = c.ticket_id AND f.cleared_at IS NULL)"),
    *[(None, sql.format(ids="bench_unflagged", sign="-")) for sql in FLAGGED_COUNTERS],
    # 2. escalate overdue critical tickets at Koramil level inside an active window
    ("escalate", f"""
CREATE TEMP TABLE bench_escalate AS
SELECT t.id AS ticket_id, t.status AS old_status
FROM ticket t
JOIN region v ON v.code = t.village_code
WHERE t.severity = 'critical' AND t.level = 'koramil'
  AND t.status IN ('new', 'triaged', 'in_progress') AND t.due_at < :at
  AND EXISTS (SELECT 1 FROM election e
              WHERE e.window_start <= {LOCAL_DAY} AND e.window_end >= {LOCAL_DAY} AND {IN_AREA})
"""),
    (None, f"""
CREATE TEMP TABLE bench_moved AS
SELECT t.village_code, t.district_code, t.regency_code, t.status, t.severity, t.category, t.level,
       COUNT(*) AS n, SUM(CASE WHEN {ACTIVE_FLAG} THEN 1 ELSE 0 END) AS f
FROM ticket t JOIN bench_escalate x ON x.ticket_id = t.id
GROUP BY t.village_code, t.district_code, t.regency_code, t.status, t.severity, t.category, t.level
"""),
    *[(None, sql) for sql in MOVE_COUNTERS],
    (None, "UPDATE ticket SET status = 'escalated', level = 'kodim', updated_at = :at, version = version + 1 "
           "WHERE id IN (SELECT ticket_id FROM bench_escalate)"),
    (None, "INSERT INTO ticket_event (ticket_id, kind, actor_id, at, from_value, to_value, reason) "
           "SELECT ticket_id, 'escalated', NULL, :at, old_status, 'escalated', "
           "'overdue critical ticket inside an election window' FROM bench_escalate"),
    # 3. raise the flags the stage rules call for
    ("raise", f"""
CREATE TEMP TABLE bench_raise AS
SELECT t.id AS ticket_id, s.election_id AS election_id, s.name AS stage
FROM ticket t
JOIN region v ON v.code = t.village_code
JOIN election_stage s ON s.starts_on <= {LOCAL_DAY} AND s.ends_on >= {LOCAL_DAY}
JOIN election e ON e.id = s.election_id
WHERE t.status IN {UNRESOLVED}
  AND {IN_AREA}
  AND (s.name IN ('quiet', 'voting')
       OR (s.name = 'lead_up' AND (t.severity_rank >= 3 OR t.reported_at < :lead_up_cutoff))
       OR (s.name = 'campaign' AND (t.severity_rank >= 2 OR t.reported_at < :campaign_cutoff))
       OR (s.name = 'recap' AND t.severity_rank >= 2))
  AND NOT EXISTS (SELECT 1 FROM flag f
                  WHERE f.ticket_id = t.id AND f.election_id = e.id AND f.cleared_at IS NULL)
"""),
    (None, "CREATE TEMP TABLE bench_newly AS SELECT DISTINCT r.ticket_id FROM bench_raise r "
           "WHERE NOT EXISTS (SELECT 1 FROM flag f WHERE f.ticket_id = r.ticket_id AND f.cleared_at IS NULL)"),
    (None, "INSERT INTO flag (ticket_id, election_id, stage, reason, raised_at) "
           "SELECT ticket_id, election_id, stage, 'stage rule', :at FROM bench_raise"),
    *[(None, sql.format(ids="bench_newly", sign="+")) for sql in FLAGGED_COUNTERS],
    (None, "INSERT INTO ticket_event (ticket_id, kind, actor_id, at, from_value, to_value, reason) "
           "SELECT ticket_id, 'flag_raised', NULL, :at, NULL, stage, 'stage rule' FROM bench_raise"),
)

TEMP_TABLES = ("bench_cleared", "bench_unflagged", "bench_escalate", "bench_moved", "bench_raise", "bench_newly")
# A village is inside an active window when a national election's window
# holds its day, or an area row names it (or its kecamatan, kabupaten or
# province) for an election whose window holds its day: probed from the
# region_code index of election_area, not from every election.
ACTIVE_HERE = f"""(EXISTS (SELECT 1 FROM election e WHERE e.scope_kind = 'national'
                AND e.window_start <= {LOCAL_DAY} AND e.window_end >= {LOCAL_DAY})
        OR EXISTS (SELECT 1 FROM election_area a JOIN election e ON e.id = a.election_id
                   WHERE a.region_code IN (v.code, v.district_code, v.regency_code, v.province_code)
                     AND e.window_start <= {LOCAL_DAY} AND e.window_end >= {LOCAL_DAY}))"""
SILENT = f"""
INSERT INTO silent_village (village_code, last_visit_on, order_day)
SELECT code, last_visit_on, COALESCE(last_visit_on, :never) FROM (
  SELECT v.code AS code, (SELECT MAX(y.visited_on) FROM visit y
                          WHERE y.village_code = v.code AND y.visited_on <= {LOCAL_DAY}) AS last_visit_on
  FROM region v
  WHERE v.level = 4
    AND NOT EXISTS (SELECT 1 FROM visit x WHERE x.village_code = v.code
                    AND x.visited_on >= {SILENT_SINCE} AND x.visited_on <= {LOCAL_DAY})
    AND {ACTIVE_HERE}) AS silent
"""
# The sweep's list of silent villages (tracker/warnings/silence.py), replaced whole, with its moment.
SILENT_BEFORE = ("DELETE FROM silence_snapshot", "DELETE FROM silent_village")
SILENT_AFTER = ("INSERT INTO silence_snapshot (taken_at) VALUES (:at)",)


def _params(at):
    params = {"at": at, "lead_up_cutoff": at - timedelta(days=14), "campaign_cutoff": at - timedelta(days=7),
              "never": NEVER}
    for suffix, tz in (("wib", WIB), ("wita", WITA), ("wit", WIT)):
        day = (at + timedelta(hours=UTC_OFFSET_HOURS[tz])).date()
        params[f"d_{suffix}"] = day
        # "the last 14 days" include today, as the sweep counts them
        params[f"s_{suffix}"] = day - timedelta(days=SILENT_AFTER_DAYS - 1)
    return params


def _statement(sql, params):
    binds = [bindparam(name, type_=DateTime(timezone=True) if name in ("at", "lead_up_cutoff", "campaign_cutoff")
                       else Date()) for name in params if f":{name}" in sql]
    return text(sql).bindparams(*binds)


def run(connection, at, *, collect_raised=False):
    """Run the hand-written sweep at ``at`` on ``connection``; returns its counts.

    With ``collect_raised`` the result also holds the set of (ticket id,
    election id) pairs it flagged, to check the sweep against.
    """
    params = _params(at)
    counts = {}
    raised = None
    if connection.dialect.name == "postgresql":
        # The planner's pessimistic estimates for the correlated EXISTS
        # probes cross jit_above_cost, and compiling costs more than the
        # query itself; a hand-tuned pass would switch it off.
        connection.execute(text("SET LOCAL jit = off"))
    # pysqlite runs CREATE outside the transaction it opens for the first
    # write, so a rollback can bring back a dropped temp table: start clean.
    for table in TEMP_TABLES:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    for name, sql in STATEMENTS:
        used = {k: v for k, v in params.items() if f":{k}" in sql}
        connection.execute(_statement(sql, used), used)
        if name is not None:
            table = f"bench_{'cleared' if name == 'clear' else name}"
            counts[name] = connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
    if collect_raised:
        raised = set(map(tuple, connection.execute(text("SELECT ticket_id, election_id FROM bench_raise")).all()))
    for sql in SILENT_BEFORE:
        connection.execute(text(sql))
    used = {k: v for k, v in params.items() if f":{k}" in SILENT}
    connection.execute(_statement(SILENT, used), used)
    for sql in SILENT_AFTER:
        connection.execute(_statement(sql, {"at": at}), {"at": at})
    counts["silent"] = connection.execute(text("SELECT COUNT(*) FROM silent_village")).scalar()
    for table in TEMP_TABLES:
        connection.execute(text(f"DROP TABLE {table}"))
    return counts, raised
