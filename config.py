"""Application configuration, read from the environment.

Development and testing get safe defaults; production refuses to start
without ``SECRET_KEY`` and ``DATABASE_URL``.
"""
import os


def env_bool(name, default=False):
    """Read a boolean setting: true/false, 1/0, on/off, yes/no."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no"):
        return False
    raise ValueError(f"{name} must be one of true/false, 1/0, on/off (got {raw!r})")


def env_int(name, default):
    """Read an integer setting, failing loudly on garbage."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer (got {raw!r})") from None


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "the SQLite file in the instance folder" (set in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # hide_parameters: an error or a statement log never shows the values (a new user's hash, a token).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = None

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    # argon2id cost: argon2-cffi's defaults (RFC 9106 low-memory profile).
    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 65536)  # KiB
    ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 4)

    # Failed logins lock an (account, client address) pair after LOGIN_MAX_FAILURES, an
    # address after LOGIN_MAX_FAILURES_PER_ADDRESS across accounts; for LOGIN_LOCKOUT_MINUTES.
    LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
    LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
    API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 24 * 30)
    # A login session ends after this many days without a request (a Babinsa on his
    # own phone should not log in every morning), and this many days after the login.
    SESSION_IDLE_DAYS = env_int("SESSION_IDLE_DAYS", 14)
    SESSION_MAX_DAYS = env_int("SESSION_MAX_DAYS", 30)
    # Audit events are deleted this many days after they happened (the daily retention job).
    AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400)
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed
    # (Werkzeug's ProxyFix); 0: the peer's address is the client's.
    TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

    # Due time per severity, in hours.
    DUE_HOURS = {
        "critical": env_int("DUE_HOURS_CRITICAL", 24),
        "high": env_int("DUE_HOURS_HIGH", 72),
        "medium": env_int("DUE_HOURS_MEDIUM", 168),
        "low": env_int("DUE_HOURS_LOW", 336),
    }
    PER_PAGE = 25

    WASPADA_SCHEDULER = env_bool("WASPADA_SCHEDULER", True)
    SWEEP_INTERVAL_MINUTES = env_int("SWEEP_INTERVAL_MINUTES", 15)
    SILENT_AFTER_DAYS = env_int("SILENT_AFTER_DAYS", 14)

    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    DIGEST_HOUR = env_int("DIGEST_HOUR", 6)
    DIGEST_LIST_CAP = env_int("DIGEST_LIST_CAP", 10)
    DIGEST_SEND_EMPTY = env_bool("DIGEST_SEND_EMPTY", True)
    DIGEST_CATCHUP_HOURS = env_int("DIGEST_CATCHUP_HOURS", 18)
    # Recipients decided together (set-based queries, one insert); bounds the memory of a run.
    DIGEST_BATCH = env_int("DIGEST_BATCH", 500)

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Waspada <waspada@localhost>")
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 30)
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)

    # Field intake (issue 12): client keys are kept at least a week for the phones' outbox.
    IDEMPOTENCY_KEEP_DAYS = env_int("IDEMPOTENCY_KEEP_DAYS", 7)
    ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    # Larger images are refused as decompression bombs (a 40 MP photo decodes to 120 MB).
    ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 40_000_000)
    ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE", "database")
    # A request body beyond this answers 413: three full-size photos and the form around them.
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 3 * ATTACHMENT_MAX_BYTES + 1024 * 1024)

    # Retention (UU 27/2022): the names in tickets closed or rejected this many days ago are removed
    # (tracker/retention), RETENTION_BATCH tickets per statement.
    RETENTION_CLOSED_DAYS = env_int("RETENTION_CLOSED_DAYS", 730)
    RETENTION_BATCH = env_int("RETENTION_BATCH", 1000)
    # Backups (tracker/backup): the folder of pg_dump/pg_restore when not on PATH.
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR") or None

    # Operations (issue 15): GET /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>"
    # (404 while unset); LOG_FORMAT "plain" or "json" (one JSON object a line).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()

    ALLOW_DEMO_SEED = False
    # Strict-Transport-Security: only where the app is served over TLS (production).
    HSTS = False


class DevelopmentConfig(Config):
    DEBUG = True
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    ALLOW_DEMO_SEED = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Cheap hashing: the suite creates and logs in many users.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    WASPADA_SCHEDULER = False
    ALLOW_DEMO_SEED = True
    MAIL_SERVER = None


class ProductionConfig(Config):
    HSTS = env_bool("HSTS", True)

    @classmethod
    def check(cls):
        """Fail loudly when a production secret is missing."""
        missing = [
            name for name in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI") if not getattr(cls, name)
        ]
        if missing:
            names = ", ".join("DATABASE_URL" if m.startswith("SQLALCHEMY") else m for m in missing)
            raise RuntimeError(f"Production configuration is missing: {names}")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
