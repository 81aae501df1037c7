"""Undated items: do events about the same people and companies stay apart?

A hard-negative set from real text: the Multi-News full-text clusters (each one event, several
outlets) that share a person or organisation with another cluster ("Trump", "Tesla"), all put
together as undated items, the way web pages and backfills arrive. newsdesk's clusterer runs
three ways in the same run: every item at its fetch time (no dates, as before), each item dated
by its own text (``newsdesk.text.dates``; the fetch time when it names no date), and, as the
reference, the clusterer on gold event dates would need dates the dataset does not carry, so
the third line gives each cluster one shared date (an upper bound on what dates can do).

    python bench/undated.py

B-cubed precision, recall and F1 against the Multi-News cluster ids (one event each).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bcubed, dataset
from newsdesk.config import StorySettings
from newsdesk.stories import params_from
from newsdesk.stories.cluster import NEW, incremental
from newsdesk.text.dates import date_in_text
from newsdesk.text.names import names

FETCHED = datetime(2019, 1, 1, tzinfo=UTC)  # after the dataset's newest article


def main() -> None:
    from newsdesk.config import Settings

    clusters = []
    for line in dataset("multi_news", "test_longbench200_fulltext.jsonl").open(encoding="utf-8"):
        c = json.loads(line)
        docs = [d.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n").strip() for d in c["documents"]]
        docs = [d for d in docs if len(d.split()) > 40]
        if len(docs) >= 2:
            clusters.append((c["test_index"], docs))
    # Names per cluster: those at least two of its documents use.
    cluster_names = []
    for _, docs in clusters:
        counts = Counter(n for d in docs for n in set(names(d[:3000])) if len(n) > 3)
        cluster_names.append({n for n, k in counts.items() if k >= 2})
    shared = Counter(n for ns in cluster_names for n in ns)
    hard = [k for k, ns in enumerate(cluster_names) if any(shared[n] >= 2 for n in ns)]
    settings = Settings()
    words = StorySettings().text_words
    texts, gold, text_hours, event_hours, has_date = [], [], [], [], []
    dated = 0
    for k in hard:
        index, docs = clusters[k]
        inferred = [date_in_text(d, FETCHED) for d in docs]
        known = [d for d in inferred if d is not None]
        shared_day = min(known) if known else FETCHED
        for d, when in zip(docs, inferred):
            texts.append(" ".join(d.split()[:words]))
            gold.append(index)
            dated += when is not None
            has_date.append(when is not None)
            text_hours.append((when or FETCHED).timestamp() / 3600)
            event_hours.append(shared_day.timestamp() / 3600 + 0.0)
    print(
        f"Hard negatives: {len(hard)} Multi-News events that share a name with another "
        f"({len(texts)} items); {dated} items ({100 * dated / len(texts):.0f}%) name a full date near their start\n"
    )
    params = params_from(settings)
    print(f"{'method':52} {'P':>6} {'R':>6} {'F1':>6}")
    # As the stories stage runs: an item at its fetch time is not dated (no time gap is held against it).
    undated = np.zeros(len(texts), bool)
    runs = [
        ("no dates (every item at its fetch time)", [FETCHED.timestamp() / 3600] * len(texts), undated),
        ("dated by their own text (newsdesk now)", text_hours, np.array(has_date)),
        ("one date per event, where any item names one", event_hours, np.ones(len(texts), bool)),
    ]
    for name, hours, flags in runs:
        labels = incremental(texts, np.asarray(hours, float), np.full(len(texts), NEW), params, dated=flags)
        p, r, f = bcubed(labels.tolist(), gold)
        print(f"{name:52} {100 * p:6.1f} {100 * r:6.1f} {100 * f:6.1f}")


if __name__ == "__main__":
    main()
