"""Waspada: early-warning tracker for village problems ahead of elections."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS


def _load_config(app, config):
    if config is None:
        config = os.environ.get("WASPADA_CONFIG", "development")
    if isinstance(config, str):
        if config not in CONFIGS:
            raise RuntimeError(f"WASPADA_CONFIG must be one of {', '.join(CONFIGS)} (got {config!r})")
        config = CONFIGS[config]
    if isinstance(config, dict):
        base = CONFIGS[config.get("CONFIG_NAME", "testing")]
        app.config.from_object(base)
        app.config.update(config)
    else:
        app.config.from_object(config)
        check = getattr(config, "check", None)
        if check:
            check()
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "waspada.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    # Production-style URLs name the driver loosely; we use psycopg 3.
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len(prefix):]


def create_app(config=None):
    """Build the application. Runs no query and starts nothing."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(root, "templates"),
        instance_path=os.environ.get("WASPADA_INSTANCE") or os.path.join(root, "instance"),
    )
    _load_config(app, config)
    os.makedirs(app.instance_path, exist_ok=True)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # The client's address and scheme as the trusted proxies saw them, no deeper.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from tracker import assets, database, i18n, navigation, params
    from tracker.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    database.init_app(app)
    params.init_app(app)
    assets.init_app(app)

    from tracker import errors, security
    from tracker.admin.blueprint import bp as admin_bp
    from tracker.api.blueprint import bp as api_bp
    from tracker.attachments.blueprint import bp as attachments_bp
    from tracker.audit.blueprint import bp as audit_bp
    from tracker.auth.blueprint import bp as auth_bp
    from tracker.backup.blueprint import bp as backup_bp
    from tracker.counters.blueprint import bp as counters_bp
    from tracker.dashboard.blueprint import bp as dashboard_bp
    from tracker.demo.blueprint import bp as demo_bp
    from tracker.digests.blueprint import bp as digests_bp
    from tracker.elections.blueprint import bp as elections_bp
    from tracker.field.blueprint import bp as field_bp
    from tracker.main.blueprint import bp as main_bp
    from tracker.news.blueprint import bp as news_bp
    from tracker.ops.blueprint import bp as ops_bp
    from tracker.regions.blueprint import bp as regions_bp
    from tracker.retention.blueprint import bp as retention_bp
    from tracker.tickets.blueprint import bp as tickets_bp
    from tracker.visits.blueprint import bp as visits_bp
    from tracker.warnings.blueprint import bp as warnings_bp

    # ops first: its hooks time and log each request around all the others.
    for bp in (ops_bp, main_bp, auth_bp, admin_bp, regions_bp, tickets_bp, attachments_bp, visits_bp, elections_bp,
               warnings_bp, counters_bp, news_bp, digests_bp, dashboard_bp, api_bp, field_bp, audit_bp, backup_bp,
               retention_bp, demo_bp):
        app.register_blueprint(bp)
    errors.init_app(app)
    security.init_app(app)
    return app
