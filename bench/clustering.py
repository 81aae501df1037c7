"""Story clustering benchmark.

Quality: B-cubed P/R/F1 on the UCI News Aggregator window (headlines with gold story ids)
and on the demo corpus, for newsdesk's clusterer and two reference methods run on the same
vectors in the same run: HDBSCAN (scikit-learn) and incremental DBSCAN at cosine eps 0.10.
Scale: newsdesk's clustering time on 1k, 10k and 100k synthetic items.

Settings are chosen on a dev split (UCI stories whose id hashes even) and reported on the
other half (test) as well as on the whole window; `--grid` shows the dev-split search.

    python bench/clustering.py            # quality + scale (100k takes about a minute)
    python bench/clustering.py --no-scale
    python bench/clustering.py --grid     # the dev-split settings search
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from common import bcubed, dataset
from newsdesk.config import StorySettings
from newsdesk.stories.cluster import NEW, ClusterParams, incremental, vectorize

DEFAULTS = StorySettings()
PARAMS = ClusterParams(
    neighbours=DEFAULTS.neighbours,
    edge_min=DEFAULTS.edge_min,
    resolution=DEFAULTS.resolution,
    merge_min=DEFAULTS.merge_min,
    detach_min=DEFAULTS.detach_min,
    max_gap_hours=DEFAULTS.quiet_hours,
)


def uci_rows():
    rows = [json.loads(line) for line in dataset("uci_news_aggregator", "stories_window_2014-03-10_to_12.jsonl").open()]
    # Timestamps are crawl times and each story is one contiguous block of them: using them
    # would leak the labels. Shuffle, and give every row the same time (one batch).
    random.Random(0).shuffle(rows)
    return rows


def is_dev(story: str) -> bool:
    return int(hashlib.sha1(story.encode()).hexdigest(), 16) % 2 == 0


def demo_rows():
    from newsdesk.demo.server import DemoSite, load_corpus

    corpus = load_corpus()
    site = DemoSite(corpus, "http://demo", datetime(2026, 1, 1, tzinfo=UTC))
    rows = []
    for a in corpus.articles:
        if "copy_of" in a or "link_to" in a:  # copies are linked by de-duplication, not clustering
            continue
        rows.append(
            {
                "text": a["title"] + "\n" + " ".join(site.body(a).split()[: DEFAULTS.text_words]),
                "story": a["story"],
                "hours": -float(a["hours_ago"]),
            }
        )
    return rows


def newsdesk_method(texts, hours, params):
    return incremental(texts, np.asarray(hours, float), np.full(len(texts), NEW), params)


def hdbscan_method(X):
    from sklearn.cluster import HDBSCAN

    dist = np.clip(1.0 - (X @ X.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    labels = HDBSCAN(min_cluster_size=5, metric="precomputed", copy=True).fit_predict(dist)
    return _noise_as_singletons(labels)


def incremental_dbscan(X, eps=0.10, min_samples=2):
    """Incremental DBSCAN (Ester et al. 1998), items arriving one at a time: a new item's
    eps-neighbourhood is searched among earlier items; core items merge their clusters."""
    n = X.shape[0]
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    neighbours = [[] for _ in range(n)]
    core = np.zeros(n, bool)
    XT = X.T.tocsc()
    for i in range(n):
        if i == 0:
            continue
        sims = (X[i] @ XT[:, :i]).toarray().ravel()
        close = np.flatnonzero(1.0 - sims <= eps)
        for j in close:
            neighbours[i].append(j)
            neighbours[j].append(i)
        for k in [i, *close]:
            if not core[k] and len(neighbours[k]) + 1 >= min_samples:
                core[k] = True
        for j in close:
            if core[i] or core[j]:
                parent[find(j)] = find(i)
    labels = np.array([find(i) for i in range(n)])
    # Border-less noise: an item in no core item's neighbourhood stays alone.
    return labels


def _noise_as_singletons(labels):
    labels = np.asarray(labels).copy()
    noise = labels < 0
    labels[noise] = labels.max() + 1 + np.arange(noise.sum())
    return labels


def evaluate(name, texts, hours, gold, params, subsets=()):
    X = vectorize(texts)
    results = []
    for method, fn in (
        ("newsdesk (kNN graph + Louvain + refine)", lambda: newsdesk_method(texts, hours, params)),
        ("HDBSCAN (min_cluster_size 5)", lambda: hdbscan_method(X)),
        ("incremental DBSCAN (cosine eps 0.10)", lambda: incremental_dbscan(X)),
    ):
        t = time.perf_counter()
        labels = fn()
        seconds = time.perf_counter() - t
        p, r, f = bcubed(labels, gold)
        row = {
            "dataset": name,
            "method": method,
            "P": p,
            "R": r,
            "F1": f,
            "seconds": seconds,
            "stories": len(set(labels.tolist() if hasattr(labels, "tolist") else labels)),
        }
        for subset_name, mask in subsets:
            idx = np.flatnonzero(mask)
            row[f"F1 {subset_name}"] = bcubed([labels[i] for i in idx], [gold[i] for i in idx])[2]
        results.append(row)
        extra = "".join(f"  F1[{k[3:]}] {v:.3f}" for k, v in row.items() if k.startswith("F1 "))
        print(
            f"{name:8} {method:42} P {p:.3f}  R {r:.3f}  F1 {f:.3f}{extra}  stories {row['stories']:5}  {seconds:6.2f} s",
            flush=True,
        )
    return results


def synthetic(n, seed=0):
    """n items in stories of varied size over a timeline of n/100 hours (100 items an hour).

    Each item: 8 draws from its story's 10 topic words plus 30 background words drawn with
    Zipf frequencies from a 20,000-word vocabulary (as word frequencies in news text are).
    """
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = ["".join(rng.choice(letters, rng.integers(4, 10))) for _ in range(20_000)]
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()
    texts, hours, gold = [], [], []
    story = 0
    span = n / 100.0
    while len(texts) < n:
        size = min(int(rng.geometric(1 / 6)), n - len(texts))
        topic = rng.choice(len(vocab), 10, replace=False)
        start = rng.uniform(0, span)
        for _ in range(size):
            words = [vocab[t] for t in rng.choice(topic, 8)] + [vocab[b] for b in rng.choice(len(vocab), 30, p=zipf)]
            rng.shuffle(words)
            texts.append(" ".join(words))
            hours.append(start + rng.uniform(0, 48))
            gold.append(story)
        story += 1
    return texts, np.array(hours), gold


def scale(sizes):
    print("\nScale (synthetic items, 100 per hour, newsdesk clusterer as `newsdesk cluster` runs it):")
    previous = None
    for n in sizes:
        texts, hours, gold = synthetic(n)
        t = time.perf_counter()
        labels = newsdesk_method(texts, hours, PARAMS)
        seconds = time.perf_counter() - t
        f = bcubed(labels, gold)[2]
        growth = f"  ×{seconds / previous[1]:.1f} time for ×{n / previous[0]:.0f} items" if previous else ""
        print(f"  {n:>7,} items  {seconds:7.2f} s  ({n / seconds:,.0f} items/s, B-cubed F1 {f:.3f}){growth}", flush=True)
        previous = (n, seconds)


def grid(rows):
    dev = [r for r in rows if is_dev(r["STORY"])]
    texts, gold = [r["TITLE"] for r in dev], [r["STORY"] for r in dev]
    print(f"Dev split: {len(dev)} headlines, {len(set(gold))} stories")
    for edge_min in (0.10, 0.15):
        for resolution in (1.5, 2.5):
            for merge_min in (0.3, 0.4, 0.5, 1.01):
                for detach_min in (0.10, 0.15, 0.20):
                    params = replace(PARAMS, edge_min=edge_min, resolution=resolution, merge_min=merge_min, detach_min=detach_min)
                    f = bcubed(newsdesk_method(texts, [0.0] * len(texts), params), gold)[2]
                    print(
                        f"  edge_min {edge_min:.2f} resolution {resolution:.1f} merge_min {merge_min:.2f} "
                        f"detach_min {detach_min:.2f}  F1 {f:.3f}",
                        flush=True,
                    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-scale", action="store_true")
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--sizes", default="1000,10000,100000")
    args = ap.parse_args()
    rows = uci_rows()
    if args.grid:
        return grid(rows)
    print(
        f"Settings: neighbours {PARAMS.neighbours}, edge_min {PARAMS.edge_min}, resolution {PARAMS.resolution}, "
        f"merge_min {PARAMS.merge_min} "
        "(chosen on the UCI dev split; see --grid)\n"
    )
    gold = [r["STORY"] for r in rows]
    dev = np.array([is_dev(g) for g in gold])
    evaluate("UCI", [r["TITLE"] for r in rows], [0.0] * len(rows), gold, PARAMS, subsets=(("dev", dev), ("test", ~dev)))
    demo = demo_rows()
    evaluate("demo", [r["text"] for r in demo], [r["hours"] for r in demo], [r["story"] for r in demo], PARAMS)
    if not args.no_scale:
        scale([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
