"""Story clustering benchmark.

Quality: B-cubed P/R/F1 on the UCI News Aggregator window (headlines with gold story ids)
and on the demo corpus, for newsdesk's clusterer and two reference methods run on the same
vectors in the same run: HDBSCAN (scikit-learn) and incremental DBSCAN at cosine eps 0.10.
Scale: newsdesk's clustering time on 1k, 10k and 100k synthetic items.

Settings are chosen on a dev split (UCI stories whose id hashes even) and reported on the
other half (test) as well as on the whole window; `--grid` shows the dev-split search.

Events: topics that each hold two different events of one kind (``bench/events.py``, built
from Multi-News), newsdesk's clusterer with default settings, with and without dates, beside
three references on newsdesk's own TF-IDF of the same text — average-link agglomerative, a
single-pass centroid method and HDBSCAN — whose thresholds are tuned on the dev split.

    python bench/clustering.py            # quality + scale (100k takes about a minute)
    python bench/clustering.py --no-scale
    python bench/clustering.py --events   # only the event-labelled set
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
from newsdesk.config import Settings, StorySettings
from newsdesk.stories import cluster_text, params_from
from newsdesk.stories.cluster import NEW, ClusterParams, incremental, vectorize

DEFAULTS = StorySettings()
PARAMS: ClusterParams = params_from(Settings())  # exactly what `newsdesk cluster` runs with


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
                "text": cluster_text(a["title"], site.body(a), DEFAULTS.text_words),
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
    # What the stories stage adds before clustering: each item's title and lead, furniture left
    # out, read from real page text (the event set's Multi-News full texts, cycled).
    import events

    pages = [i["text"] for i in events.load("all")]
    n = sizes[-1]
    t = time.perf_counter()
    for k in range(n):
        cluster_text("", pages[k % len(pages)], DEFAULTS.text_words)
    seconds = time.perf_counter() - t
    t = time.perf_counter()
    for k in range(n):
        " ".join(pages[k % len(pages)].split()[: DEFAULTS.text_words])
    plain = time.perf_counter() - t
    print(f"  cluster text for {n:,} real pages: {seconds:.2f} s (furniture left out; a plain word cut: {plain:.2f} s)")


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


def average_link(X, threshold):
    """Agglomerative clustering, average linkage on cosine distance, cut at ``threshold``."""
    from sklearn.cluster import AgglomerativeClustering

    dist = np.clip(1.0 - (X @ X.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold)
    return model.fit_predict(dist)


def single_pass(X, threshold):
    """Single-pass clustering: each item in turn joins the story whose centroid it is most
    similar to, if that cosine is at least ``threshold``, else starts a story."""
    from sklearn.preprocessing import normalize

    labels = np.empty(X.shape[0], np.int64)
    sums = []
    for i in range(X.shape[0]):
        row = X[i].toarray().ravel()
        if sums:
            C = normalize(np.vstack(sums))
            sims = C @ row
            best = int(sims.argmax())
            if sims[best] >= threshold:
                labels[i] = best
                sums[best] = sums[best] + row
                continue
        labels[i] = len(sums)
        sums.append(row.copy())
    return labels


def hdbscan_tuned(X, min_cluster_size, epsilon=0.0):
    from sklearn.cluster import HDBSCAN

    dist = np.clip(1.0 - (X @ X.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    model = HDBSCAN(min_cluster_size=min_cluster_size, metric="precomputed", cluster_selection_epsilon=epsilon, copy=True)
    return _noise_as_singletons(model.fit_predict(dist))


REFERENCES = {
    "TF-IDF + average-link agglomerative": (average_link, [{"threshold": t} for t in np.arange(0.50, 0.96, 0.025)]),
    "single-pass centroid": (single_pass, [{"threshold": t} for t in np.arange(0.05, 0.51, 0.025)]),
    "HDBSCAN": (
        hdbscan_tuned,
        [{"min_cluster_size": m, "epsilon": e} for m in (2, 3, 4, 5) for e in (0.0, 0.2, 0.4, 0.5, 0.6, 0.7)],
    ),
}
FETCHED = datetime(2019, 1, 1, tzinfo=UTC)  # after the newest Multi-News article: "now" for undated items


def event_inputs(items):
    """Texts as the stories stage builds them, and the two timelines: every item undated (at
    its fetch time), or dated by its own text as ingest dates an undated item."""
    from newsdesk.text.dates import date_in_text

    texts = [cluster_text("", i["text"], DEFAULTS.text_words).strip() for i in items]
    fetched = FETCHED.timestamp() / 3600
    text_dates = [date_in_text(i["text"], FETCHED) for i in items]
    hours = np.array([d.timestamp() / 3600 if d else fetched for d in text_dates])
    return texts, np.full(len(items), fetched), hours, np.array([d is not None for d in text_dates])


def evaluate_events():
    import events

    dev, test = events.load("dev"), events.load("test")
    # Items arrive shuffled: a batch of undated pages has no order that gives the events away.
    random.Random(0).shuffle(dev)
    random.Random(0).shuffle(test)
    print(
        f"Event-labelled set ({events.LABELS.name}; Multi-News full text): dev {len(dev)} items, "
        f"{len({i['event'] for i in dev})} events in {len({i['topic'] for i in dev})} topics; test {len(test)} items, "
        f"{len({i['event'] for i in test})} events in {len({i['topic'] for i in test})} topics"
    )
    results = {}
    for split, items in (("dev", dev), ("test", test)):
        texts, undated, dated_hours, dated = event_inputs(items)
        gold = [i["event"] for i in items]
        topic_p, topic_r, topic_f = bcubed([i["topic"] for i in items], gold)
        print(f"\n{split}: {int(dated.sum())} of {len(items)} items name a full date near their start")
        print(f"  {'one story per topic (what the issue measured)':58} P {topic_p:.3f}  R {topic_r:.3f}  F1 {topic_f:.3f}")
        for name, hours, flags in (
            ("newsdesk, no dates", undated, None),
            ("newsdesk, dated by their own text", dated_hours, dated),
        ):
            t = time.perf_counter()
            labels = incremental(texts, hours, np.full(len(texts), NEW), PARAMS, dated=flags)
            p, r, f = bcubed(labels.tolist(), gold)
            results[(split, name)] = f
            print(
                f"  {name:58} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  stories {len(set(labels.tolist())):4}  {time.perf_counter() - t:5.2f} s"
            )
        X = vectorize(texts)
        for name, (fn, grid) in REFERENCES.items():
            if split == "dev":
                scored = [(bcubed(fn(X, **g).tolist(), gold)[2], k) for k, g in enumerate(grid)]
                best = max(scored, key=lambda s: (s[0], -s[1]))[1]
                results[("setting", name)] = grid[best]
            setting = results[("setting", name)]
            labels = fn(X, **setting)
            p, r, f = bcubed(labels.tolist(), gold)
            results[(split, name)] = f
            shown = ", ".join(f"{k} {v:.3g}" for k, v in setting.items())
            print(f"  {name + ' (' + shown + ')':58} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  stories {len(set(labels.tolist())):4}")
    best_ref = max(results[("test", n)] for n in REFERENCES)
    print(
        f"\ntest: newsdesk no dates {results[('test', 'newsdesk, no dates')]:.3f} vs best reference {best_ref:.3f} "
        f"(target ≥ {best_ref + 0.02:.3f}); dated {results[('test', 'newsdesk, dated by their own text')]:.3f} (target ≥ 0.95)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-scale", action="store_true")
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--events", action="store_true", help="only the event-labelled set")
    ap.add_argument("--sizes", default="1000,10000,100000")
    args = ap.parse_args()
    if args.events:
        return evaluate_events()
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
    print()
    evaluate_events()
    if not args.no_scale:
        scale([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
