"""Running newsdesk as a deployment: /healthz and /metrics over real loopback HTTP (on SQLite, on
PostgreSQL where a server can be started, and with a store that is down or hangs), secrets from
``*_FILE`` variables, and the Docker image and compose file (validated where the CLI exists)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from conftest import published_demo
from newsdesk.config import ConfigError, load_settings
from newsdesk.service import ops
from test_service import free_port, serving

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    return published_demo(tmp_path_factory.mktemp("ops") / "room")


def metric_values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, read by Prometheus' own parser (which refuses a malformed exposition)."""
    from prometheus_client.parser import text_string_to_metric_families

    values = {}
    for family in text_string_to_metric_families(text):
        assert family.documentation, f"{family.name} has no HELP line"
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def test_healthz_and_metrics_over_http_match_the_store(room):
    with serving(room) as (client, _, newsroom):
        health = client.get("/healthz")
        assert health.status_code == 200 and health.headers["content-type"].startswith("application/json")
        assert health.json()["status"] == "ok" and health.json()["store"] == "sqlite"
        answer = client.get("/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
        values = metric_values(answer.text)
        store = newsroom.store
        with store.engine.connect() as conn:
            items = conn.exec_driver_sql("SELECT count(*) FROM items").scalar()
            summaries = [json.loads(s) for (s,) in conn.exec_driver_sql("SELECT summary FROM verifications")]
        assert items and values[("newsdesk_items_fetched", ())] == items
        assert values[("newsdesk_store_up", (("backend", "sqlite"),))] == 1
        # Each story's one verification here: claims by verdict are their summaries' sums.
        assert len(summaries) == len({v.story_id for v in store.publishable()})
        for verdict in ("PASS", "FAIL", "REVIEW"):
            assert values[("newsdesk_claims", (("verdict", verdict),))] == sum(s[verdict] for s in summaries)
        site_articles = len(list(newsroom.site_dir.joinpath("articles").glob("*.html")))
        assert site_articles and values[("newsdesk_articles", (("state", "published"),))] == site_articles
        assert values[("newsdesk_articles", (("state", "held"),))] == 0
        stories = {s.status for s in store.stories(with_items=False)}
        assert (
            sum(v for (name, _), v in values.items() if name == "newsdesk_stories") == len(store.stories(with_items=False))
            and stories
        )
        assert ("newsdesk_queue_jobs", (("status", "todo"),)) not in values  # no queue on SQLite

        # An editor's hold moves one article from published to held, seen at the next scrape.
        from newsdesk.service import actions

        story = store.publishable()[0].story_id
        actions.hold(newsroom, story, "ada", True)
        store.add_subscriber("reader@example.org", "confirmed")
        ops_cache_age = ops.METRICS_MAX_AGE
        try:
            ops.METRICS_MAX_AGE = 0.0  # read by the handler at each scrape
            later = metric_values(client.get("/metrics").text)
        finally:
            ops.METRICS_MAX_AGE = ops_cache_age
        assert later[("newsdesk_articles", (("state", "published"),))] == site_articles - 1
        assert later[("newsdesk_articles", (("state", "held"),))] == 1
        assert later[("newsdesk_newsletter_subscribers", (("status", "confirmed"),))] == 1
        # Not a site page: a HEAD or GET of a missing page still comes from the site.
        assert client.get("/metrics-nope").status_code == 404


def test_healthz_says_503_when_the_store_is_down_or_hangs(room, tmp_path, monkeypatch):
    monkeypatch.setattr(ops, "HEALTH_TIMEOUT", 1.0)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections and never says a word: a hung database server
    port = silent.getsockname()[1]
    with serving(room) as (client, _, newsroom):
        original = newsroom.store.engine
        try:
            # A real driver failure: the SQLite file's folder does not exist.
            newsroom.store.engine = create_engine(f"sqlite:///{tmp_path}/absent/folder/x.db")
            down = client.get("/healthz")
            assert down.status_code == 503, down.text
            assert down.json()["status"] == "unavailable" and "OperationalError" in down.json()["problem"]
            metrics = client.get("/metrics")
            assert metrics.status_code == 200 and 'newsdesk_store_up{backend="sqlite"} 0' in metrics.text
            pytest.importorskip("psycopg")
            newsroom.store.engine = create_engine(f"postgresql+psycopg://newsdesk:s3cret@127.0.0.1:{port}/newsdesk")
            hung = client.get("/healthz")
            assert hung.status_code == 503 and "did not answer within 1 seconds" in hung.json()["problem"]
            assert client.get("/index.html").status_code == 200  # readers are not held up meanwhile
        finally:
            newsroom.store.engine = original
            silent.close()
        assert client.get("/healthz").status_code == 200


@pytest.mark.postgres
def test_metrics_on_postgres_show_the_job_queue(postgres_url, tmp_path):
    pytest.importorskip("procrastinate")
    room = tmp_path / "room"
    room.mkdir()
    (room / "newsdesk.toml").write_text(f'[store]\nurl = "{postgres_url}"\n[queue]\nbackend = "procrastinate"\n')
    from newsdesk.pipeline import open_newsroom
    from newsdesk.workers import apply_schema, make_app

    newsroom = open_newsroom(room)
    queue = make_app(postgres_url)
    with queue.open():
        apply_schema(queue, newsroom)
        with newsroom.store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) VALUES ('q', 't', '{}', 'todo')"
            )
    newsroom.close()
    with serving(room) as (client, _, _newsroom):
        health = client.get("/healthz").json()
        assert health["status"] == "ok" and health["store"] == "postgresql"
        values = metric_values(client.get("/metrics").text)
        assert values[("newsdesk_queue_jobs", (("status", "todo"),))] == 1
        assert values[("newsdesk_queue_jobs", (("status", "doing"),))] == 0
        assert values[("newsdesk_store_up", (("backend", "postgresql"),))] == 1


def test_the_exposition_escapes_label_values():
    from newsdesk.store.metrics import StoreCounts

    text = ops.exposition(StoreCounts(sources={'bad "one"\\\nnext': 2}), "sqlite", 0.01)
    values = metric_values(text)
    assert values[("newsdesk_sources", (("status", 'bad "one"\\\nnext'),))] == 2


# --- secrets from files ---


def _room(tmp_path: Path) -> Path:
    room = tmp_path / "room"
    room.mkdir()
    (room / "newsdesk.toml").write_text('[newsletter]\nsmtp_host = "mail.example"\n')
    return room


def test_settings_and_credentials_come_from_secret_files(tmp_path, monkeypatch):
    room = _room(tmp_path)
    url_file, password_file, ca = tmp_path / "url", tmp_path / "smtp", tmp_path / "ca.pem"
    url_file.write_text("postgresql+psycopg://newsdesk:p%40ss@db/newsdesk\n")
    password_file.write_text("hunter2\n")
    monkeypatch.setenv("NEWSDESK_STORE__URL_FILE", str(url_file))
    monkeypatch.setenv("NEWSDESK_NEWSLETTER__SMTP_PORT_FILE", str(tmp_path / "port"))
    (tmp_path / "port").write_text("2525")
    # A key that itself ends in _file is an ordinary setting, not a file to read.
    monkeypatch.setenv("NEWSDESK_NEWSLETTER__SMTP_CA_FILE", str(ca))
    monkeypatch.setenv("NEWSDESK_SMTP_PASSWORD_FILE", str(password_file))
    monkeypatch.delenv("NEWSDESK_SMTP_PASSWORD", raising=False)
    settings = load_settings(room)
    assert settings.store.url == "postgresql+psycopg://newsdesk:p%40ss@db/newsdesk"
    assert settings.newsletter.smtp_port == 2525 and settings.newsletter.smtp_host == "mail.example"
    assert settings.newsletter.smtp_ca_file == str(ca)
    assert os.environ["NEWSDESK_SMTP_PASSWORD"] == "hunter2"  # where the sender reads it


def test_secret_file_problems_are_named(tmp_path, monkeypatch):
    room = _room(tmp_path)
    monkeypatch.setenv("NEWSDESK_STORE__URL_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"NEWSDESK_STORE__URL_FILE names .*missing.*cannot be read"):
        load_settings(room)
    (tmp_path / "url").write_text("sqlite:///x.db")
    monkeypatch.setenv("NEWSDESK_STORE__URL_FILE", str(tmp_path / "url"))
    monkeypatch.setenv("NEWSDESK_STORE__URL", "sqlite:///y.db")
    with pytest.raises(ConfigError, match="both NEWSDESK_STORE__URL and NEWSDESK_STORE__URL_FILE are set"):
        load_settings(room)
    monkeypatch.delenv("NEWSDESK_STORE__URL")
    monkeypatch.delenv("NEWSDESK_STORE__URL_FILE")
    monkeypatch.setenv("NEWSDESK_STORE__ULR_FILE", str(tmp_path / "url"))
    with pytest.raises(ConfigError, match=r"\[store\] has no key 'ulr'"):
        load_settings(room)
    monkeypatch.delenv("NEWSDESK_STORE__ULR_FILE")
    monkeypatch.setenv("NEWSDESK_SMTP_PASSWORD", "one")
    monkeypatch.setenv("NEWSDESK_SMTP_PASSWORD_FILE", str(tmp_path / "url"))
    with pytest.raises(ConfigError, match="both NEWSDESK_SMTP_PASSWORD and NEWSDESK_SMTP_PASSWORD_FILE"):
        load_settings(room)


# --- the image and the compose file ---


def compose() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def interpolated(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME:-default} and ${NAME}, as `docker compose` fills them in."""
    import re

    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)


def test_the_compose_file_runs_the_app_workers_and_postgres_from_the_image():
    spec = compose()
    services = spec["services"]
    assert {"app", "worker", "scheduler", "db", "migrate", "keys"} <= set(services)
    assert services["app"]["command"][0] == "serve" and services["worker"]["command"] == ["worker"]
    for name in ("app", "worker", "scheduler", "migrate"):
        service = services[name]
        assert service.get("build") == "." and "user" not in service  # the image's own non-root user
        env = service["environment"]
        assert env["NEWSDESK_STORE__URL_FILE"].startswith("/keys/") and "NEWSDESK_STORE__URL" not in env
        assert env["NEWSDESK_QUEUE__BACKEND"] == "procrastinate"
        assert any(v.startswith("newsroom:") for v in service["volumes"])
    # PostgreSQL keeps its data in a named volume; its password comes from a file too.
    assert "pgdata" in spec["volumes"] and "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert services["db"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/keys/db_password"
    assert "POSTGRES_PASSWORD" not in services["db"]["environment"]
    smtp = services["app"]["environment"]
    assert {"NEWSDESK_NEWSLETTER__SMTP_HOST", "NEWSDESK_NEWSLETTER__SMTP_PORT", "NEWSDESK_SMTP_PASSWORD_FILE"} <= set(smtp)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("FROM python:3.11-slim") == 2 and '".[postgres]"' in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")


def _compose_cli() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_docker_compose_config_accepts_the_file(tmp_path):
    cli = _compose_cli()
    if cli is None:
        pytest.skip(
            "neither `docker compose` nor `docker-compose` is installed: the compose file is checked by the test above only"
        )
    answer = subprocess.run(
        [*cli, "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SMTP_HOST": "smtp.example.org"},
    )
    assert answer.returncode == 0, answer.stderr
    shown = subprocess.run(
        [*cli, "-f", str(ROOT / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SMTP_HOST": "smtp.example.org"},
    )
    assert shown.returncode == 0 and "NEWSDESK_NEWSLETTER__SMTP_HOST: smtp.example.org" in shown.stdout


def test_the_image_builds_and_runs_as_a_user_not_root():
    if not shutil.which("docker"):
        pytest.skip("no docker CLI here")
    if subprocess.run(["docker", "info"], capture_output=True, timeout=60).returncode != 0:
        pytest.skip("no Docker daemon answers here (`docker info` fails): the image is not built on this machine")
    tag = "newsdesk-test:ops"
    built = subprocess.run(["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    uid = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True, timeout=120)
    assert uid.returncode == 0 and uid.stdout.strip() not in ("", "0")
    helped = subprocess.run(["docker", "run", "--rm", tag, "--help"], capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "serve" in helped.stdout


def test_the_keys_step_makes_a_password_once(tmp_path):
    import runpy

    make = runpy.run_path(str(ROOT / "deploy" / "make_keys.py"))["main"]
    make(str(tmp_path))
    password = (tmp_path / "db_password").read_text().strip()
    url = (tmp_path / "store_url").read_text().strip()
    assert len(password) >= 24 and url == f"postgresql+psycopg://newsdesk:{password}@db:5432/newsdesk"
    assert (tmp_path / "db_password").stat().st_mode & 0o777 == 0o444
    make(str(tmp_path))
    assert (tmp_path / "db_password").read_text().strip() == password  # kept: the database has it


@pytest.mark.postgres
def test_the_compose_services_commands_work_as_configured_against_postgres(postgres_url, tmp_path):
    """What the containers run, with their environment from compose.yaml (defaults filled in,
    the mounted files made here): migrate, then the app answering /healthz and /metrics, then
    one scheduler round."""
    import sys
    import time

    import httpx2

    spec = compose()["services"]
    (tmp_path / "store_url").write_text(postgres_url + "\n")
    (tmp_path / "smtp_password").write_text("")
    newsroom = tmp_path / "newsroom"
    env = {k: interpolated(str(v), {}) for k, v in spec["app"]["environment"].items()}
    assert env["NEWSDESK_SOURCES__URLS"] == "[]" and env["NEWSDESK_NEWSLETTER__SMTP_HOST"] == "mail"
    env.update(
        NEWSDESK_DIR=str(newsroom),
        NEWSDESK_STORE__URL_FILE=str(tmp_path / "store_url"),
        NEWSDESK_SMTP_PASSWORD_FILE=str(tmp_path / "smtp_password"),
    )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    run_env = {**base_env, **env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    migrate = spec["migrate"]["entrypoint"]
    assert migrate[:2] == ["sh", "-c"]
    done = subprocess.run(
        ["sh", "-c", migrate[2].replace("/newsroom", str(newsroom))], env=run_env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Job queue schema installed" in done.stdout
    port = free_port()
    command = [*spec["app"]["command"]]
    command[command.index("--host") + 1], command[command.index("--port") + 1] = "127.0.0.1", str(port)
    app = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", *command], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert app.poll() is None, app.stderr.read().decode() if app.stderr else ""
            try:
                health = httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.3)
        assert health.status_code == 200 and health.json()["store"] == "postgresql"
        metrics = httpx2.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert 'newsdesk_queue_jobs{status="todo"} 0' in metrics
    finally:
        app.terminate()
        app.wait(30)
    scheduled = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *spec["scheduler"]["command"], "--once"],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert scheduled.returncode == 0, scheduled.stderr
