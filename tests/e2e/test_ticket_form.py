"""The ticket form in Chromium: the browser draft and the duplicate hints (tickets.js).

Uses the browser and live demo server of tests/e2e/conftest.py (skipped
without Chromium unless REQUIRE_BROWSER=1).
"""
import re

from tests.e2e.pages import PHONE, log_in

KEBAK = "33.13.14.2006"


def draft(page):
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.endsWith(':ticket')).map(k => localStorage.getItem(k))")


def test_draft_survives_a_failed_submit_and_is_cleared_after_filing(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto("/tickets/new")
    page.select_option("#village_code", KEBAK)
    page.select_option("#category", "crime")
    page.fill("#description", "Kandang dibobol tengah malam.")
    page.click("form[data-draft] button.primary[type=submit]")
    page.locator("#title-error").wait_for()  # the answer comes through the outbox's fetch first
    assert page.input_value("#description") == "Kandang dibobol tengah malam."

    page.goto("/tickets/new")
    assert page.input_value("#description") == "Kandang dibobol tengah malam."
    assert page.input_value("#village_code") == KEBAK
    page.fill("#title", "Pencurian kambing")
    page.click("form[data-draft] button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    page.wait_for_load_state("load")
    assert draft(page) == []
    page.goto("/tickets/new")
    assert page.input_value("#description") == ""


def test_duplicate_hints_appear_and_the_same_problem_becomes_a_comment(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto("/tickets/new")
    page.select_option("#village_code", KEBAK)
    page.select_option("#category", "disaster")
    page.fill("#title", "Pohon tumbang di jalan dusun")
    page.click("form[data-draft] button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    first = page.url

    page.goto("/tickets/new")
    assert page.locator("button[name=check]").is_hidden()
    page.select_option("#village_code", KEBAK)
    page.select_option("#category", "disaster")
    page.locator("#similar button[formaction]").first.wait_for()
    assert "Pohon tumbang di jalan dusun" in page.inner_text("#similar")
    page.fill("#title", "Pohon tumbang menimpa kabel listrik")
    page.locator("#similar li", has_text="Pohon tumbang di jalan dusun").locator("button").click()
    page.wait_for_url(first)
    assert "Pohon tumbang menimpa kabel listrik" in page.inner_text("#timeline")
    assert draft(page) == []
