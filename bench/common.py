"""Helpers shared by the benchmarks: dataset paths and clustering metrics."""

from __future__ import annotations

import os
from collections import defaultdict
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
    for i, (p, g) in enumerate(zip(pred, gold)):
        overlap = len(by_pred[p] & by_gold[g])
        precision += overlap / len(by_pred[p])
        recall += overlap / len(by_gold[g])
    n = len(pred)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)
