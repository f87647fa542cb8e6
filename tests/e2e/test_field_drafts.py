"""Drafts on the phone (issue 12): per user, form and village; every problem block of a visit;
'Buang draf'; the draft's client_key; 'Gunakan lokasi saya' only when tapped.

Chromium at 360x740 on the live demo server of tests/e2e/conftest.py.
"""
from tests.e2e.field_support import KEBAK, KEMIRI
from tests.e2e.pages import PHONE, log_in

RESTORED = "Draf dipulihkan"


def babinsa(new_page):
    page = new_page(PHONE)
    log_in(page, "babinsa.kemiri")
    return page


def test_the_form_opened_for_kebak_never_shows_the_draft_typed_for_kemiri(new_page):
    page = babinsa(new_page)
    page.goto(f"/tickets/new?village_code={KEMIRI}")
    page.select_option("#category", "hoax")
    page.fill("#title", "Hoaks di grup WA Kemiri")

    page.goto(f"/tickets/new?village_code={KEBAK}")
    assert page.input_value("#village_code") == KEBAK
    assert page.input_value("#title") == ""
    assert page.locator(".field-notice").count() == 0
    page.fill("#title", "Pencurian ternak di Kebak")

    page.goto(f"/tickets/new?village_code={KEMIRI}")
    assert page.input_value("#title") == "Hoaks di grup WA Kemiri"
    assert page.input_value("#category") == "hoax"
    assert RESTORED in page.locator(".field-notice").inner_text()
    page.goto(f"/tickets/new?village_code={KEBAK}")
    assert page.input_value("#title") == "Pencurian ternak di Kebak"


def test_a_draft_moves_with_the_village_chosen_in_the_form(new_page):
    page = babinsa(new_page)
    page.goto(f"/tickets/new?village_code={KEMIRI}")
    page.fill("#title", "Sengketa batas sawah")
    page.select_option("#village_code", KEBAK)
    page.goto(f"/tickets/new?village_code={KEMIRI}")
    assert page.input_value("#title") == ""
    page.goto(f"/tickets/new?village_code={KEBAK}")
    assert page.input_value("#title") == "Sengketa batas sawah"


def test_a_visit_draft_restores_both_problem_blocks(new_page):
    page = babinsa(new_page)
    page.goto(f"/visits/new?village_code={KEMIRI}")
    page.fill("#notes", "Rapat RT membahas keamanan kampung.")
    page.select_option("#tickets-0-category", "hoax")
    page.fill("#tickets-0-title", "Hoaks soal DPT")
    page.click("button[name=add_ticket]")
    assert page.locator("fieldset.ticket-entry > legend").nth(1).inner_text().endswith("(2)")
    page.select_option("#tickets-1-category", "land_dispute")
    page.fill("#tickets-1-title", "Patok sawah digeser")

    page.reload()
    assert page.locator("fieldset.ticket-entry").count() == 2
    assert page.input_value("#tickets-0-title") == "Hoaks soal DPT"
    assert page.input_value("#tickets-1-title") == "Patok sawah digeser"
    assert page.input_value("#tickets-1-category") == "land_dispute"
    assert page.input_value("#notes") == "Rapat RT membahas keamanan kampung."
    assert RESTORED in page.locator(".field-notice").inner_text()
    # The restored second block is a block like the first: typing in it keeps the draft.
    page.fill("#tickets-1-title", "Patok sawah digeser lagi")
    page.reload()
    assert page.input_value("#tickets-1-title") == "Patok sawah digeser lagi"


def test_buang_draf_empties_the_form_and_forgets_the_draft(new_page):
    page = babinsa(new_page)
    page.goto(f"/visits/new?village_code={KEMIRI}")
    page.fill("#tickets-0-title", "Baliho dicopot")
    page.click("button[name=add_ticket]")
    page.fill("#tickets-1-title", "Warga bentrok")
    page.reload()
    page.get_by_role("button", name="Buang draf").click()
    assert page.locator("fieldset.ticket-entry").count() == 1
    assert page.input_value("#tickets-0-title") == ""
    assert page.input_value("#village_code") == KEMIRI, "the village the form was opened for stays"
    assert page.locator(".field-notice").count() == 0
    page.reload()
    assert page.input_value("#tickets-0-title") == ""
    assert page.locator(".field-notice").count() == 0


def test_a_draft_keeps_its_client_key_and_a_new_form_gets_a_new_one(new_page):
    page = babinsa(new_page)
    page.goto(f"/tickets/new?village_code={KEMIRI}")
    key = page.input_value("input[name=client_key]")
    page.fill("#title", "Isu SARA di pos ronda")
    page.reload()
    assert page.input_value("input[name=client_key]") == key
    page.get_by_role("button", name="Buang draf").click()
    assert page.input_value("input[name=client_key]") not in ("", key)


def test_location_is_taken_only_when_he_taps_and_shown_with_its_accuracy(new_page):
    page = babinsa(new_page)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": -7.5561, "longitude": 110.9442, "accuracy": 18})
    page.goto("/tickets/new")
    assert page.input_value("input[name=latitude]") == ""
    page.get_by_role("button", name="Gunakan lokasi saya").click()
    status = page.locator("[data-location-status]")
    status.get_by_text("akurasi 18 m").wait_for()
    assert "-7.556100" in status.inner_text() and "110.944200" in status.inner_text()
    assert (page.input_value("input[name=latitude]"), page.input_value("input[name=longitude]"),
            page.input_value("input[name=accuracy_m]")) == ("-7.556100", "110.944200", "18")
    status.get_by_role("button", name="Hapus lokasi").click()
    assert page.input_value("input[name=latitude]") == ""


def test_a_refused_location_says_so_plainly(new_page):
    page = babinsa(new_page)
    page.context.clear_permissions()
    page.goto("/tickets/new")
    page.get_by_role("button", name="Gunakan lokasi saya").click()
    page.locator("[data-location-status]").get_by_text("Lokasi tidak diizinkan").wait_for()
    assert page.input_value("input[name=latitude]") == ""
