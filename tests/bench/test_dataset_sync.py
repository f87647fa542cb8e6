"""A reused bench data set is brought to the models' schema (bench.dataset.sync_schema).

A data set outlives the code that built it (``--reuse``); a column added
since (nullable or with a server default) and a table added since must be
there before it is measured, and new counter tables are filled from its
tickets.
"""
import pytest
from sqlalchemy import func, inspect, select, text

from bench import dataset
from tracker import create_app
from tracker.counters import tally
from tracker.extensions import db
from tracker.counters.models import TicketTally
from tracker.demo import seed_demo


@pytest.mark.own_app
def test_columns_and_counter_tables_added_since_are_added_and_filled(tmp_path):
    # The demo data in a database of its own, as an old data set: one column and the counters gone.
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE user_account DROP COLUMN auth_stamp"))
            connection.execute(text(f"DROP TABLE {TicketTally.__tablename__}"))

        changed = dataset.sync_schema(log=lambda _line: None)

        assert "user_account.auth_stamp" in changed and TicketTally.__tablename__ in changed
        assert "auth_stamp" in {c["name"] for c in inspect(db.engine).get_columns("user_account")}
        # Filled from the tickets: not empty, and equal to a full recount.
        assert db.session.execute(select(func.count()).select_from(TicketTally)).scalar_one() > 0
        assert tally.drift(db.session) == []
