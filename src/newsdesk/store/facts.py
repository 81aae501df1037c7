"""Facts: enrichment figures with provenance, and the typed facts read from outlets' sentences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from newsdesk.facts import MeasuredFact
from newsdesk.records import Fact
from newsdesk.store.base import StoreBase
from newsdesk.store.schema import facts, item_facts, item_facts_read

_FACT_FIELDS = tuple(MeasuredFact.__dataclass_fields__)


class FactsQueries(StoreBase):
    def latest_fact_values(self, story_id: int, kind: str, subject: str, *, conn: Connection | None = None) -> dict[str, str]:
        """metric → value of the newest facts stored for a subject in a story ({} when none)."""
        with self.begin(conn) as conn:
            newest = (
                select(func.max(facts.c.item_id))
                .where(facts.c.story_id == story_id, facts.c.kind == kind, facts.c.subject == subject)
                .scalar_subquery()
            )
            q = select(facts.c.metric, facts.c.value).where(facts.c.item_id == newest)
            return {m: v for m, v in conn.execute(q)}

    def save_facts(self, story_id: int, item_id: int, found: list[Fact], *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(
                insert(facts),
                [
                    {
                        "story_id": story_id,
                        "item_id": item_id,
                        "kind": f.kind,
                        "subject": f.subject,
                        "metric": f.metric,
                        "value": f.value,
                        "number": f.number,
                        "as_of": f.as_of,
                        "source_url": f.source_url,
                    }
                    for f in found
                ],
            )

    def facts_of_story(self, story_id: int, *, conn: Connection | None = None) -> list[Fact]:
        """The newest facts of each subject in a story."""
        with self.begin(conn) as conn:
            newest = select(func.max(facts.c.item_id)).where(facts.c.story_id == story_id).group_by(facts.c.kind, facts.c.subject)
            q = select(facts).where(facts.c.story_id == story_id, facts.c.item_id.in_(newest)).order_by(facts.c.id)
            return [
                Fact(r["kind"], r["subject"], r["metric"], r["value"], r["number"], r["as_of"], r["source_url"])
                for r in conn.execute(q).mappings()
            ]

    def save_item_facts(
        self, story_id: int, item_id: int, found: list[MeasuredFact], read_at: datetime, *, conn: Connection | None = None
    ) -> None:
        """The typed facts of one item, replacing those read before (re-reading is harmless), and
        a note that the item was read in this story (figures or none)."""
        with self.begin(conn) as conn:
            conn.execute(delete(item_facts).where(item_facts.c.item_id == item_id))
            conn.execute(delete(item_facts_read).where(item_facts_read.c.item_id == item_id))
            conn.execute(insert(item_facts_read).values(item_id=item_id, story_id=story_id, facts=len(found), read_at=read_at))
            if found:
                conn.execute(
                    insert(item_facts),
                    [
                        {**f.to_dict(), "approx": int(f.approx), "story_id": story_id, "item_id": item_id, "read_at": read_at}
                        for f in found
                    ],
                )

    def items_read_for_facts(self, story_id: int, *, conn: Connection | None = None) -> set[int]:
        """The items already read into typed facts in this story, whether they had figures or not
        (an item since moved to another story is read again there)."""
        with self.begin(conn) as conn:
            q = select(item_facts_read.c.item_id).where(item_facts_read.c.story_id == story_id)
            return {r for (r,) in conn.execute(q)}

    def item_facts_of_story(self, story_id: int, *, conn: Connection | None = None) -> list[tuple[int, MeasuredFact]]:
        """(item id, fact) for every typed fact of a story, in item and text order."""
        with self.begin(conn) as conn:
            q = select(item_facts).where(item_facts.c.story_id == story_id).order_by(item_facts.c.item_id, item_facts.c.start)
            out = []
            for r in conn.execute(q).mappings():
                values: dict[str, Any] = {k: r[k] for k in _FACT_FIELDS}
                values["approx"] = bool(values["approx"])
                out.append((r["item_id"], MeasuredFact.from_dict(values)))
            return out
