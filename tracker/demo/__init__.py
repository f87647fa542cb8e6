"""The demo data set: Kodim 0727/Karanganyar with its Koramil, users, tickets,
elections and a first sweep.

``seed_demo`` is one call; each feature adds its part in its own module
here. Everything flushes; the ``seed demo`` command (``cli.py``) commits once.
"""
from tracker.demo import elections, foundation, tickets


def seed_demo():
    """Create the whole demo; returns the list of demo users for printing."""
    users = foundation.seed()
    tickets.seed(users)
    # Elections last: their seeder runs the first sweep over the demo tickets.
    elections.seed(users)
    return users
