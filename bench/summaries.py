"""Content selection of the extractive writer on Multi-News, against Lead-3, LexRank and
TextRank run in the same script on the same clusters, sentences and word budget.

    python bench/summaries.py                 # 500 clusters, 300-word budget
    python bench/summaries.py --limit 100     # quicker
    python bench/summaries.py --all-sentences # every method may pick any sentence (filter off)
    python bench/summaries.py --split dev     # only the half tuned on (even test_index); "test": the other
    python bench/summaries.py --writer-bounds # the references too pick only sentences of the writer's length
    python bench/summaries.py --loose-references  # the references may pick follow-on sentences alone too

Scores: ROUGE-1/2/L F1 with stemming (``rouge-score``), in points (× 100), and milliseconds
per cluster. Every method sees the same sentence splits (the writer's own) and returns
sentences in document order, cut at the same budget. By default every method picks only among
the sentences the writer could publish (``newsdesk.text.quality``): this sample's input is cut at
about 500 tokens, so each document ends in a fragment, which no method may then quote. The writer
may also quote a refused sentence right after the chosen sentence it points back to ("He said …",
a quotation going on: ``SelectionWeights.follow_ons``); the references, which have no such
rule, may not, unless ``--loose-references`` lets them pick such sentences anywhere, alone.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dataset
from newsdesk.text.quality import defects
from newsdesk.text.sentences import sentence_spans
from newsdesk.write.extractive import Doc, SelectionWeights, select

_WORDS = re.compile(r"\w+(?:'\w+)?")


def load(limit: int | None, half: str = "all", full_text: bool = False):
    """Clusters of the 500-cluster sample (or, with ``full_text``, of the 200 clusters of whole,
    original-case articles); ``half`` "dev" (even test_index), "test" (odd) or "all"."""
    path = dataset("multi_news", "test_longbench200_fulltext.jsonl" if full_text else "test_sample_500.jsonl")
    n = 0
    for line in path.open(encoding="utf-8"):
        cluster = json.loads(line)
        if half != "all" and (cluster["test_index"] % 2 == 0) != (half == "dev"):
            continue
        if limit is not None and n >= limit:
            break
        n += 1
        docs = [d.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n").strip() for d in cluster["documents"]]
        yield [d for d in docs if d], cluster["summary"], cluster["test_index"]


PUBLISHABLE_ONLY = True  # --all-sentences: every method may pick any sentence (the filter off)
WRITER_BOUNDS: tuple[int, int] | None = None  # --writer-bounds: (min, max) words, the writer's own
# --loose-references: the references may also pick, anywhere, the sentences the writer quotes
# only right after the sentence before them (a pointing-back opening, a quotation going on).
LOOSE_REFERENCES = False
FOLLOW_ON_DEFECTS = {"opener", "unattributed_quote"}


def usable(sentence: str) -> bool:
    """The sentences any method may choose: those the writer could publish (no page furniture,
    fragments, dangling openers, unattributed first person), so every method picks from the
    same set as the writer does."""
    if WRITER_BOUNDS and not WRITER_BOUNDS[0] <= len(sentence.split()) <= WRITER_BOUNDS[1]:
        return False
    if not PUBLISHABLE_ONLY:
        return True
    found = defects(sentence)
    return not found or (LOOSE_REFERENCES and set(found) <= FOLLOW_ON_DEFECTS)


def sentences_of(docs: list[str]) -> list[tuple[int, int, str]]:
    """(document, position, sentence) with the writer's splitter, for every method."""
    return [
        (d, k, doc[s.start : s.end])
        for d, doc in enumerate(docs)
        for k, s in enumerate(sentence_spans(doc))
        if usable(doc[s.start : s.end])
    ]


def cut(sentences: list[str], budget: int) -> str:
    out, used = [], 0
    for s in sentences:
        words = len(s.split())
        if used + words > budget:
            continue
        out.append(s)
        used += words
    return "\n".join(out)


def newsdesk(docs, budget, weights=None):
    weights = weights or SelectionWeights(clean=PUBLISHABLE_ONLY)
    chosen = select([Doc(i, str(i), d) for i, d in enumerate(docs)], budget, weights)
    chosen.sort(key=lambda c: (c.doc.key, c.start))
    return "\n".join(c.text for c in chosen)


def lead3(docs, budget):
    first = [s for d, k, s in sentences_of(docs) if k < 3]
    return cut(first, budget)


class _SharedTokenizer:
    """sumy's parser asks a tokenizer for sentences and words; this one gives it the writer's
    sentences (no NLTK data is downloaded)."""

    language = "english"

    def to_sentences(self, paragraph: str):
        return [paragraph[s.start : s.end] for s in sentence_spans(paragraph) if usable(paragraph[s.start : s.end])]

    def to_words(self, sentence: str):
        return _WORDS.findall(sentence)


def _sumy(summarizer_class):
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.utils import get_stop_words

    summarizer = summarizer_class(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = _SharedTokenizer()

    def run(docs, budget):
        parser = PlaintextParser.from_string("\n\n".join(docs), tokenizer)

        def within_budget(ranked):
            out, used = [], 0
            for info in ranked:
                words = len(str(info.sentence).split())
                if used + words <= budget:
                    out.append(info)
                    used += words
            return out

        return "\n".join(str(s) for s in summarizer(parser.document, within_budget))

    return run


def forget_text_caches() -> None:
    """Empty every cache newsdesk's text helpers keep (sentence splits, injection screens, verb
    lemmas), so each method is timed from the same cold start: the references split and filter
    sentences with newsdesk's helpers too, and would otherwise be timed on the writer's warm splits."""
    import functools

    for name, module in list(sys.modules.items()):
        if name.startswith("newsdesk"):
            for value in vars(module).values():
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--budget", type=int, default=300)
    ap.add_argument("--split", choices=("all", "dev", "test"), default="all", help="dev: even test_index (tuned on); test: odd")
    ap.add_argument(
        "--writer-bounds",
        action="store_true",
        help="the references too pick only sentences within the writer's word bounds (6-60 words)",
    )
    ap.add_argument("--grid", action="store_true", help="search selection weights on the dev half (even test_index)")
    ap.add_argument(
        "--full-text",
        action="store_true",
        help="the 200 clusters of whole articles (test_longbench200_fulltext.jsonl), where selection is not taking nearly all",
    )
    ap.add_argument("--all-sentences", action="store_true", help="every method may pick any sentence (no publishability filter)")
    ap.add_argument(
        "--loose-references",
        action="store_true",
        help="the references may also pick, alone, the sentences the writer quotes only after the one before them",
    )
    args = ap.parse_args()
    global PUBLISHABLE_ONLY, WRITER_BOUNDS, LOOSE_REFERENCES
    PUBLISHABLE_ONLY = not args.all_sentences
    LOOSE_REFERENCES = args.loose_references
    if args.writer_bounds:
        WRITER_BOUNDS = (SelectionWeights.min_words, SelectionWeights.max_words)
    if args.grid:
        return grid(args)
    from rouge_score import rouge_scorer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    clusters = list(load(args.limit, args.split, args.full_text))
    dev_mask = [index % 2 == 0 for _, _, index in clusters]
    methods = {
        "newsdesk extractive writer": newsdesk,
        "newsdesk, no follow-ons": lambda docs, budget: newsdesk(
            docs, budget, SelectionWeights(clean=PUBLISHABLE_ONLY, follow_ons=False)
        ),
        "Lead-3": lead3,
        "LexRank (sumy)": _sumy(LexRankSummarizer),
        "TextRank (sumy)": _sumy(TextRankSummarizer),
    }
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    print(
        f"Multi-News {'full-text clusters' if args.full_text else 'test sample'} ({args.split}): {len(clusters)} clusters, {args.budget}-word budget, ROUGE F1 ×100 with stemming\n"
    )
    print(f"{'method':28} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'ms/cluster':>11}")
    results = {}
    for name, method in methods.items():
        per_cluster = []
        seconds = 0.0
        forget_text_caches()
        method(clusters[0][0], args.budget)  # untimed: first-call imports and caches, for every method alike
        for docs, reference, _ in clusters:
            started = time.perf_counter()
            summary = method(docs, args.budget)
            seconds += time.perf_counter() - started
            scores = scorer.score(reference, summary)
            per_cluster.append({k: scores[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")})
        n = len(clusters)
        r = results[name] = {k: 100 * sum(c[k] for c in per_cluster) / n for k in ("rouge1", "rouge2", "rougeL")}
        r["ms"] = 1000 * seconds / n
        halves = {h: [c for c, d in zip(per_cluster, dev_mask) if d == (h == "dev")] for h in ("dev", "test")}
        halves = {h: cs for h, cs in halves.items() if cs and args.split == "all"}
        split = "  ".join(
            f"{h} R-1 {100 * sum(c['rouge1'] for c in cs) / max(1, len(cs)):.2f} "
            f"R-2 {100 * sum(c['rouge2'] for c in cs) / max(1, len(cs)):.2f}"
            for h, cs in halves.items()
        )
        split = f"   ({split})" if split else ""
        print(f"{name:28} {r['rouge1']:6.2f} {r['rouge2']:6.2f} {r['rougeL']:6.2f} {r['ms']:11.1f}{split}", flush=True)
    ours = results["newsdesk extractive writer"]
    best = {k: max(v[k] for name, v in results.items() if not name.startswith("newsdesk")) for k in ("rouge1", "rouge2")}
    print(
        f"\nMargin over the best reference: R-1 {ours['rouge1'] - best['rouge1']:+.2f}, R-2 {ours['rouge2'] - best['rouge2']:+.2f} "
        f"(target +1.00 / +0.50); time vs LexRank: {ours['ms']:.1f} vs {results['LexRank (sumy)']['ms']:.1f} ms"
    )


def grid(args) -> None:
    from itertools import product

    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    dev = list(load(args.limit, "dev" if args.split == "all" else args.split, args.full_text))
    print(f"Dev half: {len(dev)} clusters (even test_index); the odd half is never used here")
    # The feature weights are fitted by bench/selection_fit.py; this searches the greedy step's bounds.
    for redundancy, max_words in product((0.25, 0.35, 0.5), (40, 60)):
        w = SelectionWeights(redundancy=redundancy, max_words=max_words)
        r1 = r2 = 0.0
        for docs, reference, _ in dev:
            scores = scorer.score(reference, newsdesk(docs, args.budget, w))
            r1 += scores["rouge1"].fmeasure
            r2 += scores["rouge2"].fmeasure
        print(
            f"  redundancy {redundancy} max_words {max_words}: R-1 {100 * r1 / len(dev):.2f} R-2 {100 * r2 / len(dev):.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
