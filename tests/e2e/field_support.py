"""Helpers of the field-edge browser tests (tests/e2e/test_field_*.py): the service worker,
the outbox in IndexedDB, and the forms as a Babinsa fills them on a phone."""
import io
from urllib.parse import quote_plus

from PIL import Image
from playwright.sync_api import expect

KEMIRI = "33.13.14.2005"
KEBAK = "33.13.14.2006"
SAVED_COPY = "Offline — menampilkan salinan tersimpan dari"
QUEUED = "Tersimpan di ponsel, akan dikirim otomatis"

OUTBOX_ITEMS = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("waspada", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("outbox", {keyPath: "id", autoIncrement: true});
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const items = await new Promise((resolve, reject) => {
    const request = db.transaction("outbox").objectStore("outbox").getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return Promise.all(items.map(async item => Object.assign({}, item, {files: await Promise.all(item.files.map(
    async f => { const image = await createImageBitmap(f.blob);
                 return {field: f.field, name: f.name, type: f.blob.type, bytes: f.blob.size,
                         width: image.width, height: image.height}; }))})));
}"""

PAGE_IS_SAVED = """async path => {
  for (const name of await caches.keys()) {
    if (name.startsWith("waspada-pages-") && await (await caches.open(name)).match(path)) { return true; }
  }
  return false;
}"""


def eventually(page, script, arg=None, timeout=30_000):
    """Evaluate ``script`` (which may return a promise) until it gives a truthy value.

    ``page.wait_for_function`` counts a returned promise as truthy, so it cannot wait on
    IndexedDB or the Cache API."""
    waited = 0
    while not page.evaluate(script, arg):
        if waited >= timeout:
            raise AssertionError(f"still false after {timeout} ms: {script[:80]}")
        page.wait_for_timeout(100)
        waited += 100


def ready_offline(page, path):
    """Wait until the service worker controls the page and keeps ``path`` for offline use."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    eventually(page, PAGE_IS_SAVED, path)


def outbox_items(page):
    """The outbox of the page's browser context, oldest first, photos described (type, size, pixels)."""
    return page.evaluate(OUTBOX_ITEMS)


def wait_for_state(page, state, count=1):
    """Wait until ``count`` outbox items are in ``state``."""
    eventually(page, "async ([state, count]) => (await (" + OUTBOX_ITEMS + ")())"
                     ".filter(item => item.state === state).length >= count", [state, count])


def expect_badge(page, text):
    """The outbox count in the header says ``text`` (hidden when ``text`` is empty); it is
    written once IndexedDB has answered, so this waits for it."""
    node = expect(page.locator("[data-outbox-badge]"))
    if text:
        node.to_have_text(text)
    else:
        node.to_be_hidden()


def photo(width=3000, height=2000):
    """A camera-sized JPEG for the file input."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 60)).save(buffer, "JPEG", quality=95)
    return {"name": "kamera.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def fill_ticket(page, title, village=KEMIRI, category="hoax", photos=()):
    """Fill Tiket baru (already open) as a Babinsa would."""
    page.select_option("#village_code", village)
    page.select_option("#category", category)
    page.check("input[name=severity][value=high]")
    page.fill("#title", title)
    page.fill("#description", "Pesan berantai beredar di grup WA warga.")
    if photos:
        page.set_input_files("input[name=photos]", list(photos))


def submit(page):
    page.click("form[data-outbox] button.primary[type=submit]")


def tickets_titled(page, title):
    """How many tickets the user sees with this title (the ticket list's search)."""
    page.goto("/tickets/?q=" + quote_plus(title))
    return page.locator("li.ticket-row", has_text=title).count()
