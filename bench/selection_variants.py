"""Selection variants tried for issue 23 item 5, on one half of the Multi-News test sample
(``bench/summaries.py``'s clusters, publishable sentences only, 300-word budget), beside LexRank
and TextRank on the same half. Not the writer's code: what was measured before changing it.

    python bench/selection_variants.py dev 250    # the half tuned on (even test_index)
    python bench/selection_variants.py test 250   # the held-out half (odd test_index)

Variants: the writer's scoring with bigram TF-IDF and a longer sentence cap (``max_words``), and
a concept-coverage selector (Gillick & Favre style: stemmed bigrams and words weighted by the
square of the number of documents using them, greedy gain per word).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from newsdesk.write.extractive import Doc, candidates
from summaries import _sumy, load


def scored(docs, budget, ngrams=1, max_words=60, redundancy=0.35):
    """The writer's selection before its weights were fitted (centrality across outlets, position,
    figures; MMR; `bench/selection_fit.py` has the fitted one), varied."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    pool = candidates(docs, 6, max_words, True)
    if not pool:
        return []
    X = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, ngrams)).fit_transform([c.text for c in pool])
    S = (X @ X.T).toarray()
    for r, c in enumerate(pool):
        c.vector_row = r
    keys = np.array([c.doc.key for c in pool])
    cross = np.where(keys[:, None] != keys[None, :], S, 0.0).sum(axis=1) / max(1, len(set(keys)) - 1)
    centrality = cross / (cross.max() or 1.0)
    score = 0.4 * centrality + 0.5 / (1.0 + np.array([c.position for c in pool]))
    score += 0.1 * np.array([min(len(c.numbers), 3) / 3 for c in pool])
    chosen, used = [], 0
    for j in np.argsort(-score):
        c = pool[j]
        if used + c.words > budget:
            continue
        if any(S[c.vector_row, d.vector_row] >= redundancy for d in chosen):
            continue
        chosen.append(c)
        used += c.words
    return chosen


def coverage(docs, budget, max_words=120, power=2.0, word_weight=0.5):
    import snowballstemmer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as STOP

    stem = snowballstemmer.stemmer("english").stemWord
    pool = candidates(docs, 6, max_words, True)

    def concepts(text):
        words = re.findall(r"[a-z0-9]+", text.lower())
        stems = [stem(w) for w in words]
        out = {
            f"{a} {b}" for (w, a), (v, b) in zip(zip(words, stems), zip(words[1:], stems[1:])) if not (w in STOP and v in STOP)
        }
        return out | {s for w, s in zip(words, stems) if w not in STOP}

    cs = [concepts(c.text) for c in pool]
    df: dict[str, int] = {}
    for key in {c.doc.key for c in pool}:
        for k in set().union(*(cs[i] for i, c in enumerate(pool) if c.doc.key == key)):
            df[k] = df.get(k, 0) + 1
    weight = {k: v**power * (1.0 if " " in k else word_weight) for k, v in df.items()}
    covered: set[str] = set()
    chosen, used, left = [], 0, list(range(len(pool)))
    while left:
        fits = [j for j in left if used + pool[j].words <= budget]
        if not fits:
            break
        j = max(fits, key=lambda j: sum(weight[k] for k in cs[j] - covered) / pool[j].words)
        chosen.append(pool[j])
        used += pool[j].words
        covered |= cs[j]
        left.remove(j)
    return chosen


def main() -> None:
    from rouge_score import rouge_scorer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    half, limit = (sys.argv[1] if len(sys.argv) > 1 else "dev"), (int(sys.argv[2]) if len(sys.argv) > 2 else 250)
    clusters = list(load(limit, half))
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)

    def picked(select):
        def run(docs, budget):
            chosen = select([Doc(i, str(i), d) for i, d in enumerate(docs)], budget)
            return "\n".join(c.text for c in sorted(chosen, key=lambda c: (c.doc.key, c.start)))

        return run

    methods = {
        "writer, hand weights (before 2026-12-06)": picked(scored),
        "writer, bigram TF-IDF": picked(lambda d, b: scored(d, b, ngrams=2)),
        "writer, bigrams, max_words 120": picked(lambda d, b: scored(d, b, ngrams=2, max_words=120)),
        "concept coverage, max_words 60": picked(lambda d, b: coverage(d, b, max_words=60)),
        "concept coverage, max_words 120": picked(coverage),
        "LexRank (sumy)": _sumy(LexRankSummarizer),
        "TextRank (sumy)": _sumy(TextRankSummarizer),
    }
    print(f"Multi-News test sample, {half} half: {len(clusters)} clusters, 300-word budget, publishable sentences only")
    for name, method in methods.items():
        r1 = r2 = seconds = 0.0
        for docs, reference, _ in clusters:
            started = time.perf_counter()
            summary = method(docs, 300)
            seconds += time.perf_counter() - started
            s = scorer.score(reference, summary)
            r1, r2 = r1 + s["rouge1"].fmeasure, r2 + s["rouge2"].fmeasure
        n = len(clusters)
        print(f"{name:34} R-1 {100 * r1 / n:6.2f}  R-2 {100 * r2 / n:6.2f}  {1000 * seconds / n:6.1f} ms", flush=True)


if __name__ == "__main__":
    main()
