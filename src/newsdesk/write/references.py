"""What every writer needs beside choosing sentences: the reference list, a headline from the
sources' titles, and the enrichment facts to cite."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from newsdesk.records import Item, Reference


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


def central_title(items: Sequence[Item]) -> str:
    """The title closest to all the others: the one that best names the shared event."""
    if len(items) == 1:
        return items[0].title
    from sklearn.feature_extraction.text import TfidfVectorizer

    titles = [i.title for i in items]
    try:
        X = TfidfVectorizer(stop_words="english").fit_transform(titles)
    except ValueError:
        return titles[0]
    sims = (X @ X.T).toarray().sum(axis=1)
    return titles[int(np.argmax(sims))]


def latest_fact_items(items: Iterable[Item]) -> list[Item]:
    """The newest enrichment item per subject (each run that sees new figures adds one)."""
    newest: dict[str, Item] = {}
    for item in items:
        if item.origin == "fact":
            subject = item.meta.get("subject", item.guid)
            if subject not in newest or item.fetched_at >= newest[subject].fetched_at:
                newest[subject] = item
    return sorted(newest.values(), key=lambda i: i.meta.get("subject", i.guid))
