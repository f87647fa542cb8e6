"""The phone without a signal (issue 12): the service worker, the outbox, the offline page.

Chromium at 360x740 with ``context.set_offline``; the live demo server and the
browser come from tests/e2e/conftest.py (skipped without Chromium unless
REQUIRE_BROWSER=1). Nothing here needs the server to have received what waits.
"""
from tests.e2e.pages import DEMO_PASSWORD, PHONE, log_in, screenshot_path
from tests.e2e.field_support import (
    KEBAK, KEMIRI, PAGE_IS_SAVED, QUEUED, SAVED_COPY, expect_badge, fill_ticket, outbox_items, photo, ready_offline,
    submit,
)

PAGE_BUDGET = 150 * 1024


def offline_phone(new_page, path):
    """A Babinsa's phone that opened ``path`` online, kept it, and lost its signal there."""
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto(path)
    ready_offline(page, path)
    page.context.set_offline(True)
    return page


def test_the_service_worker_serves_tiket_baru_after_going_offline_and_reloading(new_page):
    page = offline_phone(new_page, "/tickets/new")
    page.reload()
    assert page.locator("h1").inner_text() == "Tiket baru"
    assert SAVED_COPY in page.locator(".saved-copy").inner_text()
    page.screenshot(path=screenshot_path("ticket-form-offline-phone.png"))
    assert page.locator("#village_code option[value='%s']" % KEMIRI).count() == 1


def test_his_home_villages_and_new_visit_open_offline_from_the_saved_copies(new_page):
    page = offline_phone(new_page, "/tickets/new")
    for path, heading in (("/", "Selamat bertugas"), ("/visits/villages", "Desa binaan saya"), ("/visits/new", "Kunjungan baru")):
        page.goto(path)
        assert heading in page.locator("h1").first.inner_text(), path
        assert page.locator(".saved-copy").is_visible(), path


def test_a_page_never_opened_says_so_in_indonesian_instead_of_the_browsers_error(new_page):
    page = offline_phone(new_page, "/tickets/new")
    page.goto("/tickets/?status=open&severity=critical")
    assert page.locator("h1").inner_text() == "Tidak ada sinyal"
    assert "tidak bisa dibuka tanpa sinyal" in page.locator("main").inner_text()


def test_a_page_opened_before_the_service_worker_took_control_is_kept_too(new_page):
    # The first page after login loads while the worker installs: no worker saw it pass.
    page = new_page(PHONE)
    page.goto("/login?next=/tickets/")
    page.fill("#username", "babinsa.kemiri")
    page.fill("#password", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/tickets/")
    ready_offline(page, "/tickets/")
    page.context.set_offline(True)
    page.reload()
    assert page.locator(".saved-copy").is_visible()
    assert page.locator("h1").inner_text() != "Tidak ada sinyal"


def test_the_next_user_of_the_phone_never_sees_the_pages_kept_for_the_last_one(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    page.goto("/visits/villages")
    ready_offline(page, "/visits/villages")
    logout = page.locator("form[action$='/logout'] button")
    if not logout.is_visible():  # at phone width the menu is folded behind its button
        page.locator("header summary").first.click()
    logout.click()
    page.wait_for_url("**/login")
    assert not page.evaluate(PAGE_IS_SAVED, "/visits/villages")

    log_in(page, "babinsa.waru")
    ready_offline(page, "/visits/villages")
    page.context.set_offline(True)
    page.goto("/visits/villages")
    assert "Waru" in page.locator("main").inner_text()
    assert "Kemiri" not in page.locator("main").inner_text()


def test_a_ticket_filed_offline_waits_in_the_outbox_with_the_count_in_the_header(new_page):
    page = offline_phone(new_page, "/tickets/new")
    page.reload()
    fill_ticket(page, "Hoaks DPT di grup WA (offline)", village=KEBAK, photos=[photo()])
    submit(page)
    assert QUEUED in page.locator(".flash-success").inner_text()
    expect_badge(page, "1 menunggu")
    assert page.input_value("#title") == "", "the form is ready for the next report"

    page.reload()
    expect_badge(page, "1 menunggu")
    [item] = outbox_items(page)
    assert item["state"] == "waiting" and item["kind"] == "ticket" and item["url"] == "/tickets/new"
    assert item["village_code"] == KEBAK and ["title", "Hoaks DPT di grup WA (offline)"] in item["fields"]
    assert item["client_key"] and ["client_key", item["client_key"]] not in item["fields"]
    [picture] = item["files"]
    assert picture["field"] == "photos" and picture["type"] == "image/jpeg"
    assert (picture["width"], picture["height"]) == (1600, 1067), "scaled to 1600 px on the long side"


def test_the_outbox_page_lists_what_waits_and_deletes_only_after_confirmation(new_page):
    page = offline_phone(new_page, "/tickets/new")
    page.reload()
    fill_ticket(page, "Spanduk dirusak (menunggu sinyal)")
    submit(page)
    page.wait_for_selector(".flash-success")

    page.goto("/field/outbox")
    row = page.locator(".outbox-list li", has_text="Spanduk dirusak (menunggu sinyal)")
    assert "Menunggu" in row.inner_text() and "Kemiri" in row.inner_text()
    page.screenshot(path=screenshot_path("outbox-phone.png"))
    with page.expect_event("dialog"):  # the test pages' dialog handler says no
        row.locator("button[data-action=delete]").click()
    assert page.dialogs == ["Hapus laporan ini dari ponsel? Laporan tidak akan dikirim."]
    assert row.count() == 1 and len(outbox_items(page)) == 1

    page.evaluate("() => { window.confirm = () => true; }")
    row.locator("button[data-action=delete]").click()
    page.wait_for_function("() => document.querySelector('[data-outbox-summary]').textContent !== ''")
    assert outbox_items(page) == []
    expect_badge(page, "")


def test_a_visit_with_two_problems_filed_offline_waits_with_both(new_page):
    page = offline_phone(new_page, "/visits/new")
    page.reload()
    page.select_option("#village_code", KEMIRI)
    page.fill("#met_with", "Kepala Dusun II")
    page.select_option("#tickets-0-category", "hoax")
    page.fill("#tickets-0-title", "Hoaks soal DPT")
    page.click("button[name=add_ticket]")  # offline: the second block is made on the phone
    page.select_option("#tickets-1-category", "campaign_violation")
    page.fill("#tickets-1-title", "Spanduk dirusak")
    page.set_input_files("input[name='problems-1-photos']", [photo(1200, 2400)])
    submit(page)
    assert QUEUED in page.locator(".flash-success").inner_text()
    assert page.locator("fieldset.ticket-entry").count() == 1, "the form is ready for the next visit"

    [item] = outbox_items(page)
    assert item["kind"] == "visit"
    assert ["tickets-0-title", "Hoaks soal DPT"] in item["fields"]
    assert ["tickets-1-title", "Spanduk dirusak"] in item["fields"]
    assert [(f["field"], f["width"], f["height"]) for f in item["files"]] == [("problems-1-photos", 800, 1600)]


def test_the_first_load_of_tiket_baru_with_its_service_worker_stays_under_150_kb(new_page):
    """Tiket baru as the first page after login, on an empty cache: the page, its CSS and
    JavaScript, the service worker and the script it imports. Prints the figures."""
    page = new_page(PHONE)
    page.goto("/login?next=/tickets/new")
    page.fill("#username", "babinsa.kemiri")
    page.fill("#password", "waspada-demo")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    # Chrome DevTools' "Slow 3G": 400 kbit/s each way, 2 s round trips.
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000})
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request))
    page.click("form button[type=submit]")
    page.wait_for_url("**/tickets/new")
    page.wait_for_load_state("load")
    seconds = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd / 1000")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    ready_offline(page, "/tickets/new")

    form_page = [r for r in loaded if r.url.endswith("/tickets/new")]
    assets = [r for r in loaded if "/static/" in r.url and r.resource_type in ("stylesheet", "script")]
    page_bytes = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in form_page + assets)
    worker = [page.request.get(url) for url in ("/sw.js", "/static/outbox.js")]
    worker_bytes = sum(len(r.body()) for r in worker)
    precache = page.evaluate("""async () => { let total = 0;
        for (const name of await caches.keys()) { const cache = await caches.open(name);
          for (const request of await cache.keys()) { total += (await (await cache.match(request)).blob()).size; } }
        return total; }""")
    print(f"\nTiket baru first load: page+CSS+JS {page_bytes} B, service worker+import {worker_bytes} B, "
          f"total {page_bytes + worker_bytes} B; everything kept offline {precache} B; "
          f"load event on Slow 3G after {seconds:.1f} s (login POST and redirect included)")
    assert {r.url.split("?")[0].rsplit("/", 1)[-1] for r in assets} >= {"app.css", "field.css", "outbox.js", "field.js", "tickets.js"}
    assert page_bytes + worker_bytes <= PAGE_BUDGET, f"{page_bytes + worker_bytes} bytes"
