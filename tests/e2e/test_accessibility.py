"""Every page each role can reach passes axe-core and fits a phone.

The pages are not listed by hand. For each role (and logged out) the test
starts from the links of the main menu and every GET rule of the url_map that
takes no argument, keeps what answers 200 with a whole HTML document, and
follows the links those pages show: the first link to each endpoint that
takes arguments (a ticket, a visit, an election, a village dashboard, a user,
a message...) joins the list, filled with the demo's own data.

On each page, at 360x740 and at 1366x768: axe-core (the copy the
axe-playwright-python package ships; nothing is fetched) finds no serious or
critical violation; at 360 px the page does not scroll sideways and #main
starts within the first 120 px. One browser context per role.
"""
import os
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.e2e.pages import PHONE, log_in, screenshot_path

pytestmark = pytest.mark.slow

DESKTOP = {"width": 1366, "height": 768}
MAIN_TOP_LIMIT = 120
BLOCKING = ("serious", "critical")
ROLES = {
    "anonymous": None,
    "babinsa": "babinsa.kemiri",
    "koramil": "danramil.kebakkramat",
    "kodim": "dandim.karanganyar",
    "admin": "admin",
}
# Machine endpoints under these prefixes are not pages (JSON, files, the app's own plumbing).
NOT_PAGES = ("/api/", "/static/")


@pytest.fixture(scope="module")
def url_map():
    """The application's routes (an app built only to read them; it runs no query)."""
    from tracker import create_app

    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.url_map


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def start_urls(url_map, page):
    """The menu's links on the current page, then every argument-less GET rule."""
    urls = page.eval_on_selector_all("nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    for rule in sorted(url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(NOT_PAGES):
            urls.append(rule.rule)
    return urls


def endpoint_of(adapter, url, base):
    """(endpoint, takes_arguments) of a same-origin link, or None."""
    parts = urlsplit(url)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
        return None
    if parts.path.startswith(NOT_PAGES):
        return None
    try:
        endpoint, args = adapter.match(parts.path, method="GET")
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return endpoint, bool(args)


def is_html_page(response):
    """A whole HTML document answered 200 (not a fragment, an image, a CSV or a redirect)."""
    if response.status != 200 or not response.headers.get("content-type", "").startswith("text/html"):
        return False
    return response.text().lstrip()[:15].lower() == "<!doctype html>"


def axe_findings(axe, page, label):
    """The serious and critical violations axe-core finds on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe.axe_script)  # once per loaded page; both sizes reuse it
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] in BLOCKING:
            nodes = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
            found.append(f"{label}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): {nodes}")
    return found


def layout_findings(page, label):
    found = []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        culprits = page.evaluate("""width => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .reverse().slice(0, 3).map(el => el.tagName.toLowerCase()
                + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))""",
            PHONE["width"])
        found.append(f"{label}: scrolls {overflow} px sideways ({', '.join(culprits)})")
    for frame in page.frames[1:]:  # an email shown in a frame (the digest preview) fits it too
        inner = frame.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if inner > 0:
            found.append(f"{label}: its frame {frame.name or frame.url[:40]} scrolls {inner} px sideways")
    top = page.evaluate("(() => { const m = document.getElementById('main');"
                        " return m ? m.getBoundingClientRect().top + window.scrollY : null; })()")
    if top is None:
        found.append(f"{label}: no #main")
    elif top > MAIN_TOP_LIMIT:
        found.append(f"{label}: #main starts at {top:.0f} px (limit {MAIN_TOP_LIMIT})")
    return found


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_passes_axe_and_fits_a_phone(role, browser, live_server, url_map, axe):
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        if ROLES[role]:
            log_in(page, ROLES[role])
        else:
            page.goto("/login")
        adapter = url_map.bind("127.0.0.1")
        queue = start_urls(url_map, page)
        seen_urls, seen_endpoints, checked, failures = set(), set(), [], []
        while queue:
            url = queue.pop(0)
            path = urlsplit(url).path if urlsplit(url).netloc else url
            match = endpoint_of(adapter, url, live_server)
            if match is None or path in seen_urls or match[0] in seen_endpoints:
                continue
            seen_urls.add(path)
            if not is_html_page(context.request.get(url, max_redirects=0)):
                continue
            seen_endpoints.add(match[0])
            page.set_viewport_size(PHONE)
            page.goto(url)
            page.wait_for_load_state("load")
            checked.append(url)
            failures += layout_findings(page, f"{url} @360")
            failures += axe_findings(axe, page, f"{url} @360")
            if len(checked) == 1 and page.locator(".menu > summary").count():
                # The phone's menu, opened: its links are checked too.
                page.click(".menu > summary")
                failures += axe_findings(axe, page, f"{url} @360 with the menu open")
            page.set_viewport_size(DESKTOP)
            failures += axe_findings(axe, page, f"{url} @1366")
            links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            for link in links:
                found = endpoint_of(adapter, link, live_server)
                if found and found[1] and found[0] not in seen_endpoints:
                    queue.append(urlsplit(link).path)
        assert checked, f"{role}: no page was reachable"
        if role != "anonymous":
            # The crawl reached pages of the demo's own data, not only the menu.
            expected = {"dashboard.index", "dashboard.village", "tickets.detail", "visits.detail", "elections.detail"}
            assert expected <= seen_endpoints, expected - seen_endpoints
        assert not failures, f"{role}: {len(failures)} problems on {len(checked)} pages:\n" + "\n".join(failures)
    finally:
        context.close()


def test_phone_header_is_one_line_and_its_menu_opens_without_javascript(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID", java_script_enabled=False)
    try:
        page = context.new_page()
        # Another Babinsa than the crawl's, whose news are still unread.
        log_in(page, "babinsa.waru")
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] <= 56
        # His two big actions are one tap away: Lapor in the header, both on his home.
        assert page.locator("header a.top-action[href='/tickets/new']").is_visible()
        assert page.locator("main a[href='/tickets/new']").first.is_visible()
        assert page.locator("main a[href='/visits/new']").first.is_visible()

        menu_links = page.locator("header nav a, header nav button")
        assert not menu_links.first.is_visible()
        page.click(".menu > summary")
        assert menu_links.count() >= 6
        for i in range(menu_links.count()):
            box = menu_links.nth(i).bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, menu_links.nth(i).inner_text()
        summary = page.locator(".menu > summary").bounding_box()
        assert summary["height"] >= 44 and summary["width"] >= 44
        # The menu button counts what the links' badges count (the demo Babinsa has unread news).
        link_counts = [int(text.split()[0]) for text in page.locator("header nav [data-nav-badge]").all_inner_texts()]
        assert sum(link_counts) > 0
        assert int(page.locator("[data-menu-badge] [aria-hidden=true]").inner_text()) == sum(link_counts)

        page.click("header nav a[href='/tickets/']")
        page.wait_for_url("**/tickets/")
        assert page.locator("header nav a[href='/tickets/']").get_attribute("aria-current") == "page"

        page.set_viewport_size(DESKTOP)
        assert not page.locator(".menu > summary").is_visible()
        assert page.locator("header nav a[href='/tickets/']").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("forced_colors", ["none", "active"])
def test_severity_choice_shows_which_one_is_chosen(new_page, forced_colors):
    page = new_page(PHONE)
    page.emulate_media(forced_colors=forced_colors)
    log_in(page, "babinsa.kemiri")
    page.goto("/tickets/new")
    style = """label => { const s = getComputedStyle(label), mark = getComputedStyle(label, '::after');
        return {background: s.backgroundColor, top: s.borderTopWidth, mark: mark.content}; }"""
    critical = page.locator("label.choice.sev-critical")
    unchosen = critical.evaluate(style)
    assert not critical.locator("input").is_checked()
    assert unchosen["background"] == "rgb(255, 255, 255)"   # not painted as if chosen
    assert unchosen["mark"] in ("none", "normal")
    critical.click()
    chosen = critical.evaluate(style)
    assert "\u2713" in chosen["mark"]
    assert float(chosen["top"].rstrip("px")) > float(unchosen["top"].rstrip("px"))
    for other in page.locator("label.choice:not(.sev-critical)").all():
        assert other.evaluate(style)["top"] == unchosen["top"]


SCREENSHOT_BUDGET = 150 * 1024
# The README's phone pictures: each role's home, and a page or the open menu beside it.
PHONE_SCREENSHOTS = (
    ("babinsa", "/dashboard/", False, "home-babinsa-phone.png"),
    ("babinsa", "/dashboard/", True, "menu-babinsa-phone.png"),
    ("koramil", "/dashboard/", False, "home-koramil-phone.png"),
    ("koramil", "/warnings", False, "warnings-koramil-phone.png"),
    ("kodim", "/dashboard/", False, "home-kodim-phone.png"),
    ("kodim", "/elections/1", False, "election-kodim-phone.png"),
    ("admin", "/admin/users", False, "users-admin-phone.png"),
)


def test_phone_screenshots_of_each_role(browser, live_server):
    """The README's screenshots at 360x740 (docs/screenshots with WASPADA_SCREENSHOTS=1)."""
    pages = {}
    try:
        for role, url, menu_open, name in PHONE_SCREENSHOTS:
            if role not in pages:
                context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID")
                pages[role] = context.new_page()
                log_in(pages[role], ROLES[role])
            page = pages[role]
            page.goto(url)
            page.wait_for_load_state("load")
            if menu_open:
                page.click(".menu > summary")
            path = screenshot_path(name)
            page.screenshot(path=path)
            assert os.path.getsize(path) < SCREENSHOT_BUDGET, name
    finally:
        for page in pages.values():
            page.context.close()
