"""Which typed facts an article rests on: those read from the sentences it cites."""

from __future__ import annotations

from collections.abc import Iterable

from newsdesk.facts import MeasuredFact
from newsdesk.records import Article


def cited_sentences(article: Article) -> set[tuple[int, int, int]]:
    """(item id, start, end) of every span the article cites."""
    return {(c.item_id, c.start, c.end) for s in article.sentences() for c in s.citations}


def _overlaps(fact: MeasuredFact, item_id: int, spans: dict[int, list[tuple[int, int]]]) -> bool:
    # A cited span may be a sentence with its date prefix cut, so a figure inside it counts.
    return any(a <= fact.start and fact.end <= b for a, b in spans.get(item_id, []))


def cited_facts(article: Article, stored: Iterable[tuple[int, MeasuredFact]]) -> list[tuple[int, MeasuredFact]]:
    """(item id, fact) for the facts whose figure stands in a span the article cites, each
    figure once (corroborating outlets' copies of one figure are all kept: each is a source)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for item_id, start, end in cited_sentences(article):
        spans.setdefault(item_id, []).append((start, end))
    seen: set[tuple[int, int, int]] = set()
    out = []
    for item_id, f in stored:
        key = (item_id, f.start, f.end)
        if key in seen or not _overlaps(f, item_id, spans):
            continue
        seen.add(key)
        out.append((item_id, f))
    return out


def panel_rows(article: Article, stored: Iterable[tuple[int, MeasuredFact]]) -> list[dict[str, object]]:
    """The cited facts as the "Sources & checks" panel lists them: reference number, outlet,
    whose figure, what it measures, the figure as written, its time and how it is stated."""
    refs = {r.item_id: r for r in article.references}
    rows: list[dict[str, object]] = []
    for item_id, f in cited_facts(article, stored):
        ref = refs.get(item_id)
        if ref is None:
            continue
        rows.append(
            {
                "ref": ref.number,
                "outlet": ref.outlet,
                "subject": f.subject or "",
                "measure": f.measure or "",
                "figure": f.text,
                "time": f.time_text or "",
                "direction": f.polarity,
                "modality": "" if f.modality == "asserted" else f.modality,
            }
        )
    return sorted(rows, key=lambda r: int(str(r["ref"])))  # stable: text order within a source


__all__ = ["cited_facts", "cited_sentences", "panel_rows"]
