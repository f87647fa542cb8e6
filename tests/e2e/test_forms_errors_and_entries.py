"""Forms in Chromium at 360x740 (issue 14): after a refused submit the error summary has
the focus and is on screen, with and without JavaScript; "Add another problem" lands on
the new entry; each problem of a visit gets the duplicate hint.

Uses the browser and live demo server of tests/e2e/conftest.py (skipped without
Chromium unless REQUIRE_BROWSER=1).
"""
import re

import pytest

from tests.e2e.pages import PHONE, log_in

KEMIRI = "33.13.14.2005"
SUBMIT = "form[data-draft] button.primary[type=submit]"
ACTIVE_ID = "document.activeElement && document.activeElement.id"
IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight && r.bottom > 0 && r.left >= 0 && r.right <= window.innerWidth; }"""


@pytest.fixture
def plain_page(browser, live_server):
    """plain_page(): a phone-sized page with JavaScript off (the forms work as plain HTML)."""
    contexts = []

    def make():
        context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID", java_script_enabled=False)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def serious_findings(page, selector):
    """axe-core's serious and critical violations inside ``selector`` (the copy axe-playwright-python ships)."""
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(Axe().axe_script)
    results = page.evaluate("selector => axe.run(selector, {resultTypes: ['violations']})", selector)
    return [f"{v['id']}: {node['target']}" for v in results["violations"] if v["impact"] in ("serious", "critical")
            for node in v["nodes"]]


def refuse_a_visit(page):
    page.goto("/visits/new")
    page.select_option("#village_code", KEMIRI)
    page.fill("#tickets-0-title", "Spanduk calon dirusak")  # a problem without its category
    page.click(SUBMIT)


def assert_summary_has_focus_in_view(page):
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.evaluate(IN_VIEW), "the error summary is not on screen"
    assert "Kategori" in summary.inner_text() and "money_politics" not in summary.inner_text()
    # Its entry leads to the field.
    summary.locator('a[href="#tickets-0-category"]').click()
    assert page.evaluate(ACTIVE_ID) == "tickets-0-category"
    assert page.locator("#tickets-0-category").evaluate(IN_VIEW)


def test_refused_visit_focuses_the_error_summary(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    refuse_a_visit(page)  # sent through the outbox, refused in JSON, shown by tickets.js
    assert_summary_has_focus_in_view(page)
    assert serious_findings(page, "#error-summary") == []


def test_refused_visit_focuses_the_error_summary_without_javascript(plain_page):
    page = plain_page()
    log_in(page, "babinsa.kemiri")
    refuse_a_visit(page)
    page.wait_for_load_state("load")
    assert_summary_has_focus_in_view(page)


def test_adding_a_problem_lands_on_the_new_entry_without_a_reload(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto("/visits/new")
    page.evaluate("window.notReloaded = true")
    page.click("button[name=add_ticket]")
    page.locator("#tickets-1").wait_for()
    assert page.evaluate("window.notReloaded === true")
    assert page.evaluate(ACTIVE_ID) == "tickets-1-category"
    assert page.locator("#tickets-1-category").evaluate(IN_VIEW)
    page.click("button[name=add_ticket]")
    assert page.evaluate(ACTIVE_ID) == "tickets-2-category"
    assert page.locator("#tickets-2-category").evaluate(IN_VIEW)


def test_adding_a_problem_lands_on_the_new_entry_without_javascript(plain_page):
    page = plain_page()
    log_in(page, "babinsa.kemiri")
    page.goto("/visits/new")
    page.fill("#tickets-0-title", "Pesan berantai")
    page.click("button[name=add_ticket]")
    page.wait_for_url(re.compile(r"/visits/new#tickets-1$"))
    assert page.input_value("#tickets-0-title") == "Pesan berantai"
    # The browser scrolled to the new entry and focused it: the next Tab is its category.
    assert page.evaluate(ACTIVE_ID) == "tickets-1"
    assert page.locator("#tickets-1 > legend").evaluate(IN_VIEW)
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_ID) == "tickets-1-category"


def file_a_ticket(page, title):
    page.goto("/tickets/new")
    page.select_option("#village_code", KEMIRI)
    page.select_option("#category", "campaign_violation")
    page.fill("#title", title)
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r"/tickets/\d+$"))


def test_each_problem_of_a_visit_gets_the_duplicate_hint(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    file_a_ticket(page, "Baliho calon dirobohkan di balai desa")
    page.goto("/visits/new")
    page.select_option("#village_code", KEMIRI)
    assert page.locator("button[name=check]").is_hidden()
    page.select_option("#tickets-0-category", "crime")
    page.click("button[name=add_ticket]")
    page.select_option("#tickets-1-category", "campaign_violation")
    page.locator("#tickets-1-similar li", has_text="Baliho calon dirobohkan di balai desa").wait_for()
    assert "Baliho calon dirobohkan" not in page.inner_text("#tickets-0-similar")
    assert serious_findings(page, "#tickets-1-similar") == []


def test_each_problem_of_a_visit_gets_the_duplicate_hint_without_javascript(new_page, plain_page):
    filer = new_page(PHONE)
    log_in(filer, "babinsa.kemiri")
    file_a_ticket(filer, "Alat peraga kampanye dicopot paksa")
    page = plain_page()
    log_in(page, "babinsa.kemiri")
    page.goto(f"/visits/new?village_code={KEMIRI}")
    page.select_option("#tickets-0-category", "campaign_violation")
    page.fill("#tickets-0-title", "Alat peraga kampanye dicopot paksa")
    page.click("button[name=check]")
    page.wait_for_load_state("load")
    assert "Alat peraga kampanye dicopot paksa" in page.inner_text("#tickets-0-similar")
