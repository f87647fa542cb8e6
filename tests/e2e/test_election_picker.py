"""The election form's area picker in Chromium (tracker/static/elections.js).

Uses the browser and live demo server of tests/e2e/conftest.py (skipped
without Chromium unless REQUIRE_BROWSER=1). The same form without
JavaScript is tests/elections/test_picker.py.
"""
import re

from tests.e2e.pages import PHONE, log_in


def test_a_kecamatan_is_ticked_at_once_and_the_kind_shows_its_own_area(new_page):
    page = new_page(PHONE)
    log_in(page, "dandim.karanganyar")
    page.goto("/elections/new")
    villages, regions = page.locator("[data-area=villages]"), page.locator("[data-area=regions]")
    assert villages.is_visible() and not regions.is_visible()          # Pilkades, the first kind
    page.select_option("#kind", "pilkada")
    assert regions.is_visible() and not villages.is_visible()
    assert page.locator("input[name=regions][value='33.13']").is_checked()   # his kabupaten by default
    page.select_option("#kind", "pilkades")

    group = page.locator("details[data-group]", has=page.locator("summary", has_text="Kebakkramat"))
    group.locator("summary").click()
    everything = group.locator("[data-group-all]")
    desa = group.locator("input[name=villages]")
    total = desa.count()
    assert total > 5
    everything.check()
    assert all(desa.nth(i).is_checked() for i in range(total))
    assert group.locator("[data-group-count]").inner_text() == f"{total} dari {total} desa"
    desa.first.uncheck()
    assert not everything.is_checked() and everything.evaluate("box => box.indeterminate")
    assert group.locator("[data-group-count]").inner_text() == f"{total - 1} dari {total} desa"

    page.fill("#name", "Pilkades Kebakkramat (uji peramban)")
    page.fill("#voting_on", "2027-03-14")
    page.click("form[data-election-form] button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/elections/\d+$"))
    assert f"Desa peserta: {total - 1}" in page.inner_text("main")
