"""How the extractive writer's selection weights (``SelectionWeights``) were fitted, and what
they give on the halves they were not fitted on.

    python bench/selection_fit.py            # fit on the even halves, read on the odd ones
    python bench/selection_fit.py --alpha 10 # a stronger ridge penalty
    python bench/selection_fit.py --without opening   # an ablation: one feature left out
    python bench/selection_fit.py --headroom # what a scorer that knew the summary would add (dev half)

Data: both Multi-News samples in ``../shared/datasets/multi_news`` (read at run time): the 500
truncated, lower-cased clusters and the 200 clusters of whole articles. Fitted on the clusters
whose test_index is even (the half every selection bench tunes on), read on the odd ones.

Each candidate sentence the writer may quote (its own pool: publishability filter and on-story
rules on) is a row of ``selection_features``; its target is how much of the human summary it
carries: the share of its stemmed words in the summary plus the share of its word pairs
(ROUGE's tokenizer). A ridge regression on standardised features gives the weights; the greedy
selection and its redundancy rule are the writer's own. Printed: the fitted weights, then ROUGE
F1 (× 100) on the odd halves for the fitted weights, the shipped ones, the earlier hand weights
(``HAND_WEIGHTS``) and LexRank / TextRank in the same run.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import summaries
from newsdesk.write.extractive import (
    HAND_WEIGHTS,
    SELECTION_FEATURES,
    Doc,
    SelectionWeights,
    select,
    selection_features,
    story_pool,
)


def clusters(full_text: bool, half: str) -> list[tuple[list[str], str, int]]:
    return list(summaries.load(None, half, full_text))


def targets(pool, reference: str, tokenize) -> list[float]:
    """How much of the human summary each candidate carries: the share of its stemmed words in
    the summary plus the share of its word pairs."""
    ref = tokenize(reference)
    words, pairs = set(ref), set(zip(ref, ref[1:]))
    out = []
    for c in pool:
        t = tokenize(c.text)
        bigrams = list(zip(t, t[1:]))
        out.append(0.5 * sum(x in words for x in t) / max(1, len(t)) + sum(b in pairs for b in bigrams) / max(1, len(bigrams)))
    return out


def rows(data, tokenize) -> tuple[np.ndarray, np.ndarray]:
    """Features and targets of every candidate of the clusters."""
    X, y = [], []
    for docs, reference, _ in data:
        kept, pool, S = story_pool([Doc(i, str(i), d) for i, d in enumerate(docs)], SelectionWeights())
        if not pool:
            continue
        X.append(selection_features(pool, kept, S))
        y += targets(pool, reference, tokenize)
    return np.vstack(X), np.array(y)


def writer(weights: SelectionWeights):
    """The writer's selection with these weights, as a summariser of a cluster's documents."""

    def run(docs, budget):
        chosen = select([Doc(i, str(i), d) for i, d in enumerate(docs)], budget, weights)
        return "\n".join(c.text for c in sorted(chosen, key=lambda c: (c.doc.key, c.start)))

    return run


def rouge_table(title: str, data, methods, scorer, reference: list[str] | None = None) -> None:
    """Mean ROUGE-1/2 F1 of each method over the clusters; ``reference``, when given, holds the
    summary of the cluster being summarised (for a method that reads it)."""
    print(title)
    for name, method in methods.items():
        r1 = r2 = 0.0
        for docs, summary, _ in data:
            if reference is not None:
                reference[0] = summary
            s = scorer.score(summary, method(docs, 300))
            r1, r2 = r1 + s["rouge1"].fmeasure, r2 + s["rouge2"].fmeasure
        print(f"  {name:30} {100 * r1 / len(data):6.2f} {100 * r2 / len(data):6.2f}", flush=True)


def headroom() -> None:
    """The writer's selection (its pool, greedy step, redundancy rule and follow-ons) with each
    candidate scored by the fitting target itself, read from the human summary: an upper bound
    on what any scorer of single sentences could add, printed beside the shipped weights and
    LexRank on the dev halves (even test_index) of both samples."""
    from rouge_score import rouge_scorer, tokenizers
    from sumy.summarizers.lex_rank import LexRankSummarizer

    import newsdesk.write.extractive as extractive

    tokenize = tokenizers.DefaultTokenizer(use_stemmer=True).tokenize
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    fitted_features = extractive.selection_features
    knowing = replace(SelectionWeights(), **({name: 0.0 for name in SELECTION_FEATURES} | {"centrality": 1.0}))
    reference = [""]

    def knowing_features(pool, docs, S):
        out = np.zeros((len(pool), len(SELECTION_FEATURES)))
        out[:, 0] = targets(pool, reference[0], tokenize)  # "centrality", the only weight left on
        return out

    def scored_by_the_summary(docs, budget):
        extractive.selection_features = knowing_features
        try:
            return knowing_writer(docs, budget)
        finally:
            extractive.selection_features = fitted_features

    knowing_writer = writer(knowing)
    methods = {
        "writer, scored by the summary": scored_by_the_summary,
        "writer, shipped weights": writer(SelectionWeights()),
        "LexRank (sumy)": summaries._sumy(LexRankSummarizer),
    }
    for full, label in ((False, "truncated sample"), (True, "whole articles")):
        dev = clusters(full, "dev")
        rouge_table(f"Dev half, {label} ({len(dev)} clusters, 300 words): R-1 / R-2", dev, methods, scorer, reference)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alpha", type=float, default=1.0, help="ridge penalty on the standardised features")
    ap.add_argument("--without", action="append", default=[], choices=SELECTION_FEATURES, help="fit with this feature left out")
    ap.add_argument("--headroom", action="store_true", help="the selection scored by the summary itself (an upper bound)")
    args = ap.parse_args()
    if args.headroom:
        return headroom()
    from rouge_score import rouge_scorer, tokenizers
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    tokenize = tokenizers.DefaultTokenizer(use_stemmer=True).tokenize
    parts = [rows(clusters(full, "dev"), tokenize) for full in (True, False)]
    X, y = np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    for name in args.without:
        X[:, SELECTION_FEATURES.index(name)] = 0.0  # a constant column: its weight comes out 0
    scaler = StandardScaler().fit(X)
    model = Ridge(alpha=args.alpha).fit(scaler.transform(X), y)
    fitted = dict(zip(SELECTION_FEATURES, (model.coef_ / np.where(scaler.scale_ > 0, scaler.scale_, 1.0)).round(3).tolist()))
    print(f"Fitted on {len(y)} candidate sentences of the even halves (alpha {args.alpha}):")
    for name, value in fitted.items():
        print(f"  {name:14} {value:+.3f}   (shipped {getattr(SelectionWeights(), name):+.3f})")

    methods = {
        "writer, weights fitted now": writer(replace(SelectionWeights(), **fitted)),
        "writer, shipped weights": writer(SelectionWeights()),
        "writer, earlier hand weights": writer(replace(SelectionWeights(), **HAND_WEIGHTS)),
        "LexRank (sumy)": summaries._sumy(LexRankSummarizer),
        "TextRank (sumy)": summaries._sumy(TextRankSummarizer),
    }
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    for full, label in ((True, "whole articles"), (False, "truncated sample")):
        held_out = clusters(full, "test")
        rouge_table(f"\nOdd half, {label} ({len(held_out)} clusters, 300 words): R-1 / R-2", held_out, methods, scorer)


if __name__ == "__main__":
    main()
