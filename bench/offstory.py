"""Off-story sentences: does an article carry sentences about another event?

Clustering is imperfect: a story's items can include one about a different event of the same
kind (two shootings, two mergers). This bench plants such an item into real Multi-News clusters
(the full-text LongBench subset, read at bench time) and counts the sentences the extractive
writer's selection publishes from it, beside the sentences it publishes from the cluster's own
items (the faithful ones):

- the planted item is a document of the most similar *other* cluster (by TF-IDF of the
  clusters' text): another event of the same kind, the hardest kind to tell apart;
- "3+ items": the cluster as it is (two or more outlets) plus the planted item;
- "2 items": the cluster's first document alone plus the planted item (no third outlet to say
  which of the two is the story);
- "clean": the cluster alone, nothing planted: how many faithful sentences the filter costs.

    python bench/offstory.py                  # dev and held-out halves, filter off and on
    python bench/offstory.py --grid           # tune the thresholds on the dev half only

The dev half is the even ``test_index`` clusters, the held-out half the odd ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dataset
from newsdesk.text.sentences import sentence_spans
from newsdesk.write.extractive import Doc, SelectionWeights, select

BUDGET = 400  # the writer's default budget_words


def clusters() -> list[tuple[int, list[str]]]:
    out = []
    for line in dataset("multi_news", "test_longbench200_fulltext.jsonl").open(encoding="utf-8"):
        c = json.loads(line)
        docs = [d.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n").strip() for d in c["documents"]]
        docs = [d for d in docs if len(d.split()) > 40]
        if docs:
            out.append((c["test_index"], docs))
    return out


def plants(data: list[tuple[int, list[str]]]) -> list[str]:
    """For each cluster, a document of its nearest other cluster: the one most like it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_features=50000)
    C = vectorizer.fit_transform(["\n".join(docs) for _, docs in data])
    S = (C @ C.T).toarray()
    np.fill_diagonal(S, -1.0)
    out = []
    for k in range(len(data)):
        other = data[int(S[k].argmax())][1]
        D = vectorizer.transform(other)
        out.append(other[int((D @ C[k].T).toarray().ravel().argmax())])
    return out


def run(data, planted, weights: SelectionWeights, only: tuple[str, ...] = ()) -> dict[str, tuple[int, int, int]]:
    """Per scenario: (clusters, planted sentences published, faithful sentences published)."""
    totals = {"3+ items": [0, 0, 0], "2 items": [0, 0, 0], "clean": [0, 0, 0]}
    for (_, docs), plant in zip(data, planted):
        scenarios = {"clean": docs, "2 items": docs[:1] + [plant]}
        if len(docs) >= 2:
            scenarios["3+ items"] = docs + [plant]
        for name, texts in scenarios.items():
            if only and name not in only:
                continue
            planted_key = len(texts) - 1 if name != "clean" else -1
            chosen = select([Doc(i, f"outlet{i}", t) for i, t in enumerate(texts)], BUDGET, weights)
            t = totals[name]
            t[0] += 1
            t[1] += sum(sentences_in(c) for c in chosen if c.doc.key == planted_key)
            t[2] += sum(sentences_in(c) for c in chosen if c.doc.key != planted_key)
    return {k: (v[0], v[1], v[2]) for k, v in totals.items()}


def sentences_in(c) -> int:
    """Sentences of the chosen passage: one, or more where the next sentence follows it."""
    return max(1, sum(1 for s in sentence_spans(c.doc.text) if s.start < c.end and s.end > c.start))


def report(label: str, result: dict[str, tuple[int, int, int]]) -> None:
    cells = "  ".join(f"{k}: {n} clusters, {off} off-story / {kept} faithful" for k, (n, off, kept) in result.items())
    print(f"  {label:16} {cells}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", action="store_true", help="search the thresholds on the dev half")
    args = ap.parse_args()
    data = clusters()
    planted = plants(data)
    halves = {
        h: (
            [d for d in data if (d[0] % 2 == 0) == (h == "dev")],
            [p for d, p in zip(data, planted) if (d[0] % 2 == 0) == (h == "dev")],
        )
        for h in ("dev", "held-out")
    }
    on = SelectionWeights()
    off = replace(on, on_story=False)
    if args.grid:
        dev, dev_planted = halves["dev"]
        only = ("3+ items", "clean")
        report("filter off", run(dev, dev_planted, off, only))
        for ratio in (0.4, 0.5, 0.6, 0.7, 0.8):
            for core in (0.1, 0.2):
                tuned = replace(on, outlier_ratio=ratio, off_core=core)
                report(f"ratio {ratio} core {core}", run(dev, dev_planted, tuned, only))
        return
    print(f"Multi-News full text: {len(data)} clusters; {BUDGET}-word budget; sentences the selection publishes\n")
    for half, (rows, plant_rows) in halves.items():
        print(f"{half} half ({len(rows)} clusters)")
        report("filter off", run(rows, plant_rows, off))
        report("filter on", run(rows, plant_rows, on))


if __name__ == "__main__":
    main()
