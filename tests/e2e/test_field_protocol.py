"""The phone's side of the field protocol, against the answers the forms give in JSON
(201, 422, 401, 400, 5xx): Playwright answers the form's POST in their place, so the
JavaScript is held to the contract whatever the server answers today.

The service worker is blocked here so that the page itself sends (and its requests can
be answered by the test); the worker's own part is in test_field_offline.py.
"""
import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.field_support import (
    KEMIRI, QUEUED, expect_badge, fill_ticket, outbox_items, submit, wait_for_state,
)
from tests.e2e.pages import PHONE, log_in


@pytest.fixture
def phone(browser, live_server):
    """A logged-in Babinsa's phone without a service worker, on Tiket baru for Kemiri."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID", service_workers="block")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "babinsa.kemiri")
    page.goto(f"/tickets/new?village_code={KEMIRI}")
    yield page
    context.close()


def answer_posts(page, *answers):
    """Answer the next POSTs of Tiket baru with (status, body) in turn; returns the requests seen."""
    seen = []

    def handle(route, request):
        if request.method != "POST":
            return route.continue_()
        seen.append({"headers": request.headers, "body": request.post_data_buffer})
        status, body = answers[min(len(seen), len(answers)) - 1]
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    page.route("**/tickets/new", handle)
    return seen


def drafts(page):
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('waspada:draft:'))"
                         ".map(k => JSON.parse(localStorage.getItem(k)))")


def test_a_report_answered_201_opens_what_was_saved_with_its_reference(phone):
    seen = answer_posts(phone, (201, {"ok": True, "kind": "ticket", "id": 1, "ref": "0727-2026-999999",
                                      "url": "/tickets/1"}))
    fill_ticket(phone, "Hoaks DPT (jawaban JSON)")
    submit(phone)
    phone.wait_for_url(re.compile(r"/tickets/1$"))
    assert phone.locator(".flash-success").inner_text() == "Terkirim: 0727-2026-999999"
    [request] = seen
    assert request["headers"]["accept"] == "application/json"
    assert request["headers"]["x-csrftoken"]
    assert request["headers"]["content-type"].startswith("multipart/form-data")
    assert re.search(rb'name="client_key"\r\n\r\n[0-9a-f-]{36}\r\n', request["body"])
    assert b'name="csrf_token"' not in request["body"], "the header carries the fresh token"
    assert outbox_items(phone) == [] and drafts(phone) == []


def test_a_refusal_in_json_shows_each_message_under_its_field_and_keeps_the_draft(phone):
    answer_posts(phone, (422, {"errors": {"title": ["Judul wajib diisi."], "visit": ["Kunjungan tidak ada."]}}))
    key = phone.input_value("input[name=client_key]")
    fill_ticket(phone, "")
    submit(phone)
    expect(phone.locator("#title-error")).to_have_text("Judul wajib diisi.")
    assert phone.get_attribute("#title", "aria-invalid") == "true"
    assert "Kunjungan tidak ada." in phone.locator(".flash-error").inner_text(), "an unknown field goes on top"
    assert outbox_items(phone) == []
    assert drafts(phone) and phone.input_value("input[name=client_key]") not in ("", key)


def test_an_ended_session_keeps_the_report_and_asks_him_to_log_in_again(phone):
    phone.route("**/field/csrf", lambda route: route.fulfill(
        status=401, content_type="application/json", body='{"error": "x", "login_url": "/login"}'))
    fill_ticket(phone, "Perkelahian (sesi habis)")
    submit(phone)
    assert QUEUED in phone.locator(".flash-success").inner_text()
    expect_badge(phone, "Masuk lagi untuk mengirim 1 laporan")
    [item] = outbox_items(phone)
    assert (item["state"], item["problem"], item["attempts"]) == ("waiting", "login", 0)


def test_a_server_error_keeps_the_report_waiting_with_a_backoff(phone):
    answer_posts(phone, (503, {"error": "down"}))
    fill_ticket(phone, "Spanduk sobek (server sibuk)")
    before = time.time() * 1000
    submit(phone)
    assert QUEUED in phone.locator(".flash-success").inner_text()
    [item] = outbox_items(phone)
    assert (item["state"], item["problem"], item["attempts"]) == ("waiting", "server", 1)
    assert before + 4_000 <= item["next_try_at"] <= time.time() * 1000 + 6_000, "first retry after about 5 s"
    expect_badge(phone, "1 menunggu")


def test_a_send_cut_off_without_an_answer_keeps_the_report_waiting(phone):
    phone.route("**/tickets/new", lambda route, request: route.abort("connectionreset")
                if request.method == "POST" else route.continue_())
    fill_ticket(phone, "Baliho dirusak (sinyal putus)")
    submit(phone)
    assert QUEUED in phone.locator(".flash-success").inner_text()
    [item] = outbox_items(phone)
    assert (item["state"], item["problem"], item["attempts"]) == ("waiting", "network", 1)
    assert item["next_try_at"]


def test_a_csrf_refusal_is_sent_once_more_with_a_fresh_token(phone):
    seen = answer_posts(phone, (400, {"error": "csrf"}), (201, {"ok": True, "kind": "ticket", "id": 1,
                                                                "ref": "0727-2026-999998", "url": "/tickets/1"}))
    fill_ticket(phone, "Isu SARA (token basi)")
    submit(phone)
    phone.wait_for_url(re.compile(r"/tickets/1$"))
    assert len(seen) == 2 and all(r["headers"]["x-csrftoken"] for r in seen)


def test_a_report_refused_in_json_after_waiting_is_fixed_from_the_outbox_with_its_messages(phone):
    phone.context.set_offline(True)
    fill_ticket(phone, "")
    submit(phone)
    assert QUEUED in phone.locator(".flash-success").inner_text()
    answer_posts(phone, (422, {"errors": {"title": ["Judul wajib diisi."]}}))
    phone.context.set_offline(False)
    wait_for_state(phone, "refused")
    [item] = outbox_items(phone)
    assert item["errors"] == {"title": ["Judul wajib diisi."]} and item["status"] == 422

    phone.unroute("**/tickets/new")
    phone.goto("/field/outbox")
    row = phone.locator(".outbox-list li").first
    assert "Ditolak" in row.inner_text() and "Judul wajib diisi." in row.inner_text()
    row.get_by_role("link", name="Perbaiki").click()
    expect(phone.locator("#title-error")).to_have_text("Judul wajib diisi.")
    assert phone.input_value("#village_code") == KEMIRI
