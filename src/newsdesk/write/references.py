"""What every writer needs beside choosing sentences: the reference list, a headline from the
sources' titles, and the enrichment facts to cite."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from newsdesk.records import Item, Reference
from newsdesk.text.headlines import strip_forum_prefix
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
    return ranked_titles(items, about)[0] if items else ""


def ranked_titles(items: Sequence[Item], about: str = "") -> list[str]:
    """The items' titles, forum labels off, best first: straight titles by how central they are
    (``central_title``), then side angles and questions."""
    # A forum's labels ("Ask HN:", "[D]") are not part of the news.
    titles = [strip_forum_prefix(i.title) for i in items]
    if len(items) <= 1:
        return titles
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        X = TfidfVectorizer(stop_words="english").fit_transform(titles + ([about] if about else []))
    except ValueError:
        return titles
    S = (X @ X.T).toarray()
    n = len(titles)
    sims = S[:n, :n].sum(axis=1) + (2.0 * S[:n, n] if about else 0.0)
    order = sorted(range(n), key=lambda k: (is_side_angle(titles[k]), -sims[k], k))
    return list(dict.fromkeys(titles[k] for k in order))


def latest_fact_items(items: Iterable[Item]) -> list[Item]:
    """The newest enrichment item per subject (each run that sees new figures adds one)."""
    newest: dict[str, Item] = {}
    for item in items:
        if item.origin == "fact":
            subject = item.meta.get("subject", item.guid)
            if subject not in newest or item.fetched_at >= newest[subject].fetched_at:
                newest[subject] = item
    return sorted(newest.values(), key=lambda i: i.meta.get("subject", i.guid))
