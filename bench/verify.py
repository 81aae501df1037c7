"""Verification quality and speed on a labelled claim set built from the demo corpus.

    python bench/verify.py

Runs the demo pipeline (loopback outlets → store), then takes every sentence of every stored
original item and makes labelled claims from it: perturbed (changed figure, swapped name,
flipped direction, negation, fabricated quote, wrong source, uncited figure) or faithful
(figures in another format, clauses reordered). A perturbed claim is caught when its verdict
is not PASS; a faithful one is a false alarm when it is not PASS. Also reports the demo's
extractive articles' citation recall and precision (ALCE), and the time to verify a
25-claim article.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_newsroom
from newsdesk.records import ArticleSentence
from newsdesk.verify.checks import PASS, ClaimChecker
from newsdesk.verify.perturb import KINDS, build

TARGETS = {"number": 99.0, "wrong_source": 99.0, "entity": 95.0, "quote": 95.0}


def main() -> None:
    with demo_newsroom() as (room, report):
        items = [i for s in room.store.stories() for i in s.items if i.duplicate_of is None]
        published = [v.summary for v in room.store.publishable()]
    claims = build(items)
    by_id = {i.id: i for i in items}
    checker = ClaimChecker()
    started = time.perf_counter()
    checks = checker.check_all([c.claim for c in claims], by_id)
    seconds = time.perf_counter() - started
    totals = defaultdict(lambda: [0, 0])
    for labelled, check in zip(claims, checks):
        totals[labelled.kind][0] += 1
        totals[labelled.kind][1] += check.verdict != PASS
    print(f"Labelled claims from {len(items)} demo items: {len(claims):,}\n")
    print(f"{'kind':16} {'claims':>7} {'caught':>7} {'rate':>7}  target")
    for kind in KINDS:
        n, caught = totals[kind]
        target = f"≥ {TARGETS[kind]:.0f}%" if kind in TARGETS else ""
        print(f"{kind:16} {n:7} {caught:7} {100 * caught / max(1, n):6.1f}%  {target}")
    n, alarms = totals["faithful"]
    print(f"{'faithful':16} {n:7} {alarms:7} {100 * alarms / max(1, n):6.1f}%  false alarms (target ≤ 2%)")
    variants = defaultdict(lambda: [0, 0])
    for labelled, check in zip(claims, checks):
        if labelled.kind == "faithful":
            variants[labelled.variant][0] += 1
            variants[labelled.variant][1] += check.verdict != PASS
    for variant, (vn, va) in sorted(variants.items()):
        print(f"  {variant:22} {vn:5} {va:5} false alarms")
    print(f"\nThroughput: {len(claims) / seconds:,.0f} claims/s on one process ({1000 * seconds / len(claims):.1f} ms a claim)")
    # A 25-claim article, end to end (vectors, evidence, every check, per-citation support).
    sample = [ArticleSentence(c.claim.text, c.claim.citations) for c in claims if c.kind == "faithful"][:25]
    started = time.perf_counter()
    checker.check_all(sample, by_id)
    print(f"A {len(sample)}-claim article: {time.perf_counter() - started:.3f} s (target ≤ 5 s)")
    recall = [summary["citation_recall"] for summary in published]
    precision = [summary["citation_precision"] for summary in published]
    claims_checked = sum(summary["checked"] for summary in published)
    print(
        f"\nDemo extractive articles: {len(published)} articles, {claims_checked} claims, "
        f"citation recall {100 * sum(recall) / len(recall):.1f}% (min {100 * min(recall):.1f}%), "
        f"citation precision {100 * sum(precision) / len(precision):.1f}% (min {100 * min(precision):.1f}%); "
        f"verify stage {report.seconds['verify']:.2f} s"
    )


if __name__ == "__main__":
    main()
