"""The demo data set: Kodim 0727/Karanganyar with its Koramil, users and more.

``seed_demo`` is one call that each feature extends with its own module
here; it flushes, and the ``seed demo`` command commits once.
"""
from tracker.demo import foundation

DEMO_PASSWORD = foundation.DEMO_PASSWORD


def seed_demo():
    """Create the whole demo; returns the list of demo users for printing."""
    users = foundation.seed()
    _seed_features(users)
    return users


def _seed_features(users):
    """Feature seeders, in dependency order (tickets before elections and sweep)."""
    import importlib

    for name in ("tickets", "elections", "digests"):
        try:
            module = importlib.import_module(f"tracker.demo.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"tracker.demo.{name}":
                raise
            continue
        module.seed(users)
