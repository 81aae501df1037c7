"""What every writer needs beside choosing sentences: the reference list, a headline from the
sources' titles, and the enrichment facts to cite."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from newsdesk.records import Item, Reference
from newsdesk.text.quality import is_side_angle


def references_for(numbering: dict[int, int], items: dict[int, Item]) -> list[Reference]:
    """The reference list, in the order of the numbers given (item id → reference number)."""
    return [
        Reference(
            number=n,
            item_id=key,
            outlet=items[key].outlet,
            title=items[key].title,
            url=items[key].canonical_url,
            published=items[key].published_at,
        )
        for key, n in sorted(numbering.items(), key=lambda kv: kv[1])
    ]


def central_title(items: Sequence[Item], about: str = "") -> str:
    """The title closest to all the others and to ``about`` (the article's lead: what happened):
    the one that best names the shared event. Titles that take a side angle (questions,
    explainers, "what it means for …", one group's reaction) only when all do."""
    if len(items) == 1:
        return items[0].title
    from sklearn.feature_extraction.text import TfidfVectorizer

    titles = [i.title for i in items]
    try:
        X = TfidfVectorizer(stop_words="english").fit_transform(titles + ([about] if about else []))
    except ValueError:
        return titles[0]
    S = (X @ X.T).toarray()
    n = len(titles)
    sims = S[:n, :n].sum(axis=1) + (2.0 * S[:n, n] if about else 0.0)
    straight = [k for k, t in enumerate(titles) if not is_side_angle(t)]
    pick = max(straight, key=lambda k: sims[k]) if straight else int(np.argmax(sims))
    return titles[pick]


def latest_fact_items(items: Iterable[Item]) -> list[Item]:
    """The newest enrichment item per subject (each run that sees new figures adds one)."""
    newest: dict[str, Item] = {}
    for item in items:
        if item.origin == "fact":
            subject = item.meta.get("subject", item.guid)
            if subject not in newest or item.fetched_at >= newest[subject].fetched_at:
                newest[subject] = item
    return sorted(newest.values(), key=lambda i: i.meta.get("subject", i.guid))
