"""What every writer needs for the parts of an article that are not sentences."""

from __future__ import annotations

import numpy as np

from newsdesk.records import Item, Reference


def references_for(numbering: dict[int, int], items: dict[int, Item]) -> list[Reference]:
    """The reference list, in the order of the numbers given (item id → reference number)."""
    return [
        Reference(number=n, item_id=key, outlet=items[key].outlet, title=items[key].title, url=items[key].canonical_url,
                  published=items[key].published_at)
        for key, n in sorted(numbering.items(), key=lambda kv: kv[1])
    ]


def central_title(items) -> str:
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
