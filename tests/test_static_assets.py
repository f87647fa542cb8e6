"""Static files fingerprinted by content and cached for a year; pages stay uncached (issue 14)."""
import hashlib
import os
import re
import shutil

from flask import url_for

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_URL = re.compile(r"""(?:href|src)="(/static/[^"]+)\"""")


def sha(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def test_a_static_url_carries_the_hash_of_the_files_content(app):
    with app.test_request_context():
        url = url_for("static", filename="app.css")
    assert url == f"/static/app.css?v={sha(os.path.join(app.static_folder, 'app.css'))}"


def test_a_fingerprinted_file_is_cached_for_a_year_and_sets_no_cookie(app, client):
    with app.test_request_context():
        url = url_for("static", filename="tickets.js")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    with open(os.path.join(app.static_folder, "tickets.js"), "rb") as handle:
        assert response.data == handle.read()


def test_a_logged_in_user_gets_the_same_cacheable_answer(app, world, web):
    client = web(world.babinsa)
    with app.test_request_context():
        url = url_for("static", filename="field.css")
    response = client.get(url)
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_a_file_without_its_hash_or_with_another_is_served_fresh_and_not_kept(app, client):
    current = sha(os.path.join(app.static_folder, "app.css"))
    for url in ("/static/app.css", "/static/app.css?v=000000000000", "/static/app.css?v="):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url
        assert hashlib.sha256(response.data).hexdigest()[:12] == current


def test_an_unknown_file_is_404_whatever_its_hash(client):
    for url in ("/static/nothing.css", "/static/nothing.css?v=0123456789ab", "/static/../config.py?v=x",
                "/static/icons?v=x"):
        assert client.get(url).status_code == 404, url


def test_a_changed_file_gets_a_new_url_and_its_old_url_is_no_longer_kept(app, client, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(app.static_folder, folder)
    app.static_folder = str(folder)
    with app.test_request_context():
        before = url_for("static", filename="field.css")
        other = url_for("static", filename="app.css")
    with open(folder / "field.css", "a", encoding="utf-8") as handle:
        handle.write("/* changed */\n")
    with app.test_request_context():
        after = url_for("static", filename="field.css")
        assert url_for("static", filename="app.css") == other
    assert after != before and after == f"/static/field.css?v={sha(folder / 'field.css')}"
    assert client.get(after).headers["Cache-Control"] == IMMUTABLE
    old = client.get(before)
    assert old.headers["Cache-Control"] == "no-cache" and old.data.endswith(b"/* changed */\n")


def test_a_revalidated_file_keeps_its_headers(app, client):
    with app.test_request_context():
        url = url_for("static", filename="app.css")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == IMMUTABLE


def test_every_page_asks_for_fingerprinted_files_only(app, client, world, web):
    pages = [client.get("/login"), web(world.babinsa).get("/dashboard/"), web(world.babinsa).get("/visits/new"),
             web(world.babinsa).get("/field/outbox"), web(world.babinsa).get("/offline")]
    seen = set()
    for response in pages:
        assert response.status_code == 200
        for url in STATIC_URL.findall(response.get_data(as_text=True)):
            url = url.replace("&amp;", "&")
            path, _, version = url.partition("?v=")
            assert re.fullmatch(r"[0-9a-f]{12}", version), url
            assert version == sha(os.path.join(app.static_folder, path.removeprefix("/static/"))), url
            seen.add(path)
    assert {"/static/app.css", "/static/field.css", "/static/field.js", "/static/outbox.js",
            "/static/tickets.js"} <= seen


def test_pages_keep_their_headers_and_are_not_cached(client, world, web):
    for response in (client.get("/login"), web(world.babinsa).get("/dashboard/")):
        assert response.status_code == 200
        cache = response.headers.get("Cache-Control", "")
        assert "max-age" not in cache and "immutable" not in cache and "public" not in cache
        assert "Expires" not in response.headers and "Last-Modified" not in response.headers
        assert "Content-Security-Policy" in response.headers


def test_the_service_worker_script_is_never_kept(client):
    response = client.get("/sw.js")
    assert response.headers["Cache-Control"] == "no-cache"
    assert "immutable" not in response.headers["Cache-Control"]
