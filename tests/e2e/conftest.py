"""Browser tests: the app served from a thread, driven by Debian's Chromium.

The server runs the production configuration's protections (CSRF on) over a
temporary SQLite file loaded with the demo. Without /usr/bin/chromium the
tests skip, unless REQUIRE_BROWSER=1 (CI), where they fail instead.
"""
import os
import threading

import pytest
from werkzeug.serving import make_server

from tests.e2e.pages import PHONE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


def _browser_missing(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium while this folder's tests run.

    Not for the whole session: under xdist a worker may go on to a test that
    starts Playwright itself (the benchmark's first load), which refuses to
    run while another sync Playwright holds the thread's event loop.
    """
    if not os.path.exists(CHROMIUM):
        _browser_missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app over a fresh demo database, served on a free port of 127.0.0.1; yields its base URL."""
    from tracker import create_app
    from tracker.demo import seed_demo
    from tracker.extensions import db

    folder = tmp_path_factory.mktemp("live")
    app = create_app({
        "CONFIG_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
    })
    app.instance_path = str(folder / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(viewport=PHONE): a page in a fresh browser context (own cookies and storage)."""
    contexts = []

    def make(viewport=PHONE):
        context = browser.new_context(viewport=viewport, base_url=live_server, locale="id-ID")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    yield make
    for context in contexts:
        context.close()

