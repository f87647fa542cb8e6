"""The dashboard pages as each role sees them: content, language, links, query counts."""
import re
from datetime import timedelta

import pytest

from tests.dashboard.factories import NOW
from tests.plugins.world import JATEN, KEBAK, KEMIRI, SRAGEN_VILLAGE, WARU
from tracker.extensions import db
from tracker.tickets.models import CATEGORIES, SEVERITIES

ROLES = ("babinsa", "koramil", "kodim", "admin")
SEVERITY_COLOURS = ("#2e7d32", "#b26a00", "#c0392b", "#7b1fa2")


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def fill(world, make_ticket, clock, flag, visits, tickets_per_village):
    """Tickets of every severity over the last weeks in three villages, some resolved, some flagged, and visits."""
    from tracker.tickets.services import transition
    from tracker.visits.services import record_visit

    n = 0
    for village, reporter in ((KEMIRI, world.babinsa), (KEBAK, world.babinsa), (WARU, world.babinsa_waru),
                              (JATEN, world.koramil_other)):
        for i in range(tickets_per_village):
            n += 1
            clock.move_to(NOW - timedelta(days=(n * 5) % 80, hours=n))
            ticket = make_ticket(reporter, village_code=village, severity=SEVERITIES[n % 4],
                                 category=CATEGORIES[n % len(CATEGORIES)], title=f"masalah {n}")
            if n % 3 == 0:
                transition(world.kodim, ticket, "triage")
                transition(world.kodim, ticket, "resolve", reason="beres")
            elif n % 4 == 0:
                transition(world.kodim, ticket, "escalate", reason="berat")
            db.session.commit()
            if n % 5 == 0:
                flag(ticket)
    clock.move_to(NOW)
    for day in range(visits):
        record_visit(world.babinsa, village_code=KEMIRI, visited_on=(NOW - timedelta(days=day + 1)).date())
    db.session.commit()


@pytest.fixture
def filled(world, make_ticket, clock, flag):
    fill(world, make_ticket, clock, flag, visits=3, tickets_per_village=4)
    return world


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_a_dashboard_in_indonesian(filled, client, login, role):
    login(role)
    text = page_text(client.get("/dashboard/"))
    assert "Terbuka" in text and "Lewat tenggat" in text
    assert "25 Nov 2026" in text or role == "babinsa"


def test_commander_dashboard_shows_dates_with_the_time_zone(filled, client, login):
    login("kodim")
    text = page_text(client.get("/dashboard/"))
    assert re.search(r"25 Nov 2026 10[.:]00 WIB", text)


def test_headline_links_go_to_the_filtered_ticket_lists(filled, client, login):
    login("koramil")
    text = page_text(client.get("/dashboard/"))
    assert 'href="/tickets/?status=open"' in text
    assert 'href="/tickets/?status=open&amp;flagged=true"' in text
    assert 'href="/tickets/overdue"' in text
    assert 'href="/tickets/triage"' in text
    assert 'href="/tickets/?status=resolved"' in text


def test_kodim_waiting_links_to_the_escalation_queue(filled, client, login):
    login("kodim")
    text = page_text(client.get("/dashboard/"))
    assert 'href="/tickets/escalations"' in text
    assert "Dinaikkan ke saya" in text


def chart_images(text):
    """The page's chart images: {name: (src, alt)}."""
    return {name: (src.replace("&amp;", "&"), alt) for src, name, alt in re.findall(
        r'<img src="(/dashboard/chart/([a-z]+)\.svg\?v=[0-9a-f]+)" alt="([^"]+)"', text)}


def test_charts_are_images_with_text_alternatives_and_the_page_draws_none(filled, client, login):
    login("kodim")
    text = page_text(client.get("/dashboard/"))
    images = chart_images(text)
    assert set(images) == {"new", "resolved", "category", "area"}
    assert images["new"][1].startswith("Tiket baru per minggu. ")
    assert "tiket baru dalam 12 minggu terakhir" in images["new"][1]
    assert "<svg" not in text
    # No script draws anything: the only scripts are the app's own files (the phone's
    # outbox, on every page) and JSON data blocks.
    for tag in re.findall(r"<script[^>]*>", text):
        assert re.search(r'src="/static/[\w.-]+\.js(\?v=\w+)?"', tag) or 'type="application/json"' in tag, tag
    # Nothing is fetched from outside.
    assert re.findall(r"https?://[^\s\"'<>)]+", text) == []


def test_each_chart_image_is_self_contained_svg(filled, client, login):
    login("kodim")
    images = chart_images(page_text(client.get("/dashboard/")))
    for name, (src, _alt) in images.items():
        response = client.get(src)
        assert response.status_code == 200, name
        assert response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert svg.startswith("<svg ") and 'role="img"' in svg
        assert re.search(rf'<title id="chart-{name}-title">[^<]+</title><desc id="chart-{name}-desc">[^<]+</desc>', svg)
        assert "<script" not in svg
        # The only absolute URL is the SVG namespace: nothing is fetched from outside.
        assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) == {"http://www.w3.org/2000/svg"}
    new = client.get(images["new"][0]).get_data(as_text=True)
    for colour in SEVERITY_COLOURS:
        assert colour in new


def test_chart_images_are_private_and_kept_five_minutes(filled, client, login):
    login("kodim")
    src = chart_images(page_text(client.get("/dashboard/")))["category"][0]
    response = client.get(src)
    assert response.headers["Cache-Control"] in ("private, max-age=300", "max-age=300, private")
    assert "Cookie" in response.headers["Vary"]
    etag = response.headers["ETag"]
    again = client.get(src, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Cache-Control"] == response.headers["Cache-Control"]


def test_chart_images_need_login(filled, client):
    response = client.get("/dashboard/chart/new.svg")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, name", [("babinsa", "new"), ("babinsa", "area"), ("kodim", "map"),
                                        ("kodim", "secret")])
def test_a_chart_the_dashboard_does_not_have_is_404(filled, client, login, role, name):
    login(role)
    assert client.get(f"/dashboard/chart/{name}.svg").status_code == 404


def test_a_chart_with_nothing_to_draw_is_404(world, client, login, clock):
    login("koramil")
    assert client.get("/dashboard/chart/new.svg").status_code == 404
    assert client.get("/dashboard/chart/area.svg").status_code == 200  # quiet villages show as zero


def test_koramil_chart_counts_only_tickets_of_his_area(world, make_ticket, clock, client, login):
    for code in (KEMIRI, KEMIRI, KEBAK):
        make_ticket(world.babinsa, village_code=code)
    make_ticket(world.koramil_other, village_code=JATEN)
    make_ticket(world.kodim_other, village_code=SRAGEN_VILLAGE)
    login("koramil")
    new = client.get("/dashboard/chart/new.svg").get_data(as_text=True)
    assert "3 tiket baru dalam 12 minggu terakhir" in new
    area = client.get("/dashboard/chart/area.svg").get_data(as_text=True)
    assert "Kemiri" in area and "Jaten" not in area and "Banaran" not in area
    category = client.get("/dashboard/chart/category.svg").get_data(as_text=True)
    assert "3 tiket terbuka" in category


def test_the_chart_url_changes_when_its_numbers_do(filled, make_ticket, client, login):
    login("koramil")
    before = chart_images(page_text(client.get("/dashboard/")))
    make_ticket(filled.babinsa, village_code=KEBAK, category="hoax")
    after = chart_images(page_text(client.get("/dashboard/")))
    assert after["new"][0] != before["new"][0]
    assert after["category"][0] != before["category"][0]
    assert after["resolved"][0] != before["resolved"][0]  # shares the new chart's scale
    again = chart_images(page_text(client.get("/dashboard/")))
    assert again == after


def test_babinsa_waiting_count_and_its_list_agree(filled, client, login):
    login("babinsa")
    text = page_text(client.get("/dashboard/"))
    found = re.search(r'<a class="stat stat-waiting" href="([^"]+)"><strong>(\d+)</strong>Menunggu tindakan saya</a>',
                      text)
    assert found, "no waiting link"
    href, count = found.group(1).replace("&amp;", "&"), int(found.group(2))
    assert href == "/news/waiting"
    listed = page_text(client.get(href)).count('<li class="ticket-row">')
    assert count == listed
    # New tickets of his villages wait for the Koramil, escalated ones for the Kodim (tests/news cover the rest).
    assert count < int(re.search(r'<strong>(\d+)</strong>Terbuka</a>', text).group(1))


def test_charts_have_data_tables(filled, client, login):
    login("kodim")
    text = page_text(client.get("/dashboard/"))
    assert text.count("<details>") == 3
    assert "Kebakkramat" in text and "Jaten" in text
    assert 'href="/tickets/?status=open&amp;district_code=33.13.14"' in text


def test_koramil_chart_breaks_down_per_village(filled, client, login):
    login("koramil")
    text = page_text(client.get("/dashboard/"))
    assert "Tiket terbuka dan ditandai per desa" in text
    assert 'href="/dashboard/village/33.13.14.2005"' in text
    assert "Jaten" not in text  # another Koramil's kecamatan


def test_empty_area_says_so_instead_of_drawing_empty_charts(world, client, login, clock):
    login("koramil")
    text = page_text(client.get("/dashboard/"))
    assert "Tidak ada tiket baru dalam 12 minggu terakhir." in text
    assert "Tidak ada tiket terbuka." in text
    assert list(chart_images(text)) == ["area"]  # the per-village chart still lists the quiet villages


def test_babinsa_home_has_lapor_button_and_his_villages(filled, client, login):
    login("babinsa")
    text = page_text(client.get("/dashboard/"))
    assert re.search(r'<a class="btn primary big block lapor" href="/tickets/new">Lapor', text)
    assert "Kemiri" in text and "Kebak" in text and "Waru" not in text
    assert "Kunjungan terakhir 1 hari lalu (24 Nov 2026)" in text
    assert "Belum pernah dikunjungi" in text  # Kebak


def test_english_for_a_user_who_chose_it(filled, client, login):
    filled.kodim.locale = "en"
    db.session.commit()
    login("kodim")
    text = page_text(client.get("/dashboard/"))
    assert "Escalated to me" in text and "Hotspots" in text


def test_village_page_out_of_scope_is_404(filled, client, login):
    login("babinsa")
    assert client.get(f"/dashboard/village/{WARU}").status_code == 404
    assert client.get("/dashboard/village/99.99.99.9999").status_code == 404
    assert client.get(f"/dashboard/village/{KEMIRI}").status_code == 200


def test_village_page_shows_tickets_visits_and_elections(filled, client, login):
    login("koramil")
    text = page_text(client.get(f"/dashboard/village/{KEMIRI}"))
    assert "Pilkada Karanganyar 2026" in text
    assert "24 Nov 2026" in text  # the last visit
    assert "masalah" in text
    assert 'href="/tickets/?status=open&amp;village_code=33.13.14.2005"' in text


def test_dashboard_needs_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, path", [(r, "/dashboard/") for r in ROLES]
                         + [("koramil", f"/dashboard/village/{KEMIRI}")]
                         + [("kodim", f"/dashboard/chart/{name}.svg") for name in ("new", "resolved", "category", "area")])
def test_query_count_does_not_grow_with_the_data(world, make_ticket, clock, flag, client, login, count_queries,
                                                  role, path):
    login(role)
    client.get(path)  # warm up: the first request loads things once per process

    def queries():
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    fill(world, make_ticket, clock, flag, visits=1, tickets_per_village=1)
    small = queries()
    fill(world, make_ticket, clock, flag, visits=6, tickets_per_village=8)
    large = queries()
    assert small == large
    print(f"{role} {path}: {large} queries")
    assert large <= 16
