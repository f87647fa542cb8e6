"""What waits on the phone reaches the server once (issue 12): when the signal returns, after a
replay, after a refusal is fixed, after the session ended and he logged in again.

Chromium at 360x740 on the live demo server of tests/e2e/conftest.py.
"""
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.field_support import (
    KEMIRI, QUEUED, expect_badge, fill_ticket, outbox_items, photo, ready_offline, submit, tickets_titled,
    wait_for_state,
)
from tests.e2e.pages import PHONE, log_in

REF = re.compile(r"\d{4}-\d{4}-\d{6}")


def file_offline(new_page, title, path="/tickets/new", photos=()):
    """A Babinsa files a ticket on Tiket baru after his signal dropped; returns the page (still offline)."""
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto(path)
    ready_offline(page, path)
    page.context.set_offline(True)
    page.reload()
    fill_ticket(page, title, photos=photos)
    submit(page)
    assert QUEUED in page.locator(".flash-success").inner_text()
    return page


def test_a_ticket_with_a_photo_filed_offline_arrives_once_when_the_signal_returns(new_page):
    title = "Spanduk calon dirobek (foto, offline)"
    page = file_offline(new_page, title, photos=[photo()])
    page.context.set_offline(False)
    wait_for_state(page, "sent")
    expect_badge(page, "")
    [item] = outbox_items(page)

    page.goto("/field/outbox")
    row = page.locator(".outbox-list li", has_text=title)
    assert "Terkirim" in row.inner_text() and REF.search(row.inner_text())
    assert tickets_titled(page, title) == 1
    page.goto(item["result_url"])
    # The photo shows once among the ticket's photos and once as its line in the timeline.
    assert page.locator("#photos .photos img[src*='/attachments/']").count() == 1
    assert page.locator("#timeline .ev-photo_added img[src*='/attachments/']").count() == 1


def test_a_ticket_filed_offline_arrives_once_with_its_reference_in_the_outbox(new_page):
    title = "Hoaks DPT di grup WA (sinyal kembali)"
    page = file_offline(new_page, title)
    page.context.set_offline(False)
    wait_for_state(page, "sent")
    expect_badge(page, "")
    page.goto("/field/outbox")
    row = page.locator(".outbox-list li", has_text=title)
    assert "Terkirim" in row.inner_text() and REF.search(row.inner_text())
    row.get_by_role("link").click()
    assert page.locator("h1").inner_text() == title
    assert tickets_titled(page, title) == 1


def test_a_visit_with_two_problems_filed_offline_arrives_once_with_both_tickets(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto("/visits/new")
    ready_offline(page, "/visits/new")
    page.context.set_offline(True)
    page.reload()
    page.select_option("#village_code", KEMIRI)
    page.fill("#met_with", "Ketua RW 03")
    page.select_option("#tickets-0-category", "hoax")
    page.fill("#tickets-0-title", "Hoaks bansos dicoret (kunjungan offline)")
    page.click("button[name=add_ticket]")
    page.select_option("#tickets-1-category", "land_dispute")
    page.fill("#tickets-1-title", "Patok sawah digeser (kunjungan offline)")
    submit(page)
    assert QUEUED in page.locator(".flash-success").inner_text()

    page.context.set_offline(False)
    wait_for_state(page, "sent")
    assert tickets_titled(page, "Hoaks bansos dicoret (kunjungan offline)") == 1
    assert tickets_titled(page, "Patok sawah digeser (kunjungan offline)") == 1


def test_a_comment_written_offline_on_a_ticket_page_arrives_once(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto("/tickets/new")
    fill_ticket(page, "Bentrok pemuda antar dusun (komentar offline)")
    submit(page)
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    path = urlsplit(page.url).path
    ready_offline(page, path)
    page.context.set_offline(True)
    page.reload()
    page.fill("#body", "Situasi sudah kondusif, ditulis tanpa sinyal.")
    page.click("form[data-outbox=comment] button[type=submit]")
    assert QUEUED in page.locator(".flash-success").inner_text()
    [item] = outbox_items(page)
    assert (item["kind"], item["url"], item["form_page"]) == ("comment", path + "/comment", path)

    page.context.set_offline(False)
    wait_for_state(page, "sent")
    page.goto(path)
    assert page.locator("#timeline").get_by_text("Situasi sudah kondusif, ditulis tanpa sinyal.").count() == 1


def test_a_replayed_item_creates_nothing_new(new_page):
    title = "Isu SARA di pos ronda (diulang)"
    page = file_offline(new_page, title)
    page.context.set_offline(False)
    wait_for_state(page, "sent")
    # The answer was lost, say: the same report (same client_key, same body) is sent again.
    page.evaluate("""async () => {
      const outbox = window.WaspadaOutbox;
      const [first] = await outbox.all();
      const again = Object.assign({}, first, {id: undefined, created_at: Date.now(), result_url: null, result_ref: null, message: null});
      await outbox.queue(again);
      await window.WaspadaField.send(true);
    }""")
    wait_for_state(page, "sent", count=2)
    first, again = outbox_items(page)
    assert again["client_key"] == first["client_key"]
    assert again["result_url"] == first["result_url"]
    assert tickets_titled(page, title) == 1


def test_a_refused_item_stays_with_the_servers_message_until_he_fixes_it(new_page):
    page = file_offline(new_page, "")  # no title: the server refuses it
    page.context.set_offline(False)
    wait_for_state(page, "refused")
    expect_badge(page, "1 menunggu")
    page.goto("/field/outbox")
    row = page.locator(".outbox-list li").first
    assert "Ditolak" in row.inner_text()
    assert "wajib diisi" in row.locator(".error").inner_text(), "the server's own message"

    page.reload()
    assert "Ditolak" in page.locator(".outbox-list li").first.inner_text(), "nothing dropped"
    row.get_by_role("link", name="Perbaiki").click()
    page.wait_for_url(re.compile(r"/tickets/new\?outbox=\d+$"))
    page.locator(".field-notice").wait_for()
    assert page.input_value("#village_code") == KEMIRI
    assert page.input_value("#description") == "Pesan berantai beredar di grup WA warga."
    page.fill("#title", "Hoaks soal bantuan sosial (diperbaiki)")
    submit(page)
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    assert page.locator(".flash-success").count() == 1
    assert outbox_items(page) == []
    assert tickets_titled(page, "Hoaks soal bantuan sosial (diperbaiki)") == 1


def test_an_item_queued_before_the_session_ended_is_sent_after_he_logs_in(new_page):
    title = "Perkelahian pemuda (sesi berakhir)"
    page = file_offline(new_page, title)
    page.context.clear_cookies()  # the session ends while the phone is offline
    page.context.set_offline(False)
    expect_badge(page, "Masuk lagi untuk mengirim 1 laporan")
    assert outbox_items(page)[0]["state"] == "waiting"

    page.locator("[data-outbox-badge]").click()
    page.wait_for_url("**/login")
    expect(page.locator("[data-outbox-login]")).to_contain_text("1 laporan menunggu di ponsel ini")
    log_in(page, "babinsa.kemiri")
    wait_for_state(page, "sent")
    assert tickets_titled(page, title) == 1
