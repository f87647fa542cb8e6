"""What a digest says: scope, counts, lists, caps, language, empty days, query cost."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import scope
from tracker.digests.render import render_digest
from tracker.digests.services import build_digest, decide_digest
from tracker.extensions import db

# 27 Nov 2026, 06:00 WIB: the digest hour in Karanganyar.
AT = datetime(2026, 11, 26, 23, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 27)
REF = re.compile(r"\d{4}-\d{4}-\d{6}")


def _render(user, at=AT, day=DAY):
    return render_digest(build_digest(user, day, at))


def _refs(text):
    return set(REF.findall(text))


def test_a_koramil_digest_never_names_another_koramils_ticket(world, make_ticket):
    mine = make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=3), title="Baliho dirusak")
    other = make_ticket(world["jaten"], "33.13.11.2003", AT - timedelta(hours=3), severity="critical",
                        title="Rahasia Jaten")

    subject, text, html = _render(world["danramil"])

    for body in (text, html):
        assert mine.ref in body
        assert other.ref not in body
        assert "Rahasia Jaten" not in body
    assert "1 baru" in subject


@pytest.mark.parametrize("reader", ["danramil", "danramil_jaten", "dandim"])
def test_tickets_in_a_digest_are_exactly_those_the_web_lets_the_reader_open(world, make_ticket, reader):
    made = [
        make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=2), sensitive=True, title="Informan"),
        make_ticket(world["waru"], "33.13.14.2007", AT - timedelta(hours=2)),
        make_ticket(world["jaten"], "33.13.11.2003", AT - timedelta(hours=2), sensitive=True),
    ]
    user = world[reader]
    visible = set(db.session.execute(
        scope.tickets(user).with_only_columns(scope.tickets(user).selected_columns.ref)
    ).scalars())

    _subject, text, html = _render(user)

    assert _refs(text) == visible & {t.ref for t in made}
    assert _refs(html) == _refs(text)


def test_the_headline_counts_new_flagged_overdue_waiting_and_resolved(world, make_ticket, election, flag):
    from tracker.tickets.services import transition

    pilkada = election(date(2026, 12, 9))
    old = make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(days=20), severity="high")
    flag(old, pilkada, AT - timedelta(days=1))
    make_ticket(world["waru"], "33.13.14.2007", AT - timedelta(hours=5), severity="low")
    done = make_ticket(world["waru"], "33.13.14.2007", AT - timedelta(days=3))
    import time_machine

    with time_machine.travel(AT - timedelta(hours=1), tick=False):
        transition(world["danramil"], done, "triage")
        transition(world["danramil"], done, "resolve", reason="Dimediasi")
        db.session.commit()

    digest = build_digest(world["danramil"], DAY, AT)

    # old: overdue (high, 72 h) and flagged, still new; the low one is new and waiting.
    assert digest.counts == {"new": 1, "flagged": 1, "overdue": 1, "waiting": 2, "resolved": 1}
    assert [t["ref"] for t in digest.attention.items] == [old.ref]
    assert digest.attention.items[0]["flag_stage"] == "campaign"
    assert digest.attention.items[0]["is_overdue"] is True


def test_new_counts_from_the_previous_digest(world, make_ticket):
    first = make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=2))
    assert decide_digest(world["danramil"], DAY, AT) is not None
    db.session.commit()
    second = make_ticket(world["kemiri"], "33.13.14.2005", AT + timedelta(hours=3))

    digest = build_digest(world["danramil"], DAY + timedelta(days=1), AT + timedelta(days=1))

    assert [t["ref"] for t in digest.new.items] == [second.ref]
    assert first.ref not in {t["ref"] for t in digest.new.items}
    assert digest.since == AT


def test_lists_are_most_severe_first_then_oldest(world, make_ticket):
    low = make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=9), severity="low")
    late_high = make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=2), severity="high")
    early_high = make_ticket(world["waru"], "33.13.14.2007", AT - timedelta(hours=8), severity="high")
    critical = make_ticket(world["waru"], "33.13.14.2007", AT - timedelta(hours=1), severity="critical")

    digest = build_digest(world["danramil"], DAY, AT)

    assert [t["ref"] for t in digest.new.items] == [critical.ref, early_high.ref, late_high.ref, low.ref]


def test_long_lists_are_capped_with_and_n_more_linking_to_the_list(app, world, make_ticket):
    app.config["DIGEST_LIST_CAP"] = 2
    for hours in range(1, 6):
        make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=hours))

    digest = build_digest(world["danramil"], DAY, AT)
    _subject, text, html = render_digest(digest)

    assert len(digest.new.items) == 2 and digest.new.total == 5
    assert "dan 3 lainnya" in text and "dan 3 lainnya" in html


def test_the_subject_names_unit_date_and_key_counts_in_indonesian(world, make_ticket, election, flag):
    pilkada = election(date(2026, 12, 9))
    flag(make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(days=3)), pilkada, AT)
    for hours in (1, 2):
        make_ticket(world["waru"], "33.13.14.2007", AT - timedelta(hours=hours))

    subject, _text, _html = _render(world["danramil"])

    assert subject == "[Waspada] Koramil 03/Kebakkramat · 27 Nov 2026 · 1 ditandai, 2 baru"


def test_a_user_whose_language_is_english_gets_english(world, make_ticket, app):
    user = world["dandim"]
    user.locale = "en"
    db.session.commit()
    make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=1))

    subject, text, html = _render(user)

    assert subject == "[Waspada] Kodim 0727/Karanganyar · 27 Nov 2026 · 0 flagged, 1 new"
    assert "New since your previous digest" in text
    assert 'lang="en"' in html
    assert "Baru sejak" not in text


def test_an_indonesian_digest_has_indonesian_dates_and_headings(world, make_ticket):
    make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=1))

    _subject, text, _html = render_digest(build_digest(world["danramil"], date(2026, 8, 17), AT))

    assert "17 Agu 2026" in text
    assert "Baru sejak ringkasan sebelumnya" in text


def test_an_empty_day_still_gets_a_short_nothing_new_digest(world):
    subject, text, html = _render(world["danramil"])

    assert subject == "[Waspada] Koramil 03/Kebakkramat · 27 Nov 2026 · tidak ada yang baru"
    assert "Tidak ada yang baru" in text and "Tidak ada yang baru" in html


def test_election_stages_ahead_count_down_in_the_digest(world, election):
    # Voting on 2 Dec: the quiet period (29 Nov - 1 Dec) starts in 2 days.
    election(date(2026, 12, 2), name="Pilkada Karanganyar")

    digest = build_digest(world["danramil"], DAY, AT)
    _subject, text, html = render_digest(digest)

    assert not digest.is_empty
    assert "Pilkada Karanganyar dimulai dalam 2 hari" in text
    assert "pemungutan suara dalam 5 hari" in text
    assert "dimulai dalam 2 hari" in html


def test_the_html_part_uses_inline_styles_and_loads_nothing_from_outside(world, make_ticket, app):
    make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=1))

    _subject, _text, html = _render(world["danramil"])

    lowered = html.lower()
    for forbidden in ("<style", "<script", "<img", "<link", "src=", "url("):
        assert forbidden not in lowered
    assert 'style="' in html
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(link.startswith(app.config["BASE_URL"]) for link in links)


def _grow(world, make_ticket, election, flag, count, start):
    pilkada = election(date(2026, 12, 9), name=f"Pilkada {start}")
    for n in range(count):
        village, babinsa = (("33.13.14.2005", "kemiri"), ("33.13.14.2007", "waru"))[n % 2]
        ticket = make_ticket(world[babinsa], village, AT - timedelta(hours=start + n),
                             severity=("low", "medium", "high", "critical")[n % 4])
        if n % 3 == 0:
            flag(ticket, pilkada, AT - timedelta(hours=1))


@pytest.mark.parametrize("reader", ["danramil", "dandim"])
def test_a_digest_costs_the_same_number_of_queries_whatever_the_data_size(
        world, make_ticket, election, flag, count_queries, reader):
    user = world[reader]

    def cost():
        db.session.expire_all()
        user_again = db.session.get(type(user), user.id)
        _ = user_again.unit.timezone
        with count_queries() as statements:
            render_digest(build_digest(user_again, DAY, AT))
        return len(statements)

    _grow(world, make_ticket, election, flag, 3, start=1)
    small = cost()
    _grow(world, make_ticket, election, flag, 30, start=100)
    large = cost()

    assert small == large
    assert small <= 12


def test_decide_digest_writes_one_outbox_row_per_user_and_day(world):
    from tracker.digests.models import OutboxMessage

    assert decide_digest(world["danramil"], DAY, AT) is not None
    assert decide_digest(world["danramil"], DAY, AT + timedelta(hours=1)) is None
    db.session.commit()

    rows = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [(r.key, r.status, r.to_address, r.digest_on) for r in rows] == [
        (f"digest:{world['danramil'].id}:2026-11-27", "pending", "danramil@waspada.example", DAY),
    ]


def test_with_send_empty_off_an_empty_digest_is_recorded_skipped_and_never_sent(app, world):
    from tracker.digests.models import OutboxMessage
    from tracker.digests.outbox import relay

    app.config["DIGEST_SEND_EMPTY"] = False
    decision = decide_digest(world["danramil"], DAY, AT)
    db.session.commit()

    assert decision.is_skipped
    assert db.session.execute(select(OutboxMessage.status)).scalar_one() == "skipped"
    assert relay(AT + timedelta(hours=1))["sent"] == 0


def test_silent_villages_and_hotspots_appear_with_a_link_to_the_full_list(app, world, make_ticket, election):
    app.config["DIGEST_LIST_CAP"] = 2
    election(date(2026, 12, 9))
    make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(days=2), severity="critical")

    digest = build_digest(world["danramil"], DAY, AT)
    _subject, text, html = render_digest(digest)

    # No Kebakkramat village has had a visit inside the Pilkada window.
    assert digest.silent.total > 2 and len(digest.silent.items) == 2
    assert f"dan {digest.silent.total - 2} lainnya" in text
    assert f"{app.config['BASE_URL']}/warnings/silent" in text
    assert all(v["village_code"].startswith("33.13.14.") for v in digest.silent.items)
    assert "belum pernah dikunjungi" in text
    assert [h["village_name"] for h in digest.hotspots] == ["Kemiri"]
    assert "Titik rawan" in html and "Kemiri" in html
