"""Deciding many digests at once: scope per recipient, same content as one by one, constant query count."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import scope
from tracker.digests.models import OutboxMessage
from tracker.digests.render import render_digest
from tracker.digests.services import build_digest, build_digests, decide_for_date
from tracker.elections.services import election_stages_ahead
from tracker.extensions import db
from tracker.warnings.services import hotspots
from tracker.warnings.silence import silent_villages

AT = datetime(2026, 11, 26, 23, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 27)
REF = re.compile(r"\d{4}-\d{4}-\d{6}")

# A second kabupaten with its own Kodim and Koramil (WIT: another time zone too).
PAPUA = """code,name
91,Papua
91.03,Kabupaten Jayapura
91.03.01,Sentani
91.03.01.2001,Sentani Kota
91.03.01.2002,Hinekombe
"""


@pytest.fixture
def nation(world, make_unit, make_user):
    """``world`` plus Kodim 1701/Jayapura with Koramil Sentani, their commanders and a Babinsa."""
    from tracker.regions.services import import_regions

    import_regions(PAPUA)
    db.session.commit()
    kodim = make_unit("kodim", "Kodim 1701/Jayapura", regions=["91.03"], number="1701")
    sentani = make_unit("koramil", "Koramil 01/Sentani", regions=["91.03.01"], parent=kodim, number="01")
    users = dict(world)
    users["dandim_papua"] = make_user("kodim", kodim, username="dandim_papua", email="dp@waspada.example",
                                      digest=True)
    users["danramil_sentani"] = make_user("koramil", sentani, username="danramil_sentani",
                                          email="ds@waspada.example", digest=True)
    users["sentani"] = make_user("babinsa", sentani, villages=["91.03.01.2001"], username="sentani")
    return users


RECIPIENTS = ("dandim", "danramil", "danramil_jaten", "dandim_papua", "danramil_sentani")


def _tickets(nation, make_ticket):
    """One ticket per Babinsa, all new (so every visible one is listed), one of them sensitive."""
    return [
        make_ticket(nation["kemiri"], "33.13.14.2005", AT - timedelta(hours=3), title="Kemiri biasa"),
        make_ticket(nation["kemiri"], "33.13.14.2005", AT - timedelta(hours=5), severity="critical",
                    sensitive=True, title="Informan Kemiri"),
        make_ticket(nation["waru"], "33.13.14.2007", AT - timedelta(hours=7), severity="high"),
        make_ticket(nation["jaten"], "33.13.11.2003", AT - timedelta(hours=2), severity="critical",
                    title="Rahasia Jaten"),
        make_ticket(nation["sentani"], "91.03.01.2001", AT - timedelta(hours=4), severity="high",
                    title="Sentani"),
    ]


def test_in_one_batch_each_recipient_gets_exactly_the_tickets_his_scope_shows(nation, make_ticket):
    made = _tickets(nation, make_ticket)
    refs = {ticket.ref for ticket in made}

    decide_for_date(AT)
    db.session.flush()

    rows = {row.user_id: row for row in db.session.execute(select(OutboxMessage)).scalars()}
    assert len(rows) == len(RECIPIENTS)
    for name in RECIPIENTS:
        user = nation[name]
        visible = set(db.session.execute(
            scope.tickets(user).with_only_columns(scope.tickets(user).selected_columns.ref)
        ).scalars()) & refs
        row = rows[user.id]
        assert visible, name
        assert set(REF.findall(row.body_text)) == visible, name
        assert set(REF.findall(row.body_html)) == visible, name


def test_a_recipient_of_one_unit_never_gets_another_units_tickets(nation, make_ticket):
    made = _tickets(nation, make_ticket)

    digests = build_digests([(nation[name], DAY) for name in RECIPIENTS], AT)

    def listed(name):
        digest = digests[nation[name].id]
        return {item["ref"] for section in (digest.new, digest.attention, digest.waiting)
                for item in section.items}

    kemiri, secret, waru, jaten, sentani = (ticket.ref for ticket in made)
    assert listed("danramil") == {kemiri, secret, waru}
    assert listed("danramil_jaten") == {jaten}
    assert listed("dandim") == {kemiri, secret, waru, jaten}
    assert listed("danramil_sentani") == {sentani} == listed("dandim_papua")
    assert [h["village_code"][:8] for h in digests[nation["danramil"].id].hotspots] == ["33.13.14"] * 2
    assert {h["village_code"] for h in digests[nation["dandim_papua"].id].hotspots} == {"91.03.01.2001"}


def test_a_batch_says_what_one_digest_at_a_time_says(app, nation, make_ticket, election, flag):
    app.config["DIGEST_LIST_CAP"] = 2
    pilkada = election(date(2026, 12, 9))
    made = _tickets(nation, make_ticket)
    flag(made[2], pilkada, AT - timedelta(hours=1))
    pairs = [(nation[name], DAY) for name in RECIPIENTS]

    together = build_digests(pairs, AT)

    for user, day in pairs:
        alone = build_digest(user, day, AT)
        assert render_digest(together[user.id]) == render_digest(alone), user.username


@pytest.mark.parametrize("name", RECIPIENTS)
def test_grouped_sections_match_the_per_user_services(app, nation, make_ticket, election, name):
    """Silent villages, hotspots and elections equal what warnings and elections services give the user."""
    election(date(2026, 12, 9))
    _tickets(nation, make_ticket)
    user = nation[name]
    cap = app.config["DIGEST_LIST_CAP"] = 3

    digest = build_digests([(nation[other], DAY) for other in RECIPIENTS], AT)[user.id]

    silent = silent_villages(user, at=AT)
    assert digest.silent.total == len(silent)
    assert digest.silent.items == silent[:cap]
    assert digest.hotspots == hotspots(user, limit=cap, at=AT)
    expected = [
        {key: value for key, value in stage.items() if key != "stage_label"}
        for stage in election_stages_ahead(user, AT, days=60)
    ]
    stages = [stage for entry in digest.elections for stage in (entry["running"], entry["next"]) if stage]
    assert all(stage in expected for stage in stages)
    assert bool(digest.elections) == bool(expected)


def test_deciding_every_digest_costs_the_same_number_of_queries_whatever_the_number_of_recipients(
        app, world, make_unit, make_user, make_ticket, count_queries):
    def cost():
        db.session.expire_all()
        with count_queries() as statements:
            decisions = decide_for_date(AT)
        db.session.rollback()
        return len(decisions), len(statements)

    make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=2))
    few, small = cost()

    kodim = world["dandim"].unit
    for number, code in enumerate(("33.13.01", "33.13.02", "33.13.03", "33.13.04", "33.13.05"), start=10):
        unit = make_unit("koramil", f"Koramil {number}", regions=[code], parent=kodim, number=str(number))
        for n in range(2):
            make_user("koramil", unit, email=f"k{number}.{n}@waspada.example", digest=True)
        make_ticket(world["waru"], "33.13.14.2007", AT - timedelta(hours=number))
    make_user("kodim", kodim, email="staff@waspada.example", digest=True)
    many, large = cost()

    assert (few, many) == (3, 14)
    assert small == large
    assert large <= 30, (small, large)


def test_deciding_in_small_batches_writes_what_one_batch_writes(app, nation, make_ticket, election, flag):
    pilkada = election(date(2026, 12, 9))
    made = _tickets(nation, make_ticket)
    flag(made[2], pilkada, AT - timedelta(hours=1))

    def outbox(batch):
        app.config["DIGEST_BATCH"] = batch
        decided = decide_for_date(AT)
        rows = {(m.key, m.subject, m.body_text, m.body_html, m.status)
                for m in db.session.execute(select(OutboxMessage)).scalars()}
        db.session.rollback()
        return len(decided), rows

    whole, in_twos = outbox(1000), outbox(2)
    assert whole[0] == 5 and whole == in_twos
