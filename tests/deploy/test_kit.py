"""The deployment kit (deploy/) holds together: every command it runs exists, every path it names is
in the repository, and its limits agree with the app's. The kit itself cannot run here (systemd,
nginx, docker); test_live.py runs its gunicorn config and the scheduler for real."""
import configparser
import os
import re
import shlex

import pytest
import yaml

from config import Config
from tracker import create_app

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")
# Where the units and the nginx site expect the checkout.
INSTALL = "/srv/waspada/app/"


def read(*parts):
    with open(os.path.join(DEPLOY, *parts), encoding="utf-8") as handle:
        return handle.read()


def unit(name):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string(read("systemd", name))
    return parser


@pytest.fixture(scope="module")
def cli():
    """Function: the exit code of ``flask --app tracker <words> --help`` (0: the command exists)."""
    runner = create_app({"CONFIG_NAME": "testing"}).test_cli_runner()
    return lambda words: runner.invoke(args=[*words, "--help"]).exit_code


def flask_words(command):
    """The subcommand words of a ``flask --app tracker ...`` command line (options and arguments dropped)."""
    words = shlex.split(command)
    start = words.index("tracker") + 1
    return [w for w in words[start:] if not w.startswith("-") and not w.startswith(("/", "$", '"'))][:2]


def assert_gunicorn_command(words):
    assert words[words.index("--config") + 1] == "deploy/gunicorn.conf.py"
    assert os.path.isfile(os.path.join(ROOT, "deploy", "gunicorn.conf.py"))
    module, _sep, attribute = words[-1].partition(":")
    assert (module, attribute) == ("run", "app")
    assert "app = create_app()" in open(os.path.join(ROOT, "run.py"), encoding="utf-8").read()


@pytest.fixture
def gunicorn_settings(monkeypatch):
    """Function: the settings deploy/gunicorn.conf.py defines under an environment."""

    def load(**environment):
        for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        settings = {}
        exec(compile(read("gunicorn.conf.py"), "gunicorn.conf.py", "exec"), settings)
        return settings

    return load


def test_gunicorn_workers_follow_the_cpus_and_the_environment(gunicorn_settings):
    default = gunicorn_settings()
    assert default["workers"] == min(2 * os.cpu_count() + 1, 12)
    assert default["bind"] == "127.0.0.1:8000"
    assert default["timeout"] == 60 and default["graceful_timeout"] < 40   # the web unit's TimeoutStopSec
    assert default["worker_class"] == "sync"
    tuned = gunicorn_settings(WEB_CONCURRENCY="3", GUNICORN_BIND="127.0.0.1:9", GUNICORN_TIMEOUT="30")
    assert (tuned["workers"], tuned["bind"], tuned["timeout"]) == (3, "127.0.0.1:9", 30)
    with pytest.raises(ValueError, match="WEB_CONCURRENCY must be an integer"):
        gunicorn_settings(WEB_CONCURRENCY="many")


def test_the_access_log_names_the_request_id_status_and_duration(gunicorn_settings):
    settings = gunicorn_settings()
    assert settings["accesslog"] == "-"
    for atom in ("%({x-request-id}o)s", "%(s)s", "%(D)s", '"%(r)s"', "%({x-forwarded-for}i)s"):
        assert atom in settings["access_log_format"]


def test_the_metrics_folder_is_emptied_when_gunicorn_starts(gunicorn_settings, tmp_path, monkeypatch):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old counts")
    (folder / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    gunicorn_settings()["on_starting"](None)
    assert sorted(os.listdir(folder)) == ["keep.txt"]


def test_the_web_unit_runs_gunicorn_with_the_kit_config_and_a_metrics_folder():
    service = unit("waspada-web.service")["Service"]
    words = shlex.split(service["ExecStart"])
    assert words[0] == INSTALL + ".venv/bin/gunicorn"
    assert_gunicorn_command(words)
    assert service["User"] == "waspada" and service["WorkingDirectory"] == INSTALL.rstrip("/")
    assert service["EnvironmentFile"] == "/etc/waspada/waspada.env"
    runtime = "/run/" + service["RuntimeDirectory"] + "/"
    assert service["Environment"].startswith("PROMETHEUS_MULTIPROC_DIR=" + runtime)
    assert int(service["TimeoutStopSec"]) > 30


def test_the_scheduler_unit_runs_the_one_scheduler_and_always_comes_back(cli):
    service = unit("waspada-scheduler.service")["Service"]
    assert shlex.split(service["ExecStart"])[0] == INSTALL + ".venv/bin/flask"
    assert flask_words(service["ExecStart"]) == ["scheduler"]
    assert cli(["scheduler"]) == 0
    assert service["Restart"] == "always"


def test_the_backup_timer_runs_flask_backup_create_nightly(cli):
    timer = unit("waspada-backup.timer")["Timer"]
    assert timer["OnCalendar"].startswith("*-*-* ") and timer["Persistent"] == "true"
    service = unit("waspada-backup.service")["Service"]
    assert service["Type"] == "oneshot"
    command = shlex.split(service["ExecStart"])[-1]
    assert flask_words(command) == ["backup", "create"]
    assert cli(["backup", "create"]) == 0
    assert "/srv/waspada/backups" in service["ReadWritePaths"]


def test_every_unit_reads_the_same_environment_file_which_the_kit_shows():
    example = read("env.example")
    for name in ("waspada-web.service", "waspada-scheduler.service", "waspada-backup.service"):
        assert unit(name)["Service"]["EnvironmentFile"] == "/etc/waspada/waspada.env"
    settings = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert settings["WASPADA_CONFIG"] == "production"
    assert settings["TRUSTED_PROXIES"] == "1"   # nginx, the one proxy in front
    for name in settings:
        assert name in vars(Config) or name.startswith(("GUNICORN_", "WASPADA_", "DATABASE_")) \
            or name in ("SECRET_KEY",), f"{name} is no setting of the app or of gunicorn.conf.py"


def _size(text):
    number, unit_letter = re.fullmatch(r"(\d+)([kKmMgG]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit_letter.lower()]


def test_nginx_lets_through_every_body_the_app_accepts():
    site = read("nginx", "waspada.conf")
    [limit] = re.findall(r"^\s*client_max_body_size\s+(\S+);", site, re.M)
    assert _size(limit) >= Config.MAX_CONTENT_LENGTH


def test_nginx_serves_the_static_files_of_the_checkout_cached_as_the_app_does():
    from tracker.assets import IMMUTABLE, VERSION_ARG

    site = read("nginx", "waspada.conf")
    block = re.search(r"location /static/ \{(.*?)\}", site, re.S).group(1)
    alias = re.search(r"alias\s+(\S+);", block).group(1)
    assert alias.startswith(INSTALL)
    assert os.path.isfile(os.path.join(ROOT, alias[len(INSTALL):], "app.css"))
    # A fingerprinted URL (?v=<hash>) is cached for a year, any other revalidated.
    variable = re.search(r"add_header Cache-Control (\$\w+);", block).group(1)
    mapping = re.search(r"map \$arg_%s \%s \{(.*?)\}" % (VERSION_ARG, variable), site, re.S).group(1)
    assert re.search(r'""\s+"no-cache";', mapping)
    assert f'default "{IMMUTABLE}";' in mapping


def test_nginx_terminates_tls_and_forwards_the_client_and_scheme():
    site = read("nginx", "waspada.conf")
    assert re.search(r"listen 443 ssl", site) and "ssl_certificate " in site
    assert "return 301 https://" in site
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme", "Host $host"):
        assert f"proxy_set_header {header};" in site
    upstream = re.search(r"upstream waspada_web \{\s*#[^\n]*\n\s*server (\S+);", site).group(1)
    assert upstream == "127.0.0.1:8000"   # gunicorn.conf.py's default bind


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(read("docker-compose.yml"))


def test_compose_has_postgresql_the_web_the_scheduler_and_a_mail_catcher(compose):
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert "mailpit" in services["mail"]["image"]
    app_environment = services["web"]["environment"]
    assert app_environment["MAIL_SERVER"] == "mail"
    assert app_environment["DATABASE_URL"].startswith("postgresql://") and "@db:" in app_environment["DATABASE_URL"]
    assert services["scheduler"]["environment"]["DATABASE_URL"] == app_environment["DATABASE_URL"]


def test_compose_commands_exist_and_migrations_run_before_the_web_and_the_scheduler(compose, cli):
    services = compose["services"]
    assert_gunicorn_command(services["web"]["command"])
    for name, words in (("migrate", ["db", "upgrade"]), ("scheduler", ["scheduler"])):
        command = services[name]["command"]
        assert command[:3] == ["flask", "--app", "tracker"] and command[3:] == words
        assert cli(words) == 0
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    build = services["web"]["build"]
    assert os.path.isfile(os.path.join(DEPLOY, build["context"], build["dockerfile"]))


def test_the_image_installs_with_make_and_carries_the_backup_tools():
    dockerfile = read("Dockerfile")
    assert "RUN make install" in dockerfile and "postgresql-client" in dockerfile
    assert 'CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "run:app"]' in dockerfile


def test_nginx_accepts_the_site(tmp_path):
    """``nginx -t`` on the site, with a throw-away certificate and log folder (skipped without nginx)."""
    import shutil
    import subprocess

    nginx, openssl = shutil.which("nginx") or "/usr/sbin/nginx", shutil.which("openssl")
    if not os.path.exists(nginx) or not openssl:
        pytest.skip("nginx or openssl is not installed here")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    live = "/etc/letsencrypt/live/waspada.example.go.id/"
    site = (read("nginx", "waspada.conf").replace(live + "fullchain.pem", str(tmp_path / "cert.pem"))
            .replace(live + "privkey.pem", str(tmp_path / "key.pem")).replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_systemd_accepts_the_units(tmp_path):
    """``systemd-analyze verify`` on the units, the checkout standing in for /srv/waspada/app (skipped without it)."""
    import shutil
    import subprocess

    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed here")
    if not os.path.exists(os.path.join(ROOT, ".venv", "bin", "gunicorn")):
        pytest.skip("no .venv with gunicorn in the checkout (make install)")
    names = sorted(os.listdir(os.path.join(DEPLOY, "systemd")))
    for name in names:
        (tmp_path / name).write_text(read("systemd", name).replace(INSTALL, ROOT + "/"))
    result = subprocess.run([analyze, "verify", *(str(tmp_path / name) for name in names)],
                            capture_output=True, text=True, env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
