from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from newsdesk.config import CONFIG_NAME
from newsdesk.pipeline import Newsroom, open_newsroom

FAST_HTTP = """
[http]
connect_timeout = 2.0
read_timeout = 2.0
total_timeout = 4.0
backoff_base = 0.01
max_retry_after = 5.0
max_bytes = 1000000
allow_private = ["127.0.0.0/8", "::1"]
"""


def make_newsroom(path: Path, extra: str = "") -> Newsroom:
    path.mkdir(parents=True, exist_ok=True)
    (path / CONFIG_NAME).write_text(FAST_HTTP + extra, encoding="utf-8")
    return open_newsroom(path)


@pytest.fixture
def newsroom(tmp_path: Path):
    room = make_newsroom(tmp_path / "room")
    yield room
    room.close()


@pytest.fixture
def demo_server():
    from newsdesk.demo.server import DemoServer

    with DemoServer(port=0) as server:
        yield server


@pytest.fixture(scope="session")
def make_httpserver():
    """pytest-httpserver, threaded, so a hanging handler does not stall the next test and
    concurrency limits can be observed."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


@pytest.fixture
def postgres_url():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed")
    pytest.importorskip("psycopg")
    run_as = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser")
        run_as = ["runuser", "-u", "postgres", "--"]
    # Not pytest's tmp_path: its parents are private to root and the server user must reach it.
    tmp_path = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    tmp_path.chmod(0o777)
    data = tmp_path / "pgdata"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        [*run_as, initdb, "-D", str(data), "-U", "newsdesk", "--auth=trust", "-E", "UTF8"], check=True, capture_output=True
    )
    subprocess.run(
        [
            *run_as,
            pg_ctl,
            "-D",
            str(data),
            "-o",
            f"-p {port} -k {tmp_path} -c listen_addresses=127.0.0.1",
            "-l",
            str(tmp_path / "pg.log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [*run_as, _pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "newsdesk", "newsdesk"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://newsdesk@127.0.0.1:{port}/newsdesk"
    finally:
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp_path, ignore_errors=True)
