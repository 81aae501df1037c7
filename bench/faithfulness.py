"""Verification on real LLM-written news summaries with human faithfulness labels.

    python bench/faithfulness.py                # the test split (never looked at while tuning)
    python bench/faithfulness.py --split dev    # the split the checks are tuned on
    python bench/faithfulness.py --reasons 15   # also the commonest reasons faithful sentences are refused

Data (read where it lives, never copied into the project): the human span annotations of
``data/annotations.json`` in github.com/sanjanaramprasad/hallucination_severity_explorer at
commit ab99bdbd74077414a2e2f0a219c429cfcf7eecf8 (no licence stated, so nothing of it is committed
here) — its XSum part: 178 summaries of 30 BBC articles written by six LLMs (GPT-4, Gemini Pro,
Llama-2 70B and 7B, Mistral 7B, Falcon 7B), each unfaithful span marked by annotators. A summary
sentence is *unfaithful* when any marked span overlaps it, else *faithful*. The bench reads the
file from a fetched mirror (``--mirror``, default ``/work/.mirror/…/repo``, read with ``git show``)
or from a plain copy (``--data``); without either it says so and stops.

Split: by article (all six summaries of an article on the same side), by a hash of the XSum id:
``dev`` and ``test``, about half each. Every sentence is a claim citing its article (the whole
article is the cited item), checked by newsdesk's own ``ClaimChecker`` with default settings and
settled by the verify stage's own judge policy (``newsdesk.verify.settle_by_judge``). A sentence is
*published* when its verdict is PASS (the LLM writer's default, ``on_review = "auto"``, queues
REVIEW claims for an editor).

Judges: none; a simulated judge of 75% balanced accuracy (each answer right with probability
0.75, drawn from the labels with a fixed seed: MiniCheck-level); a colluding judge that always
says "supported". Reported beside a lexical-overlap baseline (a sentence passes when the share of
its content-word lemmas found in the article reaches a threshold fitted on dev), in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from newsdesk.records import ArticleSentence, Citation, ClaimCheck, Evidence, Item
from newsdesk.text import lexicon
from newsdesk.text.sentences import sentence_spans
from newsdesk.verify.checks import FAIL, PASS, REVIEW, ClaimChecker

try:
    from newsdesk.verify import settle_by_judge
except ImportError:  # a checkout from before the rule had its own function (for "before" figures)

    def settle_by_judge(check: ClaimCheck, judge) -> None:  # type: ignore[no-untyped-def]
        if check.verdict == REVIEW:
            decided = judge.judge(check.text, check.evidence)
            if decided == FAIL or (decided == PASS and not check.locked):
                check.verdict = decided


REPO = "sanjanaramprasad/hallucination_severity_explorer"
COMMIT = "ab99bdbd74077414a2e2f0a219c429cfcf7eecf8"
PATH = "data/annotations.json"
MIRROR = Path("/work/.mirror/sanjanaramprasad+hallucination_severity_explorer/repo")


@dataclass
class Sentence:
    doc: str
    model: str
    summary: int  # index of its summary
    text: str
    faithful: bool


def load(data: Path | None, mirror: Path) -> tuple[list[dict], str]:
    if data is not None:
        if not data.exists():
            raise SystemExit(f"{data} not found: give --data the path of a copy of {PATH} from {REPO}")
        return json.loads(data.read_text(encoding="utf-8")), str(data)
    if not mirror.exists():
        raise SystemExit(
            f"No data: {mirror} does not exist. Fetch github:{REPO} (a mirror with {PATH} at commit "
            f"{COMMIT}) and pass --mirror, or pass --data with a copy of the file. Skipped."
        )
    try:
        raw = subprocess.run(["git", f"--git-dir={mirror}", "show", f"{COMMIT}:{PATH}"], check=True, capture_output=True).stdout
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{mirror}: cannot read {COMMIT}:{PATH} ({exc.stderr.decode().strip()}). Skipped.") from None
    return json.loads(raw), f"{REPO}@{COMMIT[:12]}:{PATH}"


def split_of(doc: str) -> str:
    return "dev" if int(hashlib.sha1(doc.encode()).hexdigest(), 16) % 2 == 0 else "test"


def records(raw: list[dict], split: str) -> tuple[list[dict], list[Sentence]]:
    """The XSum summaries of ``split`` and their sentences, labelled from the marked spans."""
    summaries = []
    sentences = []
    for rec in raw:
        title = rec["title"]
        if not title.startswith("XSUM-"):
            continue  # the Reddit and clinical parts are not news
        doc, model = title[len("XSUM-") :].split(":", 1)
        if split != "all" and split_of(doc) != split:
            continue
        summary = rec["summary"]
        index = len(summaries)
        summaries.append({"doc": doc, "model": model.removesuffix("-ul2"), "source": rec["source"], "summary": summary})
        for s in sentence_spans(summary):
            bad = any(sp["startIndex"] < s.end and sp["endIndex"] > s.start for sp in rec["spans"])
            sentences.append(Sentence(doc, summaries[-1]["model"], index, summary[s.start : s.end], not bad))
    return summaries, sentences


def check(summaries: list[dict], sentences: list[Sentence], checker: ClaimChecker) -> list[ClaimCheck]:
    """Each summary's sentences as claims citing its article, checked together (as one article's)."""
    now = datetime.now(UTC)
    out: list[ClaimCheck] = []
    by_summary: dict[int, list[int]] = {}
    for k, s in enumerate(sentences):
        by_summary.setdefault(s.summary, []).append(k)
    checks: list[ClaimCheck | None] = [None] * len(sentences)
    for index, ks in by_summary.items():
        rec = summaries[index]
        item = Item(index + 1, 1, f"xsum:{rec['doc']}", "", "", "BBC", "", rec["source"], now, now)
        claims = [ArticleSentence(sentences[k].text, [Citation(1, item.id, 0, 0)]) for k in ks]
        for k, c in zip(ks, checker.check_all(claims, {item.id: item})):
            checks[k] = c
    out = [c for c in checks if c is not None]
    return out


class SimulatedJudge:
    """Right with probability ``accuracy`` on either class (errors at random, fixed seed)."""

    def __init__(self, truth: dict[str, bool], accuracy: float = 0.75, seed: int = 7):
        self.truth = truth
        self.accuracy = accuracy
        self.rng = random.Random(seed)
        self.calls = 0

    def judge(self, claim: str, evidence: list[Evidence]) -> str | None:
        self.calls += 1
        right = self.rng.random() < self.accuracy
        faithful = self.truth[claim]
        return PASS if faithful == right else FAIL


class CollidingJudge:
    calls = 0

    def judge(self, claim: str, evidence: list[Evidence]) -> str | None:
        self.calls += 1
        return PASS


def settle(checks: list[ClaimCheck], judge: object | None) -> list[str]:
    verdicts = []
    for c in checks:
        copy = ClaimCheck.from_dict(c.to_dict())
        if judge is not None:
            settle_by_judge(copy, judge)  # type: ignore[arg-type]
        verdicts.append(copy.verdict)
    return verdicts


def scores(passed: list[bool], sentences: list[Sentence]) -> dict[str, float]:
    faithful = [p for p, s in zip(passed, sentences) if s.faithful]
    unfaithful = [p for p, s in zip(passed, sentences) if not s.faithful]
    yield_ = 100 * sum(faithful) / max(1, len(faithful))
    leaked = 100 * sum(unfaithful) / max(1, len(unfaithful))
    return {"yield": yield_, "leaked": leaked, "recall": 100 - leaked, "bacc": (yield_ + 100 - leaked) / 2}


def whole_summaries(passed: list[bool], sentences: list[Sentence]) -> tuple[int, int]:
    """(faithful summaries, of them published whole)."""
    by: dict[int, list[tuple[bool, bool]]] = {}
    for p, s in zip(passed, sentences):
        by.setdefault(s.summary, []).append((p, s.faithful))
    faithful = [v for v in by.values() if all(f for _, f in v)]
    return len(faithful), sum(all(p for p, _ in v) for v in faithful)


def overlap(sentence: str, source: str) -> float:
    """Share of the sentence's content words whose lemmas the article has (the lexical baseline)."""
    forms = lexicon.evidence_forms(source)
    words = [t.lower() for t in lexicon.tokens(sentence) if t.lower() not in lexicon.STOPWORDS]
    if not words:
        return 1.0
    return sum(bool(lexicon.lemmas(w) & forms) for w in words) / len(words)


def fit_threshold(values: list[float], sentences: list[Sentence]) -> float:
    best = (0.0, 1.0)
    for t in sorted(set(values)):
        b = scores([v >= t for v in values], sentences)["bacc"]
        if b > best[0]:
            best = (b, t)
    return best[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "test", "all"), default="test")
    ap.add_argument("--mirror", type=Path, default=MIRROR, help="a fetched git mirror of the data repository")
    ap.add_argument("--data", type=Path, default=None, help="a plain copy of data/annotations.json instead")
    ap.add_argument("--reasons", type=int, default=0, help="list the N commonest reasons faithful sentences are refused")
    ap.add_argument("--show", type=int, default=0, help="print N unfaithful sentences published with the judge off")
    args = ap.parse_args()
    raw, where = load(args.data, args.mirror)
    summaries, sentences = records(raw, args.split)
    print(
        f"{where}: XSum part, split {args.split}: {len(summaries)} LLM summaries of "
        f"{len({s['doc'] for s in summaries})} articles, {len(sentences)} sentences "
        f"({sum(s.faithful for s in sentences)} faithful, {sum(not s.faithful for s in sentences)} unfaithful)\n"
    )
    started = time.perf_counter()
    checks = check(summaries, sentences, ClaimChecker())
    seconds = time.perf_counter() - started
    # The same checks with [verify] judge_settles = ["wording"] (only the lock differs).
    opt_in = [
        ClaimCheck.from_dict({**c.to_dict(), "locked": (c.locked and not c.unaccounted) or c.verdict == FAIL}) for c in checks
    ]
    truth = {s.text: s.faithful for s in sentences}
    rows = []
    for name, judge, settled in (
        ("newsdesk, judge off", None, checks),
        ("newsdesk, 75% judge", SimulatedJudge(truth), checks),
        ("newsdesk, colluding judge", CollidingJudge(), checks),
        ("75% judge, judge_settles=wording", SimulatedJudge(truth), opt_in),
        ("colluding, judge_settles=wording", CollidingJudge(), opt_in),
    ):
        verdicts = settle(settled, judge)
        passed = [v == PASS for v in verdicts]
        hard_published = sum(1 for v, c in zip(verdicts, checks) if v == PASS and c.verdict == FAIL)
        n_faithful, whole = whole_summaries(passed, sentences)
        rows.append((name, scores(passed, sentences), f"{whole}/{n_faithful}", hard_published, getattr(judge, "calls", 0)))
        if judge is None:
            off = passed
    # The lexical baseline: threshold fitted on dev, whatever split is reported.
    dev_summaries, dev_sentences = records(raw, "dev")
    dev_values = [overlap(s.text, dev_summaries[s.summary]["source"]) for s in dev_sentences]
    threshold = fit_threshold(dev_values, dev_sentences)
    values = [overlap(s.text, summaries[s.summary]["source"]) for s in sentences]
    lexical = [v >= threshold for v in values]
    n_faithful, whole = whole_summaries(lexical, sentences)
    rows.append((f"lexical overlap ≥ {threshold:.2f} (dev-fitted)", scores(lexical, sentences), f"{whole}/{n_faithful}", "–", 0))
    print(
        f"{'method':38} {'BAcc':>6} {'faithful passed':>16} {'unfaithful passed':>18} {'faithful summaries whole':>25} {'hard published':>15} {'judge calls':>12}"
    )
    for name, s, whole_text, hard, calls in rows:
        print(f"{name:38} {s['bacc']:6.1f} {s['yield']:15.1f}% {s['leaked']:17.1f}% {whole_text:>25} {hard!s:>15} {calls:12}")
    print(
        "\nPublished references (LLM-AggreFact average balanced accuracy, a different set, cited not run): "
        "MiniCheck-Flan-T5-L 75.0, AlignScore 70.5, GPT-4-class judges about 76."
    )
    print(
        f"Check time: {1000 * seconds / max(1, len(sentences)):.1f} ms a sentence ({len(sentences)} sentences, {seconds:.1f} s)"
    )
    by_model: dict[str, list[int]] = {}
    for p, s in zip(off, sentences):
        by_model.setdefault(s.model, [0, 0, 0, 0])
        by_model[s.model][0 if s.faithful else 2] += 1
        by_model[s.model][1 if s.faithful else 3] += p
    print("\nJudge off, by summariser: faithful passed / unfaithful passed")
    for model, (nf, pf, nu, pu) in sorted(by_model.items()):
        print(f"  {model:12} {pf:3}/{nf:<3} {pu:3}/{nu:<3}")
    if args.reasons:
        reasons = Counter()
        for c, s in zip(checks, sentences):
            if s.faithful and c.verdict != PASS:
                for r in c.reasons:
                    reasons[r.split(":")[0].split("(")[0].split("'")[0].strip()[:70]] += 1
        print(f"\nCommonest reasons faithful sentences are refused ({args.split}):")
        for r, n in reasons.most_common(args.reasons):
            print(f"  {n:4}  {r}")
    if args.show:
        shown = 0
        for p, s in zip(off, sentences):
            if p and not s.faithful and shown < args.show:
                shown += 1
                print(f"\n  published, unfaithful [{s.model}]: {s.text}")


if __name__ == "__main__":
    main()
