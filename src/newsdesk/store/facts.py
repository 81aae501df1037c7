"""Facts: enrichment figures with provenance."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from newsdesk.records import Fact
from newsdesk.store.base import StoreBase
from newsdesk.store.schema import facts


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
