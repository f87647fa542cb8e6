"""The server's side of the field edge: /sw.js, the manifest, /field/csrf, the outbox and
offline pages, and the inputs the create forms carry for the phone's JavaScript."""
import json
import os
import re
import shutil

from PIL import Image


def worker_settings(response):
    """The settings line the server puts before static/sw.js, and the script."""
    first_line, script = response.get_data(as_text=True).split("\n", 1)
    return json.loads(first_line.removeprefix("self.WASPADA = ").removesuffix(";")), script


def test_the_service_worker_is_served_from_the_root_never_from_a_cache_with_its_settings(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    settings, script = worker_settings(response)
    assert re.fullmatch(r"\d+\.\d+\.\d+-[0-9a-f]{12}", settings["release"])
    assert settings["pages"] == ["/", "/visits/villages", "/tickets/new", "/visits/new", "/field/outbox"]
    assert settings["offline"] == "/offline"
    # The static files by their fingerprinted URLs, as the pages ask for them (tracker/assets.py).
    paths = {url.split("?v=")[0] for url in settings["statics"]}
    assert {"/static/app.css", "/static/tickets.js", "/static/outbox.js", "/static/icons/waspada-192.png",
            "/manifest.webmanifest"} <= paths
    assert all(re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{12}", url) for url in settings["statics"]
               if url.startswith("/static/"))
    assert "/static/sw.js" not in paths
    assert settings["never_cached"] == ["/api/", "/attachments", "/field/csrf"]
    assert "importScripts(SETTINGS.outbox)" in script
    # The worker imports outbox.js from the very URL the pages load it from: one download, one copy.
    assert settings["outbox"] in settings["statics"]
    page = client.get("/login").get_data(as_text=True)
    assert f'<script src="{settings["outbox"]}" defer></script>' in page


def test_a_changed_static_file_is_a_new_release(app, client, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(app.static_folder, folder)
    app.static_folder = str(folder)
    release = worker_settings(client.get("/sw.js"))[0]["release"]
    with open(folder / "field.css", "a", encoding="utf-8") as handle:
        handle.write("/* a new release */\n")
    again = worker_settings(client.get("/sw.js"))[0]["release"]
    assert again != release and again.split("-")[0] == release.split("-")[0]


def test_the_manifest_installs_waspada_in_indonesian_with_the_brand_colour_and_both_icons(app, client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert (manifest["name"], manifest["lang"], manifest["display"]) == ("Waspada", "id", "standalone")
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    with open(os.path.join(app.static_folder, "app.css"), encoding="utf-8") as handle:
        brand = re.search(r"--brand:\s*(#[0-9a-fA-F]+)", handle.read()).group(1)
    assert manifest["theme_color"] == brand
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        path = os.path.join(app.static_folder, icon["src"].removeprefix("/static/").split("?v=")[0])
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"


def test_the_csrf_token_answers_401_in_json_when_logged_out_never_a_redirect(client):
    response = client.get("/field/csrf")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": "Sesi Anda telah berakhir. Masuk lagi untuk mengirim laporan yang menunggu di ponsel ini.",
        "login_url": "/login",
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_the_csrf_token_names_the_user_and_a_post_with_it_passes(csrf_app, make_user, csrf_token_from):
    user = make_user("admin", username="op.field")
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login"))
    client.post("/login", data={"username": "op.field", "password": "waspada-demo", "csrf_token": token})
    answer = client.get("/field/csrf").get_json()
    assert answer["user_id"] == user.id
    assert client.post("/lang/en", headers={"X-CSRFToken": "stale"}).status_code == 400
    assert client.post("/lang/en", headers={"X-CSRFToken": answer["csrf_token"]}).status_code == 302


def test_the_outbox_page_needs_a_login_and_explains_itself_without_javascript(client, world, web):
    assert client.get("/field/outbox").status_code == 302
    page = web(world.babinsa).get("/field/outbox").get_data(as_text=True)
    assert "<h1>Kotak keluar</h1>" in page
    assert "<noscript>" in page and "memerlukan JavaScript" in page
    assert re.search(r'src="/static/outbox-page\.js\?v=[0-9a-f]{12}"', page)


def test_the_offline_page_is_indonesian_and_names_no_user(world, web):
    page = web(world.babinsa).get("/offline").get_data(as_text=True)
    assert "<h1>Tidak ada sinyal</h1>" in page
    assert world.babinsa.username not in page and "waspada-user" not in page


def test_pages_name_their_user_for_the_phone_only_when_logged_in(client, world, web):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert "waspada-user" not in page and "data-outbox-badge" not in page
    assert "data-outbox-login hidden" in page and re.search(r'src="/static/outbox\.js\?v=[0-9a-f]{12}"', page)
    page = web(world.babinsa).get("/dashboard/").get_data(as_text=True)
    assert f'<meta name="waspada-user" content="{world.babinsa.id}">' in page
    assert '<a class="outbox-badge" href="/field/outbox" data-outbox-badge hidden></a>' in page


def test_each_create_form_carries_a_fresh_client_key_photos_and_location(world, web):
    client = web(world.babinsa)
    keys = set()
    for path, photos in (("/tickets/new", "photos"), ("/visits/new", "problems-0-photos")):
        page = client.get(path).get_data(as_text=True)
        keys.add(re.search(r'name="client_key" value="([0-9a-f-]{36})"', page).group(1))
        assert 'enctype="multipart/form-data"' in page
        assert (f'<input type="file" id="{photos}" name="{photos}" accept="image/*" capture="environment" multiple>'
                in page)
        assert all(f'name="{name}" value=""' in page for name in ("latitude", "longitude", "accuracy_m"))
        assert "Gunakan lokasi saya" in page
    again = client.get("/tickets/new").get_data(as_text=True)
    keys.add(re.search(r'name="client_key" value="([0-9a-f-]{36})"', again).group(1))
    assert len(keys) == 3, "every page gets its own key"
