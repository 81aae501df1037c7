"""Precision and recall of the page-furniture filter (``newsdesk.text.quality``) against hand
labels on real pages: the Multi-News full-text sample, held-out half (odd ``test_index``).

    python bench/boilerplate.py

The labels (``bench/data/boilerplate_labels.tsv``) name sentences by position; their text is read
from ``../shared/datasets`` and never copied here. They are a stratified sample: every sentence the
filter flagged at commit 65c074d (183), and 150 drawn at random from the 8,762 it did not flag.
Counts from the second stratum are scaled by 8,762 / 150, so recall is an estimate (its
uncertainty is shown). "Any defect" counts a boilerplate sentence as caught when the filter
refuses it for any reason (a caption without a full stop is refused as a fragment).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dataset
from newsdesk.text.quality import defects

LABELS = Path(__file__).resolve().parent / "data" / "boilerplate_labels.tsv"
UNFLAGGED_TOTAL = 8762


def main() -> None:
    texts = {}
    for line in dataset("multi_news", "test_longbench200_fulltext.jsonl").open(encoding="utf-8"):
        cluster = json.loads(line)
        for k, d in enumerate(cluster["documents"]):
            texts[(cluster["test_index"], k)] = d.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n").strip()
    rows = [line.rstrip("\n").split("\t") for line in LABELS.open() if line.strip() and not line.startswith("#")][1:]
    sample = sum(1 for r in rows if r[4] == "unflagged")
    scale = {"flagged": 1.0, "unflagged": UNFLAGGED_TOTAL / sample}
    print(
        f"{len(rows)} labelled sentences ({sum(1 for r in rows if r[5] == 'boilerplate')} boilerplate), {sample} sampled from the unflagged"
    )
    for rule, caught in (
        ("boilerplate rule", lambda t: "boilerplate" in defects(t)),
        ("any defect", lambda t: bool(defects(t))),
    ):
        tp = fp = fn = 0.0
        fn_raw = 0
        for index, doc, start, end, stratum, label in rows:
            text = texts[(int(index), int(doc))][int(start) : int(end)]
            hit, weight = caught(text), scale[stratum]
            if hit and label == "boilerplate":
                tp += weight
            elif hit:
                fp += weight
            elif label == "boilerplate":
                fn += weight
                fn_raw += stratum == "unflagged"
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        # Rough interval: the missed count in the sampled stratum is binomial.
        p = fn_raw / sample
        spread = 1.96 * math.sqrt(p * (1 - p) / sample) * UNFLAGGED_TOTAL
        low = tp / (tp + fn + spread) if tp else 0.0
        high = tp / (tp + max(0.0, fn - spread)) if tp else 0.0
        shown = f"precision {100 * precision:5.1f}%   " if rule == "boilerplate rule" else " " * 20
        print(f"{rule:18} {shown}recall {100 * recall:5.1f}% (about {100 * low:.0f}–{100 * high:.0f}%)")


if __name__ == "__main__":
    main()
