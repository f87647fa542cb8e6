"""Ticket pages per role: list, queues, the ticket page and its forms, filing, duplicates, CSV."""
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import event, func, select

from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU, raise_flag
from tracker.extensions import db
from tracker.tickets.models import Ticket, TicketEvent
from tracker.tickets.export import export_csv
from tracker.tickets.services import transition


def count(model=Ticket):
    return db.session.scalar(select(func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


# --- pages per role ---------------------------------------------------------------

def test_pages_need_a_login(client):
    for url in ("/tickets/", "/tickets/new", "/tickets/overdue", "/tickets/export.csv", "/visits/villages"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role,present,absent", [
    ("babinsa", ["/visits/villages", "/visits/new", "/tickets/new", "/tickets/"], ["/tickets/triage", "/tickets/escalations"]),
    ("koramil", ["/tickets/triage", "/tickets/overdue", "/tickets/new", "/visits/"], ["/tickets/escalations", "/visits/new"]),
    ("kodim", ["/tickets/escalations", "/tickets/triage", "/tickets/"], ["/visits/villages"]),
    ("admin", ["/tickets/", "/tickets/triage", "/tickets/escalations"], ["/tickets/new"]),
])
def test_menu_links_per_role(world, web, role, present, absent):
    nav = text(web(world.users[role]).get("/tickets/")).split("</nav>")[0]
    for href in present:
        assert f'href="{href}"' in nav, href
    for href in absent:
        assert f'href="{href}"' not in nav, href


@pytest.mark.parametrize("url", ["/tickets/triage", "/tickets/escalations"])
def test_babinsa_has_no_command_queues(world, web, url):
    assert web(world.babinsa).get(url).status_code == 403


def test_triage_queue_is_most_severe_then_oldest(world, web, make_ticket):
    start = datetime(2026, 3, 1, 1, 0, tzinfo=timezone.utc)
    for hours, title, severity in ((0, "old-low", "low"), (1, "old-critical", "critical"),
                                   (2, "new-critical", "critical"), (3, "mid-high", "high")):
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            make_ticket(world.babinsa, title=title, severity=severity)
    make_ticket(world.babinsa, title="triaged-already", status="triaged")
    body = text(web(world.koramil).get("/tickets/triage"))
    titles = re.findall(r'<div class="ticket-title">([^<]+)</div>', body)
    assert titles == ["old-critical", "new-critical", "mid-high", "old-low"]


def test_escalation_queue_shows_escalated_tickets(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, title="perlu Kodim")
    make_ticket(world.babinsa, title="biasa")
    transition(world.koramil, ticket, "escalate", reason="di luar kemampuan")
    db.session.commit()
    body = text(web(world.kodim).get("/tickets/escalations"))
    assert "perlu Kodim" in body and "biasa" not in body


def test_overdue_list_is_most_overdue_first(world, web, make_ticket):
    base = datetime.now(timezone.utc) - timedelta(days=30)
    with time_machine.travel(base, tick=False):
        make_ticket(world.babinsa, title="lama-rendah", severity="low")       # due after 14 days
    with time_machine.travel(base + timedelta(days=1), tick=False):
        make_ticket(world.babinsa, title="kritis", severity="critical")      # due after 1 day
    make_ticket(world.babinsa, title="baru", severity="low")
    body = text(web(world.koramil).get("/tickets/overdue"))
    assert re.findall(r'<div class="ticket-title">([^<]+)</div>', body) == ["kritis", "lama-rendah"]


# --- the list -------------------------------------------------------------------------

def test_list_rows_show_ref_village_category_severity_status_age_and_flag(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, category="money_politics", severity="critical", title="Amplop")
    raise_flag(ticket)
    body = text(web(world.koramil).get("/tickets/"))
    row = body[body.index(ticket.ref) - 200:]
    row = row[: row.index("</li>")]
    for expected in (ticket.ref, "Kemiri", "Amplop", 'class="badge sev-critical"', 'class="badge flagged"',
                     'class="status st-new"'):
        assert expected in row
    assert re.search(r'class="badge sev-critical">[^<]+<', row), "severity is written out, not colour only"


def test_list_filters_and_text_search_via_the_query_string(world, web, make_ticket):
    make_ticket(world.babinsa, title="Spanduk RUSAK", village_code=KEBAK)
    make_ticket(world.babinsa, title="Tanah", village_code=KEMIRI)
    client = web(world.koramil)
    body = text(client.get("/tickets/", query_string={"q": "rusak"}))
    assert "Spanduk RUSAK" in body and "Tanah" not in body
    body = text(client.get("/tickets/", query_string={"village_code": KEMIRI, "status": "open"}))
    assert "Tanah" in body and "Spanduk" not in body


def test_bad_filter_answers_422_naming_it(world, web):
    response = web(world.koramil).get("/tickets/", query_string={"severity": "huge", "date_from": "2026-02-30"})
    assert response.status_code == 422
    body = text(response)
    assert 'id="severity-error"' in body and 'id="date_from-error"' in body


def test_list_is_paginated(app, world, web, make_ticket):
    app.config["PER_PAGE"] = 2
    for n in range(5):
        make_ticket(world.babinsa, title=f"nomor-{n}")
    client = web(world.koramil)
    first, third = text(client.get("/tickets/")), text(client.get("/tickets/?page=3"))
    assert "nomor-4" in first and "nomor-3" in first and "nomor-2" not in first
    assert "nomor-0" in third and "nomor-1" not in third
    assert client.get("/tickets/?page=999999999999999999999").status_code == 200


def test_a_large_list_counts_up_to_the_cap_and_still_pages_on(app, world, web, make_ticket, monkeypatch):
    from tracker.tickets import routes

    monkeypatch.setattr(routes, "COUNT_CAP", 3)
    app.config["PER_PAGE"] = 2
    for n in range(6):
        make_ticket(world.babinsa, title=f"nomor-{n}")
    client = web(world.koramil)
    first = text(client.get("/tickets/"))
    assert "(3+)" in first, "the total says it is capped"
    assert "Halaman 1 dari lebih dari 2" in first or "Page 1 of more than 2" in first
    third = text(client.get("/tickets/?page=3"))
    assert "nomor-1" in third and "nomor-0" in third, "pages go on past the capped total"
    assert "?page=4" not in third and "page=2" in third, "the last page offers no next link"


def test_a_list_under_the_cap_shows_its_exact_total(world, web, make_ticket):
    for n in range(3):
        make_ticket(world.babinsa, title=f"nomor-{n}")
    body = text(web(world.koramil).get("/tickets/"))
    assert "(3)" in body and "(3+)" not in body


def test_list_query_count_does_not_grow_with_rows(world, web, make_ticket, count_queries):
    client = web(world.koramil)
    make_ticket(world.babinsa)
    client.get("/tickets/")  # his user and area now cached per process, as for any later request
    with count_queries() as few:
        client.get("/tickets/")
    for n in range(8):
        ticket = make_ticket(world.koramil, title=f"t{n}", village_code=KEBAK if n % 2 else WARU)
        if n % 3 == 0:
            raise_flag(ticket)
    with count_queries() as many:
        client.get("/tickets/")
    assert len(many) == len(few)


def test_html_in_fields_is_shown_escaped(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, title="<script>alert(1)</script>", description="<b>tebal</b>",
                         parties="<i>A</i>")
    client = web(world.koramil)
    for url in ("/tickets/", f"/tickets/{ticket.id}"):
        body = text(client.get(url))
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    detail = text(client.get(f"/tickets/{ticket.id}"))
    assert "&lt;b&gt;tebal&lt;/b&gt;" in detail and "&lt;i&gt;A&lt;/i&gt;" in detail


# --- the ticket page ----------------------------------------------------------------------

def action_buttons(body):
    return re.findall(r'name="action" value="([a-z_]+)"', body)


@pytest.mark.parametrize("role,status,level,expected", [
    ("babinsa", "new", "koramil", ["start"]),
    ("babinsa", "in_progress", "koramil", ["resolve"]),
    ("babinsa", "escalated", "kodim", []),
    ("koramil", "new", "koramil", ["triage", "start", "escalate", "reject"]),
    ("koramil", "escalated", "kodim", []),
    ("kodim", "escalated", "kodim", ["start", "resolve"]),
    # Reject and close sit apart, after the other actions (issue 14).
    ("kodim", "resolved", "kodim", ["reopen", "close"]),
])
def test_ticket_page_offers_only_allowed_actions(world, web, make_ticket, role, status, level, expected):
    ticket = make_ticket(world.babinsa, status=status, level=level)
    body = text(web(world.users[role]).get(f"/tickets/{ticket.id}"))
    assert action_buttons(body) == expected
    # Commanders reclassify; at Kodim level only the Kodim and admin (issue 13's command chain).
    may_reclassify = role in ("kodim", "admin") or (role == "koramil" and level == "koramil")
    assert ('action="/tickets/%d/reclassify"' % ticket.id in body) is may_reclassify


def test_ticket_page_shows_timeline_with_local_time_zone(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    transition(world.koramil, ticket, "escalate", reason="butuh Kodim")
    db.session.commit()
    body = text(web(world.kodim).get(f"/tickets/{ticket.id}"))
    timeline = body[body.index('id="timeline"'):]
    assert timeline.count('class="event ev-') == 2
    assert "butuh Kodim" in timeline and "WIB" in timeline
    assert world.koramil.display_name in timeline


def test_transition_form_moves_the_ticket(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    response = web(world.koramil).post(f"/tickets/{ticket.id}/transition",
                                       data={"action": "escalate", "reason": "serius", "version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (ticket.status, ticket.level, ticket.version) == ("escalated", "kodim", 2)


def test_missing_reason_is_422_naming_reason_and_writes_nothing(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    client = web(world.koramil)
    response = client.post(f"/tickets/{ticket.id}/transition",
                           data={"action": "escalate", "reason": "", "version": "1"})
    assert response.status_code == 422
    assert 'id="reason-error"' in text(response)
    # A rejection is asked in its own form (issue 14), whose reason is named there.
    for confirm in ("", "1"):
        response = client.post(f"/tickets/{ticket.id}/transition",
                               data={"action": "reject", "reason": "", "version": "1", "confirm": confirm})
        assert response.status_code == 422
        assert 'id="danger_reason-error"' in text(response)
    db.session.expire_all()
    assert ticket.status == "new" and count(TicketEvent) == 1


def test_stale_version_answers_409_and_shows_the_current_state(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    transition(world.kodim, ticket, "triage")
    db.session.commit()
    response = web(world.koramil).post(f"/tickets/{ticket.id}/transition",
                                       data={"action": "reject", "reason": "dobel", "version": "1"})
    assert response.status_code == 409
    body = text(response)
    assert 'class="flash flash-error"' in body
    assert 'class="status st-triaged"' in body and 'name="version" value="2"' in body
    db.session.expire_all()
    assert ticket.status == "triaged" and count(TicketEvent) == 2


def test_an_action_not_allowed_from_the_status_is_409(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    response = web(world.koramil).post(f"/tickets/{ticket.id}/transition", data={"action": "close", "version": "1"})
    assert response.status_code == 409


@pytest.mark.parametrize("data,field", [
    ({"action": "fly", "version": "1"}, "action"),
    ({"action": "triage", "version": "abc"}, "version"),
])
def test_bad_action_or_version_is_422(world, web, make_ticket, data, field):
    ticket = make_ticket(world.babinsa)
    response = web(world.koramil).post(f"/tickets/{ticket.id}/transition", data=data)
    assert response.status_code == 422
    assert ticket.status == "new"


def test_a_role_that_may_not_act_gets_403(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    response = web(world.babinsa).post(f"/tickets/{ticket.id}/transition", data={"action": "triage", "version": "1"})
    assert response.status_code == 403
    db.session.expire_all()
    assert ticket.status == "new"


def test_reclassify_form(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, severity="low", category="other")
    client = web(world.koramil)
    bad = client.post(f"/tickets/{ticket.id}/reclassify", data={"severity": "high", "category": "other", "version": "1"})
    assert bad.status_code == 422 and 'id="reclassify_reason-error"' in text(bad)
    good = client.post(f"/tickets/{ticket.id}/reclassify",
                       data={"severity": "high", "category": "hoax", "reason": "ternyata hoaks", "version": "1"})
    assert good.status_code == 302
    db.session.expire_all()
    assert (ticket.severity, ticket.category) == ("high", "hoax")
    kinds = db.session.execute(select(TicketEvent.kind).order_by(TicketEvent.id)).scalars().all()
    assert kinds == ["created", "severity", "category"]


def test_babinsa_cannot_reclassify(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    response = web(world.babinsa).post(f"/tickets/{ticket.id}/reclassify",
                                       data={"severity": "critical", "category": "hoax", "reason": "x"})
    assert response.status_code == 403


def test_comment_form(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    client = web(world.babinsa_same)
    empty = client.post(f"/tickets/{ticket.id}/comment", data={"body": "  "})
    assert empty.status_code == 422 and 'id="body-error"' in text(empty)
    assert count(TicketEvent) == 1
    assert client.post(f"/tickets/{ticket.id}/comment", data={"body": "<i>warga tenang</i>"}).status_code == 302
    assert "&lt;i&gt;warga tenang&lt;/i&gt;" in text(client.get(f"/tickets/{ticket.id}"))


def test_huge_or_unknown_ticket_ids_are_404(world, web):
    client = web(world.admin)
    assert client.get("/tickets/99999999999999999999999").status_code == 404
    assert client.get("/tickets/4242").status_code == 404


# --- filing ---------------------------------------------------------------------------------

def ticket_form(**overrides):
    data = {"village_code": KEMIRI, "category": "land_dispute", "severity": "medium",
            "title": "Patok sawah digeser", "description": "Dua warga berselisih.", "occurred_on": "",
            "parties": "", "visit_id": ""}
    data.update(overrides)
    return data


def test_new_ticket_form_offers_only_the_users_villages(world, web):
    body = text(web(world.babinsa).get("/tickets/new"))
    assert f'value="{KEMIRI}"' in body and f'value="{KEBAK}"' in body
    assert f'value="{WARU}"' not in body and f'value="{JATEN}"' not in body
    assert 'data-draft="waspada:draft:%d:ticket"' % world.babinsa.id in body


def test_filing_a_ticket_redirects_to_it_and_clears_the_draft(world, web):
    client = web(world.babinsa)
    response = client.post("/tickets/new", data=ticket_form(sensitive="y"))
    assert response.status_code == 302
    ticket = db.session.execute(select(Ticket)).scalar_one()
    assert response.headers["Location"].endswith(f"/tickets/{ticket.id}")
    assert ticket.is_sensitive and ticket.reporter_id == world.babinsa.id
    page = text(client.get(f"/tickets/{ticket.id}"))
    assert ticket.ref in page
    assert f'data-clear-drafts="waspada:draft:{world.babinsa.id}:ticket"' in page
    assert "data-clear-drafts" not in text(client.get(f"/tickets/{ticket.id}")), "cleared once"


@pytest.mark.parametrize("overrides,field", [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"category": ""}, "category"),
    ({"category": "weather"}, "category"), ({"severity": "huge"}, "severity"), ({"village_code": ""}, "village_code"),
    ({"village_code": "99.99.99.9999"}, "village_code"), ({"occurred_on": "2999-01-01"}, "occurred_on"),
    ({"occurred_on": "kemarin"}, "occurred_on"), ({"description": "x" * 10_001}, "description"),
    ({"parties": "x" * 501}, "parties"), ({"visit_id": "abc"}, "visit_id"), ({"visit_id": "77"}, "visit_id"),
    ({"title": "nul\x00"}, "title"),
])
def test_form_errors_are_422_with_the_field_named_and_nothing_written(world, web, overrides, field):
    response = web(world.babinsa).post("/tickets/new", data=ticket_form(**overrides))
    assert response.status_code == 422
    body = text(response)
    if field == "visit_id":
        assert '<p class="error">' in body
    elif field == "severity":
        assert 'fieldset class="field severity-choice has-error"' in body
    else:
        assert f'id="{field}-error"' in body
    assert 'data-failed' in body
    assert count() == 0 and count(TicketEvent) == 0


def test_filing_outside_ones_villages_is_403_and_writes_nothing(world, web):
    response = web(world.babinsa).post("/tickets/new", data=ticket_form(village_code=WARU))
    assert response.status_code == 403
    assert 'id="village_code-error"' in text(response)
    assert count() == 0


def test_the_form_keeps_typed_values_after_an_error(world, web):
    body = text(web(world.babinsa).post("/tickets/new", data=ticket_form(title="", description="<b>isi</b>")))
    assert "&lt;b&gt;isi&lt;/b&gt;</textarea>" in body
    assert f'<option value="{KEMIRI}" selected>' in body


def test_ticket_form_page_with_css_and_js_weighs_well_under_150_kb(world, web):
    client = web(world.kodim)  # the Kodim's form lists every village of the kabupaten
    total = sum(len(client.get(url).data) for url in ("/tickets/new", "/static/app.css", "/static/tickets.js"))
    assert total < 150_000 / 2


def test_ui_is_in_indonesian_by_default(world, web):
    body = text(web(world.babinsa).get("/tickets/new"))
    assert '<html lang="id">' in body
    assert "Kategori" in body and "politik uang" in body and "kritis" in body


# --- duplicate hints and "the same problem" --------------------------------------------------

def test_duplicate_hints_list_recent_open_tickets_of_the_same_village_and_category(world, web, make_ticket):
    match = make_ticket(world.babinsa, category="hoax", title="hoaks-baru")
    make_ticket(world.babinsa, category="hoax", title="hoaks-selesai", status="resolved")
    make_ticket(world.babinsa, category="crime", title="maling")
    make_ticket(world.babinsa, category="hoax", title="hoaks-kebak", village_code=KEBAK)
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(days=31), tick=False):
        make_ticket(world.babinsa, category="hoax", title="hoaks-lama")
    body = text(web(world.babinsa).get("/tickets/similar", query_string={"village_code": KEMIRI, "category": "hoax"}))
    assert "hoaks-baru" in body
    for absent in ("hoaks-selesai", "maling", "hoaks-kebak", "hoaks-lama"):
        assert absent not in body
    assert f'formaction="/tickets/{match.id}/same"' in body


@pytest.mark.parametrize("query", [{}, {"village_code": "x", "category": "hoax"}, {"village_code": KEMIRI, "category": "x"}])
def test_duplicate_hints_with_bad_input_are_empty(world, web, make_ticket, query):
    make_ticket(world.babinsa, category="hoax")
    response = web(world.babinsa).get("/tickets/similar", query_string=query)
    assert response.status_code == 200 and "formaction" not in text(response)


def test_hints_show_in_the_form_without_javascript(world, web, make_ticket):
    match = make_ticket(world.babinsa, category="hoax", title="hoaks-baru")
    client = web(world.babinsa)
    shown = text(client.get("/tickets/new", query_string={"village_code": KEMIRI, "category": "hoax"}))
    assert f'formaction="/tickets/{match.id}/same"' in shown
    checked = client.post("/tickets/new", data=ticket_form(category="hoax", check="1"))
    assert checked.status_code == 200 and f'formaction="/tickets/{match.id}/same"' in text(checked)
    assert count() == 1


def test_same_problem_adds_a_comment_instead_of_a_ticket(world, web, make_ticket):
    target = make_ticket(world.babinsa, category="hoax", title="hoaks-baru")
    client = web(world.babinsa_same)
    response = client.post(f"/tickets/{target.id}/same",
                           data=ticket_form(category="hoax", title="Pesan berantai lagi", description="Grup WA RT 3"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tickets/{target.id}")
    assert count() == 1
    comment = db.session.execute(select(TicketEvent).where(TicketEvent.kind == "comment")).scalar_one()
    assert comment.reason == "Pesan berantai lagi\n\nGrup WA RT 3"
    assert comment.actor_id == world.babinsa_same.id
    assert "data-clear-drafts" in text(client.get(f"/tickets/{target.id}"))


def test_same_problem_needs_something_written(world, web, make_ticket):
    target = make_ticket(world.babinsa, category="hoax")
    response = web(world.babinsa).post(f"/tickets/{target.id}/same", data=ticket_form(title="", description=""))
    assert response.status_code == 422 and 'id="title-error"' in text(response)
    assert count(TicketEvent) == 1


def test_same_problem_on_an_invisible_ticket_is_404(world, web, make_ticket):
    hidden = make_ticket(world.babinsa, sensitive=True, category="hoax")
    response = web(world.babinsa_same).post(f"/tickets/{hidden.id}/same", data=ticket_form(category="hoax"))
    assert response.status_code == 404
    assert count(TicketEvent) == 1


# --- CSV export -------------------------------------------------------------------------------

def rows(response):
    return list(csv.DictReader(io.StringIO(text(response))))


def test_csv_export_content(world, web, make_ticket):
    with time_machine.travel(datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc), tick=False):
        ticket = make_ticket(world.babinsa, category="money_politics", severity="high",
                             title="=HYPERLINK(\"http://x\")", parties="@tim", occurred_on="2026-03-01")
    raise_flag(ticket)
    response = web(world.koramil).get("/tickets/export.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    [row] = rows(response)
    assert row["ref"] == ticket.ref
    assert row["reported_at"] == "2026-03-02T00:30+07:00"
    assert row["due_at"] == "2026-03-05T00:30+07:00"
    assert row["occurred_on"] == "2026-03-01"
    assert (row["village"], row["district"], row["village_code"]) == ("Kemiri", "Kebakkramat", KEMIRI)
    assert (row["category"], row["category_label"]) == ("money_politics", "politik uang")
    assert (row["severity"], row["status"], row["flagged"], row["sensitive"]) == ("high", "new", "yes", "no")
    assert row["title"] == "'=HYPERLINK(\"http://x\")" and row["parties"] == "'@tim"
    assert row["reporter"] == world.babinsa.username


def test_csv_export_follows_the_filter_and_the_scope(world, web, make_ticket):
    make_ticket(world.babinsa, title="kemiri-baru")
    make_ticket(world.babinsa, title="kemiri-selesai", status="resolved")
    make_ticket(world.babinsa_waru, title="waru", village_code=WARU)
    make_ticket(world.koramil_other, title="jaten", village_code=JATEN)
    assert {r["title"] for r in rows(web(world.babinsa).get("/tickets/export.csv"))} == {"kemiri-baru", "kemiri-selesai"}
    assert {r["title"] for r in rows(web(world.koramil).get("/tickets/export.csv?status=open"))} == {"kemiri-baru", "waru"}
    assert len(rows(web(world.kodim).get("/tickets/export.csv"))) == 4


def test_csv_export_with_a_bad_filter_is_422(world, web):
    response = web(world.kodim).get("/tickets/export.csv?status=done")
    assert response.status_code == 422 and text(response).startswith("status:")


def test_export_streams_in_batches(world, make_ticket):
    for n in range(5):
        make_ticket(world.babinsa, title=f"t{n}")
    cursors = []

    def before(conn, cursor, statement, *args):
        if statement.lstrip().startswith("SELECT ticket.ref"):
            cursors.append(type(cursor).__name__)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        chunks = list(export_csv(world.koramil, {}, batch_size=2))
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    # Header with the first batch, then one chunk per batch of two rows, then the rest.
    assert [c.count("\r\n") for c in chunks] == [3, 2, 1, 0]
    if db.engine.dialect.name == "postgresql":
        assert cursors == ["ServerCursor"], "PostgreSQL streams through a server-side cursor"
