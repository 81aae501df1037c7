"""Helpers shared by the benchmarks: dataset paths and clustering metrics."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSDESK_SHARED", ROOT.parent / "shared"))


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
def demo_newsroom():
    """The demo outlets run through the whole pipeline into a throwaway newsroom:
    yields (newsroom, run report); the newsroom is closed afterwards."""
    from newsdesk.demo.server import DemoServer
    from newsdesk.pipeline import init_newsroom, open_newsroom, run

    with tempfile.TemporaryDirectory() as tmp, DemoServer(port=0) as server:
        room_dir = Path(tmp) / "room"
        init_newsroom(room_dir)
        room = open_newsroom(room_dir)
        server.configure(room.settings)  # the demo is on loopback: the egress guard must allow it
        for name, url in server.feed_urls():
            room.store.add_source(url, name=name)
        try:
            yield room, run(room)
        finally:
            room.close()
