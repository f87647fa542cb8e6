"""Configuration from the environment, and an app factory with no side effects."""
import os
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from config import env_bool, env_int
from tracker import create_app
from tracker.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("raw, expected", [
    ("true", True), ("TRUE", True), ("1", True), ("on", True), ("On", True), ("yes", True), (" true ", True),
    ("false", False), ("False", False), ("0", False), ("off", False), ("OFF", False), ("no", False),
])
def test_boolean_settings_accept_true_false_1_0_on_off(monkeypatch, raw, expected):
    monkeypatch.setenv("WASPADA_TEST_FLAG", raw)
    assert env_bool("WASPADA_TEST_FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_unset_or_empty_boolean_takes_the_default(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("WASPADA_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("WASPADA_TEST_FLAG", raw)
    assert env_bool("WASPADA_TEST_FLAG", default=True) is True
    assert env_bool("WASPADA_TEST_FLAG", default=False) is False


def test_a_garbage_boolean_fails_loudly_naming_the_variable(monkeypatch):
    monkeypatch.setenv("WASPADA_TEST_FLAG", "maybe")
    with pytest.raises(ValueError, match="WASPADA_TEST_FLAG.*true/false, 1/0, on/off.*'maybe'"):
        env_bool("WASPADA_TEST_FLAG")


def test_a_garbage_integer_fails_loudly_naming_the_variable(monkeypatch):
    monkeypatch.setenv("WASPADA_TEST_NUMBER", "five")
    with pytest.raises(ValueError, match="WASPADA_TEST_NUMBER must be an integer"):
        env_int("WASPADA_TEST_NUMBER", 5)
    monkeypatch.setenv("WASPADA_TEST_NUMBER", "7")
    assert env_int("WASPADA_TEST_NUMBER", 5) == 7


def _boot(tmp_path, **env):
    """Import run.py (what gunicorn does) in a clean environment."""
    clean = {"PATH": os.environ["PATH"], "WASPADA_INSTANCE": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", "import run; print(run.app.config['SQLALCHEMY_DATABASE_URI'])"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize("env, missing", [
    ({}, "SECRET_KEY, DATABASE_URL"),
    ({"SECRET_KEY": "s3cret"}, "DATABASE_URL"),
    ({"DATABASE_URL": "postgresql://waspada@db.example/waspada"}, "SECRET_KEY"),
])
def test_production_refuses_to_start_without_its_secrets(tmp_path, env, missing):
    result = _boot(tmp_path, WASPADA_CONFIG="production", **env)
    assert result.returncode != 0
    assert f"Production configuration is missing: {missing}" in result.stderr


def test_production_starts_with_both_and_uses_psycopg3(tmp_path):
    # The database need not answer: building the app connects to nothing.
    result = _boot(
        tmp_path, WASPADA_CONFIG="production", SECRET_KEY="s3cret",
        DATABASE_URL="postgres://waspada@127.0.0.1:1/waspada",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "postgresql+psycopg://waspada@127.0.0.1:1/waspada"


def test_an_unknown_config_name_fails_loudly(tmp_path):
    result = _boot(tmp_path, WASPADA_CONFIG="staging")
    assert result.returncode != 0
    assert "WASPADA_CONFIG must be one of development, testing, production (got 'staging')" in result.stderr


def test_a_garbage_boolean_setting_stops_the_app(tmp_path):
    result = _boot(tmp_path, WASPADA_SCHEDULER="sometimes")
    assert result.returncode != 0
    assert "WASPADA_SCHEDULER must be one of true/false, 1/0, on/off" in result.stderr


def test_development_defaults_to_a_sqlite_file_in_the_instance_folder(tmp_path):
    result = _boot(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sqlite:///{tmp_path}/waspada.sqlite3"


def test_create_app_runs_no_query_even_when_the_database_is_unreachable():
    connects = []

    def on_connect(*_args):
        connects.append(1)

    event.listen(Engine, "connect", on_connect)
    try:
        app = create_app({
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/unreachable",
        })
    finally:
        event.remove(Engine, "connect", on_connect)
    assert connects == []
    assert "tracker" in app.name
    with app.app_context():
        db.engine.dispose()


def test_create_app_does_not_create_the_schema(tmp_path):
    path = tmp_path / "untouched.sqlite3"
    create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    assert not path.exists() or sqlite3.connect(path).execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    ).fetchone() == (0,)


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite3"})
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        db.engine.dispose()


def test_testing_config_never_starts_the_scheduler_and_hashes_cheaply(app):
    assert app.config["WASPADA_SCHEDULER"] is False
    assert app.config["ARGON2_MEMORY_COST"] < 65536
