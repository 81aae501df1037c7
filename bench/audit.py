"""Audit what newsdesk composes itself on real news: every chart row and every "Sources
disagree" note it would publish, printed beside the source sentence it rests on, for a reader
to judge (and, once judged, counted against the labels).

    python bench/audit.py [--split dev|held-out|all] [--limit N]

Multi-News full text (the LongBench subset, read from ``../shared/datasets`` at bench time):
each cluster becomes one story whose documents are items of different outlets. The story goes
the pipeline's own way: the extractive writer (``make_writer``), the verifier
(``verify_article``), then the media stage (``media_for``) on the published article. The dev
half is the even ``test_index`` clusters, the held-out half the odd ones.

Output: ``test-output/audit_<split>.txt`` (not committed) lists each row and note with an id,
its figure and the cited sentence(s). ``bench/data/audit_<split>_labels.tsv`` holds a reader's
verdicts by id (``id<TAB>true|false<TAB>reason``); the bench counts published, labelled and
false rows and notes, and lists the unlabelled ones. Ids hash the row's label, figure and
cited sentence, so a row that changes is a new row to judge; no dataset text is stored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, dataset
from newsdesk.config import Settings
from newsdesk.media import media_for
from newsdesk.records import Article, Item, Story
from newsdesk.text.frames import DISAGREEMENT
from newsdesk.verify import verify_article
from newsdesk.verify.checks import ClaimChecker
from newsdesk.write import make_writer

NOW = datetime(2026, 1, 12, 12, tzinfo=UTC)
OUT = ROOT / "test-output"


def clusters(split: str, limit: int | None) -> list[tuple[int, list[str]]]:
    out = []
    for line in dataset("multi_news", "test_longbench200_fulltext.jsonl").open(encoding="utf-8"):
        c = json.loads(line)
        if split != "all" and (c["test_index"] % 2 == 0) != (split == "dev"):
            continue
        docs = [d.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n").strip() for d in c["documents"]]
        docs = [d for d in docs if len(d.split()) > 40]
        if docs:
            out.append((c["test_index"], docs))
    return out[:limit] if limit is not None else out


def story_of(index: int, docs: list[str]) -> Story:
    """One story of the cluster's documents, each an item of its own outlet (its first line,
    cut short, stands for the title the feed would give)."""
    items = []
    for d, text in enumerate(docs):
        iid = index * 100 + d + 1
        title = text.split("\n", 1)[0][:90]
        items.append(
            Item(
                id=iid,
                source_id=iid,
                guid=f"mn-{index}-{d}",
                url=f"https://outlet{d + 1}.example/{index}",
                canonical_url=f"https://outlet{d + 1}.example/{index}",
                outlet=f"Outlet {chr(65 + d)}",
                title=title,
                text=text,
                published_at=NOW - timedelta(hours=len(docs) - d),
                fetched_at=NOW,
                story_id=index,
            )
        )
    return Story(index, "open", items[0].title, NOW, NOW, 5.0, "major", None, items)


def _id(index: int, kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:10]
    return f"{index}-{kind}-{digest}"


def audit_story(index: int, docs: list[str], settings: Settings) -> list[dict[str, object]]:
    """The chart rows and disagreement notes newsdesk would publish for one cluster."""
    story = story_of(index, docs)
    items = {i.id: i for i in story.items}
    article = make_writer(settings).write(story)
    if article is None:
        return []
    verification = verify_article(article, items, ClaimChecker.from_settings(settings.verify), settings)
    published: Article | None = verification.published
    if published is None:
        return []
    out: list[dict[str, object]] = []
    for s in published.sentences():
        if s.frame != DISAGREEMENT:
            continue
        cited = [items[c.item_id].text[c.start : c.end] for c in s.citations if c.item_id in items]
        out.append({"id": _id(index, "note", s.text, *cited), "kind": "note", "text": s.text, "sources": cited})
    media = media_for(published, verification.claims, settings)
    if media.chart:
        title = media.chart["title"]
        for p in media.chart["points"]:
            row = f"[{title}] {p['label']}: {p['text']}"
            out.append(
                {"id": _id(index, "row", p["label"], p["text"], p["claim"]), "kind": "row", "text": row, "sources": [p["claim"]]}
            )
    return out


def wide_story(index: int, docs: list[str], settings: Settings) -> list[dict[str, object]]:
    """Diagnostic (``--wide``): what the chart and note finders would draw if every sentence of
    the cluster were chosen and verified; more material to find the causes of false rows in."""
    from newsdesk.media.figures import check_whole, comparable_series
    from newsdesk.records import ArticleSentence, Citation
    from newsdesk.write.extractive import Doc, disagreements, note_checks, select_with_pool

    story = story_of(index, docs)
    items = {i.id: i for i in story.items}
    _, pool, S = select_with_pool([Doc(i.id, i.outlet, i.text, i.title) for i in story.items], 100000)
    out: list[dict[str, object]] = []
    for d in disagreements(pool, pool, S):
        if note_checks(d, items, settings.verify):
            cited = [c.text for c, _ in d.figures]
            text = " / ".join(f"{f.subject} {f.measure} {f.text} {f.time_text or ''}" for f in d.facts)
            out.append({"id": _id(index, "wnote", text, *cited), "kind": "note", "text": text, "sources": cited})
    claims = [ArticleSentence(c.text, [Citation(1, c.doc.key, c.start, c.end)]) for c in pool]
    for series in comparable_series(claims, settings.media.min_points):
        points, reason = check_whole(series)
        for p in points if not reason else []:
            row = f"[{series.measure}] {p.label}: {p.text}"
            out.append({"id": _id(index, "wrow", p.label, p.text, p.claim), "kind": "row", "text": row, "sources": [p.claim]})
    return out


def labels_of(split: str) -> dict[str, tuple[bool, str]]:
    path = ROOT / "bench" / "data" / f"audit_{'dev' if split == 'dev' else 'heldout'}_labels.tsv"
    out: dict[str, tuple[bool, str]] = {}
    if split == "all" or not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, verdict, *reason = line.split("\t")
        out[key] = (verdict.strip() == "true", reason[0] if reason else "")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "held-out", "all"), default="dev")
    ap.add_argument("--limit", type=int, default=None, help="only the first N clusters of the split")
    ap.add_argument("--wide", action="store_true", help="diagnostic: every sentence counts as chosen and verified")
    ap.add_argument("--out", default=None, help="the listing's file (default test-output/audit_<split>.txt)")
    args = ap.parse_args()
    settings = Settings()
    data = clusters(args.split, args.limit)
    labels = labels_of(args.split)
    started = time.perf_counter()
    found: list[dict[str, object]] = []
    for index, docs in data:
        found += (wide_story if args.wide else audit_story)(index, docs, settings)
    seconds = time.perf_counter() - started
    OUT.mkdir(exist_ok=True)
    path = Path(args.out) if args.out else OUT / f"audit_{args.split}{'_wide' if args.wide else ''}.txt"
    lines = []
    for r in found:
        verdict = labels.get(str(r["id"]))
        mark = "unlabelled" if verdict is None else ("TRUE" if verdict[0] else f"FALSE ({verdict[1]})")
        lines.append(f"== {r['id']}  {r['kind']}  [{mark}]")
        lines.append(f"   {r['text']}")
        for k, source in enumerate(r["sources"], start=1):  # type: ignore[attr-defined]
            lines.append(f"   source {k}: {source}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"Multi-News full text, {args.split} half: {len(data)} clusters in {seconds:.0f} s; listing in {path}")
    for kind, name in (("row", "chart rows"), ("note", "disagreement notes")):
        rows = [r for r in found if r["kind"] == kind]
        judged = [labels[str(r["id"])] for r in rows if str(r["id"]) in labels]
        false = sum(1 for ok, _ in judged if not ok)
        stories = len({str(r["id"]).split("-")[0] for r in rows})
        print(f"  {name}: {len(rows)} published ({stories} stories); labelled {len(judged)}, false {false}")
    unlabelled = [str(r["id"]) for r in found if str(r["id"]) not in labels]
    if labels and unlabelled:
        print(f"  unlabelled: {', '.join(unlabelled)}")


if __name__ == "__main__":
    main()
