"""Helpers shared by the benchmarks: dataset paths, clustering metrics, a free loopback port."""

from __future__ import annotations

import os
import socket
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSDESK_SHARED", ROOT.parent / "shared"))


def free_port() -> int:
    """A loopback port nothing listens on now (for a server the bench starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dataset(*parts: str) -> Path:
    path = SHARED.joinpath("datasets", *parts)
    if not path.exists():
        raise SystemExit(f"{path} not found: set NEWSDESK_SHARED to the folder holding datasets/")
    return path


def bcubed(pred, gold) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998), averaged over items."""
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(pred, gold):
        overlap = len(by_pred[p] & by_gold[g])
        precision += overlap / len(by_pred[p])
        recall += overlap / len(by_gold[g])
    n = len(pred)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


@contextmanager
def demo_newsroom(corpus=None, adjust=None):  # type: ignore[no-untyped-def]
    """The demo outlets (or a generated ``corpus``) run through the whole pipeline into a
    throwaway newsroom: yields (newsroom, run report); the newsroom is closed afterwards."""
    from newsdesk.demo.server import DemoServer
    from newsdesk.pipeline import init_newsroom, open_newsroom, run

    with tempfile.TemporaryDirectory() as tmp, DemoServer(port=0, corpus=corpus) as server:
        room_dir = Path(tmp) / "room"
        init_newsroom(room_dir)
        room = open_newsroom(room_dir)
        server.configure(room.settings)  # the demo is on loopback: the egress guard must allow it
        if adjust is not None:
            adjust(room.settings)
        for name, url in server.feed_urls():
            room.store.add_source(url, name=name)
        try:
            yield room, run(room)
        finally:
            room.close()


@contextmanager
def temporary_postgres():
    """A throwaway PostgreSQL server on a loopback port (initdb + pg_ctl); yields its store URL.
    The tests' `postgres_url` fixture uses it too. Not the pytest tmp_path: the server's user must
    reach the folder."""
    import shutil
    import socket
    import subprocess

    def binary(name: str) -> str:
        found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None)
        if not found:
            raise SystemExit(f"PostgreSQL's {name} is not installed")
        return str(found)

    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # initdb refuses root
    folder = Path(tempfile.mkdtemp(prefix="newsdesk-bench-pg-"))
    folder.chmod(0o777)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = folder / "pgdata"
    subprocess.run(
        [*run_as, binary("initdb"), "-D", str(data), "-U", "newsdesk", "--auth=trust"], check=True, capture_output=True
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run(
        [*run_as, binary("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "pg.log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [*run_as, binary("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "newsdesk", "newsdesk"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://newsdesk@127.0.0.1:{port}/newsdesk"
    finally:
        subprocess.run([*run_as, binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
