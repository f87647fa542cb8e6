"""Page weight and self-containment, checked without a browser (runs everywhere)."""
import re

import pytest

BUDGET = 150 * 1024
ASSET = re.compile(r"""<(?:link|script|img|iframe|source|video|audio)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""", re.I)
ANY_URL = re.compile(r"""\b(?:href|src|action|srcset)=["']([^"']+)["']""", re.I)


def assets(html):
    return ASSET.findall(html)


def is_outside(url):
    return url.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) is not None


def test_ticket_form_with_its_css_and_scripts_is_under_150_kb(demo, client, login):
    login("babinsa.kemiri")
    page = client.get("/tickets/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    files = assets(html)
    paths = [f.split("?")[0] for f in files]  # fingerprinted: /static/app.css?v=<hash>
    assert any(f.endswith(".css") for f in paths) and any(f.endswith(".js") for f in paths)
    total = len(page.data) + sum(len(client.get(f).data) for f in files)
    assert total < BUDGET, f"{total} bytes"


@pytest.mark.parametrize("username, paths", [
    ("babinsa.kemiri", ["/dashboard/", "/tickets/new", "/dashboard/village/33.13.14.2005"]),
    ("danramil.kebakkramat", ["/dashboard/", "/tickets/new"]),
    ("dandim.karanganyar", ["/dashboard/"]),
    ("admin", ["/dashboard/"]),
])
def test_pages_reference_nothing_outside_the_app(demo, client, login, username, paths):
    login(username)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        outside = [url for url in ANY_URL.findall(html) if is_outside(url)]
        assert outside == [], path
        for asset in assets(html):
            if not asset.split("?")[0].endswith((".css", ".js")):
                continue  # images (the icon) reference nothing
            body = client.get(asset).get_data(as_text=True)
            assert not re.search(r"""(?:url\(|@import)\s*["']?(?:https?:)?//""", body), asset


def test_stylesheet_uses_no_web_fonts(client):
    css = client.get("/static/app.css").get_data(as_text=True)
    assert "@font-face" not in css
    assert "@import" not in css
