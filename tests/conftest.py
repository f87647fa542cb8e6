"""The suite's fixtures come from plugins: tests/plugins/database.py (a
database per xdist worker; ``app``, ``db``, ``client``, each test rolled back),
tests/plugins/world.py (Karanganyar's regions, units and users, and the
factories) and tests/plugins/photos.py (tickets with photos, bearer tokens).
Feature folders add their own in their conftest.py.
"""
import glob
import os
import re

import pytest

pytest_plugins = ["tests.plugins.database", "tests.plugins.world", "tests.plugins.photos"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every test in these folders is slow: a browser (e2e), the benchmark harness (bench).
# Elsewhere a slow module or test says so itself (pytestmark, @pytest.mark.slow).
SLOW_FOLDERS = ("e2e", "bench")
SHARED_REGIONS = os.path.join(ROOT, "..", "shared", "data", "wilayah_kemendagri_2025.csv")


def _compile_catalogue(po_path):
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    mo_path = po_path[:-3] + ".mo"
    if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
        return
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    partial = f"{mo_path}.{os.getpid()}"
    with open(partial, "wb") as handle:
        write_mo(handle, catalog, use_fuzzy=True)  # as `pybabel compile -f` in the Makefile
    os.replace(partial, mo_path)


def pytest_collection_modifyitems(items):
    """Mark the tests of SLOW_FOLDERS ``slow``."""
    tests = os.path.join(ROOT, "tests")
    for item in items:
        if os.path.relpath(item.path, tests).split(os.sep)[0] in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Compile stale translation catalogues, so a bare ``pytest`` sees the current ones."""
    for pattern in ("tracker/translations/*/LC_MESSAGES/*.po", "tracker/*/translations/*/LC_MESSAGES/*.po"):
        for po_path in glob.glob(os.path.join(ROOT, pattern)):
            _compile_catalogue(po_path)


@pytest.fixture
def csrf_token_from():
    """Function: the CSRF token of the first form in a rendered page."""

    def find(response):
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
        assert match, "no csrf_token field in the page"
        return match.group(1)

    return find


@pytest.fixture
def shared_regions_csv():
    """The national region list (../shared/data, or WASPADA_REGIONS_CSV); skips when absent."""
    path = os.path.abspath(os.environ.get("WASPADA_REGIONS_CSV") or SHARED_REGIONS)
    if not os.path.exists(path):
        pytest.skip(f"the national region list is not present ({path})")
    return path
