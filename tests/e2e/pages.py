"""What the browser tests do on a page: log in, measure overflow, keep screenshots."""
import os
import tempfile

from tests.plugins.world import DEMO_PASSWORD

PHONE = {"width": 360, "height": 740}
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "screenshots")


def log_in(page, username, password=DEMO_PASSWORD):
    """Log in through the form and land on the dashboard."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form button[type=submit]")
    page.wait_for_url("**/dashboard/")


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def screenshot_path(name):
    """Where a screenshot goes: docs/screenshots with WASPADA_SCREENSHOTS=1 (to refresh
    the README's pictures), else a scratch folder, so a test run leaves the tree clean."""
    folder = SCREENSHOTS if os.environ.get("WASPADA_SCREENSHOTS") == "1" else os.path.join(tempfile.gettempdir(), "waspada-screenshots")
    os.makedirs(folder, exist_ok=True)
    return os.path.abspath(os.path.join(folder, name))
