"""End to end in Chromium: a ticket's trip from a Babinsa's phone to the Dandim, and the field UI.

The tests of this module share one live server and its demo database, and
run in order: later steps find what earlier ones filed.
"""
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.pages import PHONE, horizontal_overflow, log_in, screenshot_path

KEMIRI = "33.13.14.2005"
DESKTOP = {"width": 960, "height": 900}
TITLE = "Spanduk calon dirusak di Dusun II (uji e2e)"
XSS_TITLE = "<img src=x onerror=alert(1)>"
PAGE_BUDGET = 150 * 1024
SCREENSHOT_BUDGET = 150 * 1024
# What the first step filed, for the steps after it.
TRIP = {}


def today_wib():
    return datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat()


def fits_phone(page):
    """No horizontal scroll at 360 px."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def overflowing(page):
    """The elements sticking out past the right edge (innermost first), to name in a failure."""
    return page.evaluate("""width => Array.from(document.querySelectorAll('body *'))
        .filter(el => el.getBoundingClientRect().right > width + 0.5
                      || (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible'))
        .reverse().slice(0, 4).map(el => el.tagName.toLowerCase() + '.' + el.className + ': '
                                   + el.textContent.trim().slice(0, 40))""",
        PHONE["width"])


def file_ticket(page, title, severity="high", category="campaign_violation"):
    """Fill the ticket form from the Lapor button and submit it; returns the ticket page URL."""
    page.goto("/dashboard/")
    page.click("a.lapor")
    page.wait_for_url("**/tickets/new")
    page.select_option("#village_code", KEMIRI)
    page.select_option("#category", category)
    page.check(f"input[name=severity][value={severity}]")
    page.fill("#title", title)
    page.fill("#description", "Dua spanduk sobek, warga resah.")
    page.click("form[data-draft] button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    return page.url


def act(page, action, reason=""):
    """Press a life-cycle button on the ticket page, with a reason when given."""
    form = page.locator("form[action$='/transition']")
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator(f"button[name=action][value={action}]").click()
    page.wait_for_load_state()


def test_babinsa_records_a_visit_and_files_a_ticket_on_a_phone(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    assert fits_phone(page)
    assert page.locator("a.lapor").is_visible()

    page.goto("/visits/new")
    page.select_option("#village_code", KEMIRI)
    page.fill("#visited_on", today_wib())
    page.fill("#met_with", "Sekretaris Desa")
    page.fill("#notes", "Warga mengeluhkan spanduk yang dirusak.")
    page.click("form[data-draft] button.primary[type=submit]")
    page.wait_for_selector(".flash-success")

    page.goto("/dashboard/")
    kemiri = page.locator("article.village-card", has_text="Kemiri")
    assert "Dikunjungi hari ini" in kemiri.inner_text()

    url = file_ticket(page, TITLE)
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".flash-success").count() == 1
    assert fits_phone(page)
    TRIP["ticket_url"] = url


def test_danramil_triages_and_escalates_it(new_page):
    page = new_page(PHONE)
    log_in(page, "danramil.kebakkramat")
    assert fits_phone(page)
    page.click("a.stat-waiting")
    page.wait_for_url("**/tickets/triage")
    page.locator("li.ticket-row", has_text=TITLE).locator("a.ref").first.click()
    page.wait_for_url(TRIP["ticket_url"])
    act(page, "triage")
    act(page, "escalate", reason="Melibatkan dua tim kampanye; perlu Kodim.")
    assert page.locator("form[action$='/transition'] button[value=escalate]").count() == 0
    assert "Kodim" in page.locator("dl.facts").inner_text()


def test_dandim_sees_it_waiting_and_resolves_it(new_page):
    page = new_page(DESKTOP)
    log_in(page, "dandim.karanganyar")
    waiting = int(page.locator("a.stat-waiting strong").inner_text())
    assert waiting >= 1
    assert page.locator(".charts img[alt]").count() >= 2

    page.click("a.stat-waiting")
    page.wait_for_url("**/tickets/escalations")
    page.locator("li.ticket-row", has_text=TITLE).locator("a.ref").first.click()
    page.wait_for_url(TRIP["ticket_url"])
    act(page, "resolve", reason="Spanduk diganti, kedua tim sepakat.")
    assert page.locator("form[action$='/transition'] button[value=resolve]").count() == 0

    page.goto("/dashboard/")
    assert int(page.locator("a.stat-waiting strong").inner_text()) == waiting - 1
    assert int(page.locator("a.stat-resolved strong").inner_text()) >= 1
    path = screenshot_path("dashboard-dandim.png")
    page.screenshot(path=path)
    assert os.path.getsize(path) < SCREENSHOT_BUDGET
    # Each chart is its own (lazily loaded) SVG image request; Chromium must decode every one.
    images = page.locator(".charts img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.charts img'))
        .every(img => img.complete && img.naturalWidth > 0)""")
    path = screenshot_path("dashboard-charts.png")
    page.locator(".charts").screenshot(path=path)
    assert os.path.getsize(path) < SCREENSHOT_BUDGET


def test_a_title_with_markup_shows_as_text_and_runs_nothing(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    file_ticket(page, XSS_TITLE, severity="low", category="other")
    assert page.locator("h1").inner_text() == XSS_TITLE
    for path in ("/tickets/", f"/dashboard/village/{KEMIRI}", "/dashboard/"):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.locator("img[src=x]").count() == 0, path
    page.goto(f"/dashboard/village/{KEMIRI}")
    assert page.get_by_text(XSS_TITLE).count() >= 1
    assert page.dialogs == []


def test_the_ticket_form_draft_survives_a_reload(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto("/tickets/new")
    page.select_option("#village_code", KEMIRI)
    page.select_option("#category", "hoax")
    page.check("input[name=severity][value=medium]")
    page.fill("#title", "Hoaks soal DPT beredar di grup WA")
    page.fill("#description", "Pesan berantai menyebut nama warga dicoret.")
    page.locator("#description").blur()
    page.evaluate("window.scrollTo(0, 0)")
    path = screenshot_path("ticket-form-phone.png")
    page.screenshot(path=path)
    assert os.path.getsize(path) < SCREENSHOT_BUDGET

    page.reload()
    page.wait_for_load_state("load")
    assert page.input_value("#title") == "Hoaks soal DPT beredar di grup WA"
    assert page.input_value("#description") == "Pesan berantai menyebut nama warga dicoret."
    assert page.input_value("#village_code") == KEMIRI
    assert page.input_value("#category") == "hoax"
    assert page.is_checked("input[name=severity][value=medium]")


def test_the_ticket_form_is_light_and_fetches_nothing_from_outside(new_page, live_server):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request))
    page.goto("/tickets/new", wait_until="networkidle")
    assert loaded, "no request was seen"
    outside = [r.url for r in loaded if not r.url.startswith(live_server)]
    assert outside == []
    total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in loaded)
    assert total < PAGE_BUDGET, f"{total} bytes"
    assert fits_phone(page)


@pytest.mark.parametrize("username", ["babinsa.kemiri", "danramil.kebakkramat", "dandim.karanganyar", "admin"])
def test_every_menu_page_fits_a_phone(new_page, username):
    page = new_page(PHONE)
    log_in(page, username)
    links = page.eval_on_selector_all(
        "header nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    links += page.eval_on_selector_all(
        "main a[href^='/dashboard/village/']", "els => els.map(e => e.getAttribute('href'))")[:1]
    too_wide = {}
    for href in dict.fromkeys(links):
        response = page.goto(href)
        assert response.status < 400, href
        if not fits_phone(page):
            too_wide[href] = overflowing(page)
    assert too_wide == {}
