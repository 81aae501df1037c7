"""Typed facts against hand labels: precision and recall of value, subject, measure and time.

    python bench/facts.py [--split dev|held-out|fresh|fresh2|fresh3|all] [--show-errors N]

The labels (``bench/data/facts_labels.jsonl``) name sentences of the Multi-News full-text
sample by test_index, document and character offsets; the text is read from
``../shared/datasets`` at bench time and never copied into the repository. Each row lists the
facts a reader would take from the sentence (value, unit, subject and time as written, measure
from the extractor's vocabulary or the counted noun); figures that count nothing (dates, clock
times, "one of", citation marks, page furniture) are not facts.

The reference beside the extractor is the obvious one: every figure is a fact, its subject the
nearest capitalised phrase before it, its measure the word after it, its time the nearest
year, weekday or "last/this year" around it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, dataset
from newsdesk.facts import norm_subject, sentence_facts
from newsdesk.text.lexicon import STOPWORDS, lemmas
from newsdesk.text.numbers import figures, is_year

LABELS = ROOT / "bench" / "data" / "facts_labels.jsonl"


@dataclass(frozen=True)
class Guess:
    value: float
    unit: str
    subject: str | None
    measure: str | None
    time: str | None


@dataclass
class Row:
    key: tuple[int, int, int]
    text: str
    split: str
    stratum: str
    respectively: bool
    gold: list[Guess]


def load(split: str) -> list[Row]:
    documents: dict[tuple[int, int], str] = {}
    for line in dataset("multi_news", "test_longbench200_fulltext.jsonl").open(encoding="utf-8"):
        c = json.loads(line)
        for d, doc in enumerate(c["documents"]):
            documents[(c["test_index"], d)] = doc.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n")
    rows = []
    for line in LABELS.open(encoding="utf-8"):
        r = json.loads(line)
        if "_comment" in r or (split != "all" and r["split"] != split):
            continue
        text = documents[(r["test_index"], r["document"])][r["start"] : r["end"]]
        if hashlib.sha256(text.encode()).hexdigest()[:16] != r["sha256"]:
            raise SystemExit(f"test_index {r['test_index']} document {r['document']}: the dataset text changed; relabel it")
        gold = [Guess(f["value"], f["unit"], f["subject"], f["measure"], f["time"]) for f in r["facts"]]
        rows.append(Row((r["test_index"], r["document"], r["start"]), text, r["split"], r["stratum"], r["respectively"], gold))
    return rows


def extractor(text: str) -> list[Guess]:
    return [Guess(f.value, f.unit, f.subject, f.measure, f.time_text) for f in sentence_facts(text)]


_CAPITALISED = re.compile(r"[A-Z][\w&'\u2019.-]*(?:\s+[A-Z][\w&'\u2019.-]*)*")
_PERIOD = re.compile(
    r"\b(?:(?:in|during|for|since)\s+(?:19|20)\d\d|last\s+year|this\s+year|(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|(?:first|second|third|fourth)\s+quarter)\b"
)


def baseline(text: str) -> list[Guess]:
    out = []
    periods = list(_PERIOD.finditer(text))
    for f in figures(text):
        if f.kind == "day" or is_year(f):
            continue
        before = [m.group() for m in _CAPITALISED.finditer(text[: f.start])]
        word = re.match(r"\s+([a-z]{3,})", text[f.end :])
        measure = word.group(1) if word and word.group(1) not in STOPWORDS else None
        near = min(periods, key=lambda m: min(abs(m.start() - f.end), abs(f.start - m.end())), default=None)
        unit = {"percent": "percent", "money": "USD"}.get(f.kind, "count")
        out.append(Guess(f.value, unit, before[-1] if before else None, measure, near.group() if near else None))
    return out


def _same_subject(a: str | None, b: str | None) -> bool:
    x, y = norm_subject(a), norm_subject(b)
    if not x or not y:
        return False
    return x == y or re.search(rf"\b{re.escape(x)}\b", y) is not None or re.search(rf"\b{re.escape(y)}\b", x) is not None


def _same_measure(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a.lower() == b.lower() or bool(lemmas(a.lower()) & lemmas(b.lower()))


def _same_time(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    x, y = a.lower().strip(), b.lower().strip()
    return x in y or y in x


def _match(pred: list[Guess], gold: list[Guess]) -> list[tuple[Guess, Guess]]:
    """One-to-one by value (money may meet a plain count); the first unused gold fact wins."""
    pairs, used = [], set()
    for p in pred:
        for k, g in enumerate(gold):
            if k in used or abs(p.value - g.value) > 1e-6 * max(1.0, abs(g.value)):
                continue
            if p.unit != g.unit and {p.unit, g.unit} - {"count", "USD", "EUR", "GBP"}:
                continue
            pairs.append((p, g))
            used.add(k)
            break
    return pairs


@dataclass
class Score:
    counts: dict[str, list[int]] = field(default_factory=dict)  # field → [correct, predicted, gold]

    def add(self, name: str, correct: int, predicted: int, gold: int) -> None:
        c = self.counts.setdefault(name, [0, 0, 0])
        c[0] += correct
        c[1] += predicted
        c[2] += gold

    def pr(self, name: str) -> tuple[float, float]:
        c, p, g = self.counts.get(name, [0, 0, 0])
        return (c / p if p else 0.0, c / g if g else 0.0)


FIELDS: dict[str, Callable[[Guess, Guess], bool]] = {
    "subject": lambda p, g: _same_subject(p.subject, g.subject),
    "measure": lambda p, g: _same_measure(p.measure, g.measure),
    "time": lambda p, g: _same_time(p.time, g.time),
}


def score(rows: list[Row], read: Callable[[str], list[Guess]], errors: list[str] | None = None) -> Score:
    s = Score()
    for row in rows:
        pred, gold = read(row.text), row.gold
        pairs = _match(pred, gold)
        s.add("value", len(pairs), len(pred), len(gold))
        for name, same in FIELDS.items():
            correct = sum(1 for p, g in pairs if getattr(p, name) and getattr(g, name) and same(p, g))
            s.add(name, correct, sum(1 for p in pred if getattr(p, name)), sum(1 for g in gold if getattr(g, name)))
            if errors is not None:
                for p, g in pairs:
                    if (getattr(p, name) or getattr(g, name)) and not same(p, g):
                        errors.append(f"{name}: {g.value:g} gold {getattr(g, name)!r} got {getattr(p, name)!r} — {row.key}")
        if errors is not None:
            matched = {id(p) for p, _ in pairs}
            errors += [f"extra figure {p.value:g} ({p.measure}) — {row.key}" for p in pred if id(p) not in matched]
            got = {id(g) for _, g in pairs}
            errors += [f"missed figure {g.value:g} ({g.measure}) — {row.key}" for g in gold if id(g) not in got]
    return s


def table(groups: dict[str, list[Row]]) -> str:
    lines = [
        "| sentences | method | value P / R | subject P / R | measure P / R | time P / R |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, rows in groups.items():
        for method, read in (("facts", extractor), ("nearest-name baseline", baseline)):
            s = score(rows, read)
            cells = [f"{100 * s.pr(n)[0]:.0f}% / {100 * s.pr(n)[1]:.0f}%" for n in ("value", "subject", "measure", "time")]
            facts = sum(len(r.gold) for r in rows)
            lines.append(f"| {label} ({len(rows)} sentences, {facts} facts) | {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "held-out", "fresh", "fresh2", "fresh3", "all"), default="all")
    parser.add_argument("--show-errors", type=int, default=0, help="print this many of the extractor's errors")
    args = parser.parse_args()
    rows = load(args.split)
    started = time.perf_counter()
    for r in rows:
        sentence_facts(r.text)
    seconds = time.perf_counter() - started
    splits = (
        [s for s in ("dev", "held-out", "fresh", "fresh2", "fresh3") if any(r.split == s for r in rows)]
        if args.split == "all"
        else [args.split]
    )
    groups: dict[str, list[Row]] = {}
    for split in splits:
        part = [r for r in rows if r.split == split]
        groups[f"{split}: all"] = part
        groups[f"{split}: multi-figure"] = [r for r in part if len(r.gold) >= 2 or r.respectively]
    if any(r.respectively for r in rows):
        groups[f"{args.split}: 'respectively'"] = [r for r in rows if r.respectively]
    print(table(groups))
    print(f"\n{len(rows)} sentences read in {seconds * 1000:.0f} ms ({1000 * seconds / max(1, len(rows)):.2f} ms a sentence).")
    if args.show_errors:
        errors: list[str] = []
        score(rows, extractor, errors)
        print("\n".join(errors[: args.show_errors]))


if __name__ == "__main__":
    main()
