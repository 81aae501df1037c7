"""The export views: what `newsdesk articles|stories|review|sources|facts --format json` print.

These shapes are a public interface (programs read them): they are kept stable and checked
against the JSON Schemas in ``docs/schemas/``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from newsdesk.records import Article, Source, Story
from newsdesk.store import Store


def source_json(s: Source) -> dict[str, Any]:
    return {
        "id": s.id,
        "url": s.url,
        "kind": s.kind,
        "name": s.name,
        "weight": s.weight,
        "last_fetched_at": s.last_fetched_at.isoformat() if s.last_fetched_at else None,
        "last_status": s.last_status,
        "last_error": s.last_error,
        "last_new_items": s.last_new_items,
    }


def story_json(s: Story) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "status": s.status,
        "tier": s.tier,
        "score": s.score,
        "breakdown": asdict(s.breakdown) if s.breakdown else None,
        "explanation": s.breakdown.explain() if s.breakdown else None,
        "first_seen": s.first_seen.isoformat(),
        "last_seen": s.last_seen.isoformat(),
        "items": [
            {
                "id": i.id,
                "url": i.url,
                "canonical_url": i.canonical_url,
                "outlet": i.outlet,
                "title": i.title,
                "published": i.published_at.isoformat() if i.published_at else None,
                "text": i.text,
                "duplicate_of": i.duplicate_of,
                "origin": i.origin,
                "parent_id": i.parent_id,
                "engagement": i.engagement,
                "meta": i.meta,
            }
            for i in s.items
        ],
    }


def articles_export(store: Store, rows: list[Article]) -> list[dict[str, Any]]:
    """Each article with its citations' source text, its media and its verification."""
    items = store.items_by_id(c.item_id for a in rows for s in a.sentences() for c in s.citations)
    out = []
    for a in rows:
        d = a.to_dict()
        for s in [d["dek"]] + [s for sec in d["sections"] for p in sec["paragraphs"] for s in p]:
            for c in s["citations"]:
                item = items.get(c["item_id"])
                c["source_text"] = item.text[c["start"] : c["end"]] if item else None
        checked = store.verification_of(a.story_id, a.version)
        made = store.media_of(a.story_id, a.version)
        d["media"] = made.to_dict() if made else None
        d["verification"] = (
            None
            if checked is None
            else {
                "status": checked.status,
                **checked.summary,
                "claims": [
                    {
                        k: v
                        for k, v in c.to_dict().items()
                        if k in ("index", "text", "verdict", "reasons", "support", "derived", "evidence")
                    }
                    for c in checked.claims
                ],
            }
        )
        out.append(d)
    return out


def review_export(store: Store) -> list[dict[str, Any]]:
    """The claims of the latest article versions that did not pass, with reasons and evidence."""
    rows = []
    for a in sorted(store.latest_articles(), key=lambda a: a.story_id):
        checked = store.verification_of(a.story_id, a.version)
        for c in checked.claims if checked else []:
            if c.verdict != "PASS":
                rows.append({"story_id": a.story_id, "version": a.version, "headline": a.headline, **c.to_dict()})
    return rows


def facts_export(store: Store, stories: list[Story]) -> list[dict[str, Any]]:
    """Each story's typed facts (``newsdesk.facts``, read by the enrich stage) with their
    provenance: the item, its outlet and address, the sentence and the figure's exact span."""
    from newsdesk.facts.cited import cited_facts

    latest = {a.story_id: a for a in store.latest_articles()}
    out = []
    for story in stories:
        items = {i.id: i for i in story.items}
        article = latest.get(story.id)
        stored = store.item_facts_of_story(story.id)
        cited = {(i, f.start, f.end) for i, f in cited_facts(article, stored)} if article else set()
        rows = []
        for item_id, f in stored:
            item = items.get(item_id)
            rows.append(
                {
                    "item_id": item_id,
                    "outlet": item.outlet if item else None,
                    "url": item.url if item else None,
                    "sentence": item.text[f.sentence_start : f.sentence_end] if item else None,
                    "cited": (item_id, f.start, f.end) in cited,  # in a sentence the latest article cites
                    **f.to_dict(),
                }
            )
        out.append({"story_id": story.id, "title": story.title, "facts": rows})
    return out
