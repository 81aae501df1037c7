"""Story clustering, free of the database so the benchmark measures exactly what runs.

Method: TF-IDF vectors of stemmed words (names counted twice); a k-nearest-neighbour
similarity graph in which items further apart in time than the quiet window share no edge;
Louvain communities on that graph (topics); inside each, average-link agglomeration with
relative stopping rules (``_agglomerate``: a link is judged against the rival links and the
groups' own closeness, so two events of one kind stay apart); groups of one event that
Louvain put in different communities merged by the same rules; for headline-length items,
centroid passes (move to the closest story, detach items only a weak edge held in); a full
text left alone joins the story it is clearly closest to (``_adopt_lone_items``).
Items already in a story never move: a community that contains them hands its new items
to the story most of its stored items belong to.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from newsdesk.text import lexicon

NEW = -1


@dataclass(frozen=True)
class ClusterParams:
    neighbours: int = 15
    edge_min: float = 0.10  # weakest similarity kept as a graph edge (headlines)
    edge_long: float = 0.05  # the same between two items of full text (see ``_text_share``)
    resolution: float = 1.5  # Louvain resolution: higher gives smaller stories
    max_gap_hours: float = 72.0  # items further apart than this never share a story
    search_terms: int = 24  # heaviest terms per item used to find neighbour candidates
    centroid_terms: int = 64  # heaviest terms kept in an open story's centroid
    link_min: float = 0.15  # mean pairwise similarity at which two groups of items are one event
    link_floor: float = 1 / 3  # share of link_min below which no two groups join (see ``_agglomerate``)
    contrast: float = 1.35  # a weaker link still joins when this many times any rival link
    cohesion: float = 0.5  # groups stay apart linked below this share of their own mean similarity
    cohesion_single: float = 0.25  # the same for one item joining a group of new items (see ``_knit``)
    contrast_max: int = 400  # largest group of items agglomerated with the relative rules
    reopen_names: int = 2  # names a new group shares with a closed story it continues (``continued_story``)
    link_short: float = 0.03  # the same for headline-length items (see ``_link_min``)
    short_terms: int = 10  # distinct terms of a headline-length item
    long_terms: int = 40  # distinct terms from which an item is held to link_min
    dense_max: int = 3000  # largest community whose items are all compared pairwise
    merge_passes: int = 4
    merge_contrast: float = 1.2  # full texts in two communities: a weaker link joins at this many times any rival's
    split_modularity: float = 0.6  # headlines: re-split a community whose own split scores at least this
    merge_min: float = 0.40  # centroid similarity at which a story of new items joins another
    detach_min: float = 0.10  # an item less similar than this to the rest of its story stands alone
    detach_long: float = 0.10  # the same for an item of full text
    adopt_min: float = 0.10  # mean similarity at which a report left alone joins its clearly closest story
    detach_pair: float = 0.15  # ... and for either of two items alone in a story (the demo's lone reports)
    move_min: float = 0.15  # centroid similarity at which a headline-length item moves to another story (``_refine``)
    refine_passes: int = 2  # centroid moves for headline-length items (full texts are agglomerated)
    seed: int = 0


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _analyzer(text: str) -> list[str]:
    """Lowercased words without stop words, cut to 6 letters: a crude, fast stemmer that
    lets "layoff"/"layoffs" and "taper"/"tapering" meet."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = [w[:6] for w in _TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]
    # Names are what tells two events of one kind apart (two quakes, two takeovers share
    # every other word): a capitalised word inside a sentence counts twice.
    if not text.islower():
        words += [w for w in (m.group(0).lower()[:6] for m in _name_words(text)) if w not in ENGLISH_STOP_WORDS]
    return words


_NAME_WORD = re.compile(r"(?<![.!?\n\"]\s)(?<!^)\b[A-Z][a-z]+\b")
_WORD = re.compile(r"\b[^\W\d_]+\b")


def _name_words(text: str) -> list[re.Match[str]]:
    """Capitalised words inside sentences, except in title-case lines (a headline in title
    case capitalises every word: its capitals name no one)."""
    found = []
    for line in text.split("\n"):
        words = _WORD.findall(line)
        if len(words) >= 3 and sum(w[0].isupper() for w in words) >= _TITLE_CASE * len(words):
            continue
        found += list(_NAME_WORD.finditer(line))
    return found


_TITLE_CASE = 0.6  # share of capitalised words from which a line is in title case


def vectorize(texts: list[str] | list[list[str]]) -> sp.csr_matrix:
    """L2-normalised, sublinear TF-IDF over stemmed words (texts, or texts already tokenised)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = _analyzer if not texts or isinstance(texts[0], str) else _pretokenised
    # A word in most of a large window (a site's boilerplate, a wire's stock phrases) says
    # nothing about which event an item reports.
    max_df = 0.5 if len(texts) >= 50 else 1.0
    try:
        return TfidfVectorizer(sublinear_tf=True, analyzer=analyzer, dtype=np.float32, max_df=max_df).fit_transform(texts).tocsr()
    except ValueError:  # no word at all in any text
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def _pretokenised(tokens: list[str]) -> list[str]:
    return tokens


def _prune_rows(X: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Each row's ``keep`` heaviest terms. Candidate search on these skips the pairs that
    share only common words, which is most pairs and most of the cost."""
    X = X.tocsr()
    counts = np.diff(X.indptr)
    if counts.max(initial=0) <= keep:
        return X
    rows = np.repeat(np.arange(X.shape[0]), counts)
    order = np.lexsort((-X.data, rows))
    rank = np.arange(len(order)) - X.indptr[rows[order]]
    chosen = np.sort(order[rank < keep])
    pruned = sp.csr_matrix(
        (X.data[chosen], X.indices[chosen], np.concatenate([[0], np.cumsum(np.minimum(counts, keep))])), shape=X.shape
    )
    return pruned


def _apart(h1: np.ndarray, d1: np.ndarray, h2: np.ndarray, d2: np.ndarray, gap: float) -> np.ndarray:
    """Which pairs are too far apart in time to be one event (broadcasting arrays).

    Only an item's own date (from its feed or its text) bounds it: an undated item sits at its
    fetch time, which says only that it was published before then. So two dated items are
    apart beyond ``gap``; an undated one is apart from a dated one only when that one is
    dated more than ``gap`` after the fetch; two undated items are never apart.
    """
    both = d1 & d2
    apart: np.ndarray = (both & (np.abs(h1 - h2) > gap)) | (~d1 & d2 & (h2 - h1 > gap)) | (d1 & ~d2 & (h1 - h2 > gap))
    return apart


def knn_edges(
    X: sp.csr_matrix, hours: np.ndarray, params: ClusterParams, dated: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, cosine) for each row's nearest neighbours among rows not apart in time (``_apart``).

    Dated rows are visited in time order and each block is compared only with the slice of
    dated rows that lies within ``max_gap_hours`` of it, so the work grows with the window,
    not n². Undated rows (``dated`` False; none by default) are compared with every row.
    Candidates come from rows pruned to their heaviest terms; the kept pairs are scored on
    the full vectors.
    """
    n = X.shape[0]
    k = min(params.neighbours, n - 1)
    empty = (np.array([], int), np.array([], int), np.array([], np.float32))
    if k <= 0:
        return empty
    dated = np.ones(n, bool) if dated is None else np.asarray(dated, bool)
    gap = params.max_gap_hours
    order = np.concatenate([np.flatnonzero(dated)[np.argsort(hours[dated], kind="stable")], np.flatnonzero(~dated)])
    n_dated = int(dated.sum())
    sorted_hours = hours[order]
    sorted_dated = dated[order]
    Xs = _prune_rows(X[order], params.search_terms)
    XsT = Xs.T.tocsr()
    cand_i, cand_j = [], []
    for start in [*range(0, n_dated, 512), *range(n_dated, n, 512)]:
        if start < n_dated:
            stop = min(n_dated, start + 512)
            lo = int(np.searchsorted(sorted_hours[:n_dated], sorted_hours[start] - gap, "left"))
            hi = int(np.searchsorted(sorted_hours[:n_dated], sorted_hours[stop - 1] + gap, "right"))
        else:
            stop, lo, hi = min(n, start + 512), 0, n
        kk = min(k, hi - lo - 1)
        if kk <= 0:
            continue
        # The block's similarities stay sparse (about a fifth of the pairs share a heavy term):
        # pairs apart in time and each row's own column are zeroed, then each row keeps its
        # ``kk`` largest, which costs a fraction of ranking every column of a dense block.
        sims = (Xs[start:stop] @ XsT[:, lo:hi]).tocsr()
        i = start + np.repeat(np.arange(stop - start), np.diff(sims.indptr))
        j = lo + sims.indices
        if start < n_dated:  # dated against dated
            far = np.abs(sorted_hours[i] - sorted_hours[j]) > gap
        else:
            far = _apart(sorted_hours[i], np.zeros(len(i), bool), sorted_hours[j], sorted_dated[j], gap)
        data = np.where(far | (i == j), 0.0, sims.data)
        for r, (a, b) in enumerate(zip(sims.indptr[:-1], sims.indptr[1:])):
            row = data[a:b]
            top = np.argpartition(row, len(row) - kk)[len(row) - kk :] if len(row) > kk else np.arange(len(row))
            top = top[row[top] > 0]
            if len(top):
                cand_i.append(np.full(len(top), order[start + r]))
                cand_j.append(order[j[a:b][top]])
    if not cand_i:
        return empty
    ci, cj = np.concatenate(cand_i), np.concatenate(cand_j)
    weights = _rows_dot(X, ci, X, cj).astype(np.float32)
    share = _text_share(X, params)
    need = params.edge_min + np.minimum(share[ci], share[cj]) * (params.edge_long - params.edge_min)
    keep = weights >= need
    return ci[keep], cj[keep], weights[keep]


def _graph(n: int, ei: np.ndarray, ej: np.ndarray, ew: np.ndarray) -> Any:
    """Undirected weighted igraph; a pair found from both ends keeps one edge."""
    import igraph

    a, b = np.minimum(ei, ej), np.maximum(ei, ej)
    key = a.astype(np.int64) * n + b
    key, first = np.unique(key, return_index=True)
    graph = igraph.Graph(n=n, edges=np.column_stack([key // n, key % n]).tolist())
    graph.es["weight"] = ew[first].astype(float).tolist()
    return graph


def _louvain(graph: Any, resolution: float, seed: int) -> list[list[int]]:
    import random

    import igraph

    # igraph draws its vertex order from Python's random module: seed it for repeatable stories.
    igraph.set_random_number_generator(random.Random(seed))
    try:
        return [list(c) for c in graph.community_multilevel(weights="weight", resolution=resolution)]
    finally:
        igraph.set_random_number_generator(random)


def cluster(
    X: sp.csr_matrix,
    hours: np.ndarray,
    fixed: np.ndarray,
    params: ClusterParams,
    dated: np.ndarray | None = None,
    names: sp.csr_matrix | None = None,
) -> np.ndarray:
    """Labels for every row. ``fixed[i]`` is a stored item's story label (kept) or NEW.
    ``names`` (optional, one row per item, ``_name_rows``) lets two lone items that name no
    one in common stay apart.

    New stories get labels above every fixed label. ``hours`` is each item's time in hours;
    ``dated[i]`` says whether that time is the item's own date (see ``_apart``; all are by default).
    """
    n = X.shape[0]
    labels = fixed.astype(np.int64).copy()
    new_rows = np.flatnonzero(fixed == NEW)
    if len(new_rows) == 0:
        return labels
    dated = np.ones(n, bool) if dated is None else np.asarray(dated, bool)
    next_label = int(fixed.max()) + 1 if (fixed != NEW).any() else 0
    ei, ej, ew = knn_edges(X, hours, params, dated)
    graph = _graph(n, ei, ej, ew)
    group = np.empty(n, np.int64)
    count = 0
    for community in _louvain(graph, params.resolution, params.seed):
        for members in _events_in(X, hours, dated, fixed, graph, np.sort(np.asarray(community, np.int64)), params, names):
            group[members] = count
            count += 1
    group = _merge_events(X, hours, dated, fixed, group, ei, ej, params)
    for g in np.unique(group[new_rows]):
        members = np.flatnonzero(group == g)
        stored = fixed[members]
        fresh = members[stored == NEW]
        if (stored != NEW).any():  # at most one stored story per event (``_events_in``, ``_merge_events``)
            labels[fresh] = stored[stored != NEW][0]
        else:
            labels[fresh] = next_label
            next_label += 1
    share = _text_share(X, params)
    # Centroid moves undo the agglomeration's decisions on full texts (a report that shares
    # little wording with its event's others lands in a wordier neighbour's story).
    short_rows = new_rows[share[new_rows] < 1.0]
    if params.refine_passes and len(short_rows):
        labels = _refine(X, labels, short_rows, ei, ej, params)
    labels = _detach_outliers(X, labels, new_rows, params, share, fixed)
    return _adopt_lone_items(X, labels, new_rows[share[new_rows] >= 1.0], ei, ej, hours, dated, params)


def _events_in(
    X: sp.csr_matrix,
    hours: np.ndarray,
    dated: np.ndarray,
    fixed: np.ndarray,
    graph: Any,
    members: np.ndarray,
    params: ClusterParams,
    names: sp.csr_matrix | None = None,
) -> list[np.ndarray]:
    """The events in one graph community: average-link agglomeration of its items, cut where
    two groups' mean pairwise similarity falls below ``link_min``.

    A community is a topic: two earthquakes, two acquisitions share most of their words and
    sit in one community however it scores, so no modularity bar can tell them apart. What
    separates them is that the items of one event share its particulars (names, places,
    figures) with each other and not with the other event's items, which lowers the mean
    similarity across the two groups well below the mean within each. Pairs apart in time
    count as unrelated; two stored stories are never joined (a new item goes to the one it is
    closest to).
    """
    if len(members) < 2:
        return [members]
    if len(members) > params.dense_max:
        # Too large to compare every pair: cut it up along its own community structure first.
        sub = graph.induced_subgraph(members.tolist())
        parts = _louvain(sub, params.resolution * 2, params.seed) if sub.ecount() else [list(range(len(members)))]
        if len(parts) > 1:
            return [e for part in parts for e in _events_in(X, hours, dated, fixed, graph, members[np.sort(part)], params, names)]
    Xc = X[members]
    if _link_min(Xc, params) <= params.link_short:
        # Headlines: too little text to compare particulars; their graph structure decides.
        return [
            members[np.sort(c)]
            for c in _split_strong(graph.induced_subgraph(members.tolist()), [list(range(len(members)))], params)
        ]
    sims = (Xc @ Xc.T).toarray().astype(np.float64)
    h, d = hours[members], dated[members]
    sims[_apart(h[:, None], d[:, None], h[None, :], d[None, :], params.max_gap_hours)] = 0.0
    stored = fixed[members] != NEW
    link = _link_min(Xc, params)
    if len(members) > params.contrast_max:
        cut = _average_cut(sims, link)
    else:
        named = None
        if names is not None:
            N = names[members]
            named = (N @ N.T).toarray() > 0
        cut = _agglomerate(
            sims, link, link * params.link_floor, params.contrast, params.cohesion, stored, params.cohesion_single, named
        )
    events = []
    for c in np.unique(cut):
        inside = cut == c
        anchors = np.flatnonzero(inside & stored)
        if len(anchors) <= 1:
            events.append(members[inside])
            continue
        # Several stored stories in one group: each new item goes to the one it is most similar to.
        fresh = np.flatnonzero(inside & ~stored)
        nearest = anchors[sims[np.ix_(fresh, anchors)].argmax(axis=1)] if len(fresh) else np.array([], np.int64)
        for a in anchors:
            events.append(members[np.concatenate([[a], fresh[nearest == a]])])
    return events


def _average_cut(sims: np.ndarray, link: float) -> np.ndarray:
    """Average-link agglomeration cut where two groups' mean pairwise similarity falls below ``link``."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - sims, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    cut: np.ndarray = fcluster(linkage(squareform(dist, checks=False), "average"), 1.0 - link, "distance")
    return cut


def _agglomerate(
    sims: np.ndarray,
    link: float,
    floor: float,
    contrast: float,
    cohesion: float,
    anchored: np.ndarray,
    single: float = 0.0,
    named: np.ndarray | None = None,
) -> np.ndarray:
    """Average-link agglomeration with relative stopping rules; a group label per row.

    Two groups join, closest pair first, when their mean pairwise similarity (the link) is
    at least ``link``, or at least ``floor`` and ``contrast`` times the best link either
    group has to any other group: one outlet's report shares few words with another's, yet
    it shares more with its own event than with anything else in the topic. Whatever the
    link, two groups of several items each stay apart when the link is below ``cohesion``
    times the looser group's own mean similarity: two earthquakes' reports are each close
    knit and share only the words of the kind of event. Two groups that both hold a stored
    story never join.
    """
    n = len(sims)
    cross = sims.copy()
    np.fill_diagonal(cross, 0.0)
    size = np.ones(n)
    inner = np.zeros(n)  # sum of pairwise similarities inside each group
    alive = np.ones(n, bool)
    anchored = anchored.copy()
    label = np.arange(n)
    upper = np.triu(np.ones((n, n), bool), 1)
    while alive.sum() > 1:
        links = cross / np.outer(size, size)
        blocked = ~(alive[:, None] & alive[None, :]) | (anchored[:, None] & anchored[None, :])
        links[blocked] = -1.0
        np.fill_diagonal(links, -1.0)
        a, b = np.nonzero(upper & (links >= floor))
        if len(a) == 0:
            break
        top2 = -np.partition(-links, 1, axis=1)[:, :2]
        best, second = top2.max(axis=1), top2.min(axis=1)
        pair = links[a, b]
        other_a = np.where(pair >= best[a], second[a], best[a])
        other_b = np.where(pair >= best[b], second[b], best[b])
        other = np.maximum(np.maximum(other_a, other_b), 1e-9)
        knit = _knit(pair, a, b, size, inner / np.maximum(size * (size - 1) / 2, 1.0), anchored, cohesion, single)
        ok = ((pair >= link) | (pair >= contrast * other)) & knit
        if named is not None:
            # Two lone reports that name no one in common (a ferry and an aquarium, two prize
            # winners) are two events of one kind, whatever words of that kind they share.
            ok &= (size[a] > 1) | (size[b] > 1) | anchored[a] | anchored[b] | named[a, b]
        if not ok.any():
            break
        k = np.flatnonzero(ok)[np.argmax(pair[ok])]
        x, y = a[k], b[k]
        inner[x] += inner[y] + cross[x, y]
        size[x] += size[y]
        anchored[x] |= anchored[y]
        cross[x] += cross[y]
        cross[:, x] += cross[:, y]
        cross[x, x] = 0.0
        cross[y], cross[:, y] = 0.0, 0.0
        alive[y] = False
        label[label == y] = x
    return label


def _knit(
    link: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    size: np.ndarray,
    mean: np.ndarray,
    stored: np.ndarray,
    cohesion: float,
    single: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Which pairs of groups pass the cohesion rule (``_agglomerate``): always, unless both are
    groups, and then when their link is at least ``cohesion`` times the looser one's mean
    similarity. A stored story is one centroid row whose own spread is not known: it counts
    as a group, and the other group's spread is the measure."""
    group = (size > 1) | stored
    spread = np.where(stored, np.inf, np.where(size > 1, mean, np.inf))
    looser = np.minimum(spread[a], spread[b])
    ok: np.ndarray = ~(group[a] & group[b]) | np.isinf(looser) | (link >= cohesion * looser)
    if np.any(single):
        # One item joining a group of new items: as close to it as a share of the group's own
        # closeness (a recall of one carmaker's SUVs and its layoffs share the carmaker's name).
        lone = group[a] ^ group[b]
        ok &= ~lone | np.isinf(looser) | (link >= single * looser)
    return ok


def _text_share(X: sp.csr_matrix, params: ClusterParams) -> np.ndarray:
    """Per row, from 0 (a headline: ``short_terms`` distinct terms or fewer) to 1 (a full text:
    ``long_terms`` or more): how far its similarities measure shared particulars rather than
    a shared word or two. Thresholds move between their headline and full-text values by it."""
    terms = np.diff(X.indptr).astype(np.float64)
    share: np.ndarray = np.clip((terms - params.short_terms) / (params.long_terms - params.short_terms), 0.0, 1.0)
    return share


def _link_min(X: sp.csr_matrix, params: ClusterParams) -> float:
    """The mean similarity at which items are one event, by how much text they carry: two
    headlines of one story share a word or two, so their cosine is noisy and their stories
    are broader; from ``long_terms`` distinct terms an item has its event's particulars."""
    terms = float(np.median(np.diff(X.indptr))) if X.shape[0] else 0.0
    share = min(1.0, max(0.0, (terms - params.short_terms) / (params.long_terms - params.short_terms)))
    return params.link_short + share * (params.link_min - params.link_short)


def _split_strong(graph: Any, communities: list[list[int]], params: ClusterParams) -> list[list[int]]:
    """Modularity cannot see communities smaller than about the square root of the graph's
    weight (its resolution limit), so on a large graph it lumps small stories together.
    Re-split each community whose own subgraph has strong community structure."""
    done: list[list[int]] = []
    stack = list(communities)
    while stack:
        community = stack.pop()
        if len(community) < 4:
            done.append(community)
            continue
        sub = graph.induced_subgraph(community)
        if sub.ecount() == 0:
            done.append(community)
            continue
        parts = _louvain(sub, 1.0, params.seed)
        membership = [0] * len(community)
        for index, part in enumerate(parts):
            for v in part:
                membership[v] = index
        if len(parts) > 1 and sub.modularity(membership, weights="weight") >= params.split_modularity:
            stack.extend([community[v] for v in part] for part in parts)
        else:
            done.append(community)
    return done


def _merge_events(
    X: sp.csr_matrix,
    hours: np.ndarray,
    dated: np.ndarray,
    fixed: np.ndarray,
    group: np.ndarray,
    ei: np.ndarray,
    ej: np.ndarray,
    params: ClusterParams,
) -> np.ndarray:
    """Join groups of one event that Louvain put in different communities: groups linked by a
    graph edge whose mean pairwise similarity (the dot product of their sums over the product
    of their sizes: exact average linkage) is at least ``link_min`` and that pass the cohesion
    rule of ``_agglomerate``, best pairs first."""
    group = group.copy()
    for _ in range(params.merge_passes):
        ids, inverse, sums = _centroids(X, group)
        sizes = np.bincount(inverse).astype(np.float64)
        has_fixed = np.zeros(len(ids), bool)
        has_fixed[inverse[fixed != NEW]] = True
        a, b = inverse[ei], inverse[ej]
        pairs = _unique_pairs(np.minimum(a, b), np.maximum(a, b))
        pairs = pairs[(pairs[:, 0] != pairs[:, 1]) & ~(has_fixed[pairs[:, 0]] & has_fixed[pairs[:, 1]])]
        if len(pairs) == 0:
            break
        link = _rows_dot(sums, pairs[:, 0], sums, pairs[:, 1]) / (sizes[pairs[:, 0]] * sizes[pairs[:, 1]])
        need_item = params.link_short + _text_share(X, params) * (params.link_min - params.link_short)
        need_group = np.zeros(len(ids))
        np.maximum.at(need_group, inverse, need_item)  # the longer texts' standard
        need = np.maximum(need_group[pairs[:, 0]], need_group[pairs[:, 1]])
        # Time spans of the dated members only; a group of undated items is never apart.
        first, last = _time_span(ids, inverse[dated], hours[dated])
        first[np.isinf(first)], last[np.isinf(last)] = -np.inf, np.inf
        gap = params.max_gap_hours
        apart = (first[pairs[:, 0]] > last[pairs[:, 1]] + gap) | (first[pairs[:, 1]] > last[pairs[:, 0]] + gap)
        norms = np.bincount(inverse, weights=np.asarray(X.multiply(X).sum(axis=1)).ravel(), minlength=len(ids))
        own = _rows_dot(sums, np.arange(len(ids)), sums, np.arange(len(ids)))
        mean = (own - norms) / np.maximum(sizes * (sizes - 1), 1.0)
        # The relative rules need full texts: two headlines of one story share a word or two.
        share_group = np.zeros(len(ids))
        np.maximum.at(share_group, inverse, _text_share(X, params))
        share = np.minimum(share_group[pairs[:, 0]], share_group[pairs[:, 1]])
        knit = _knit(link, pairs[:, 0], pairs[:, 1], sizes, mean, has_fixed, params.cohesion, params.cohesion_single)
        knit |= share <= 0.0
        # A weaker link between texts still joins when it is ``merge_contrast`` times either
        # group's every rival link: the relative rule of ``_agglomerate``, across communities.
        relative = _rival_contrast(link, pairs, len(ids), params.merge_contrast) & (link >= need * params.link_floor)
        ok = (link >= need) | (relative & (share > 0.0))
        ok &= ~apart & knit
        pairs, link = pairs[ok], link[ok]
        if len(pairs) == 0:
            break
        taken = np.zeros(len(ids), bool)
        target = np.arange(len(ids))
        for p in np.argsort(-link, kind="stable"):
            x, y = pairs[p]
            if not taken[x] and not taken[y]:
                taken[x] = taken[y] = True
                target[y] = x
        group = ids[target[inverse]]
    return group


def _rival_contrast(link: np.ndarray, pairs: np.ndarray, n: int, contrast: float) -> np.ndarray:
    """Which pairs of groups (``pairs``, ``n`` groups) have a link at least ``contrast`` times
    every other link either group has among the pairs."""
    ends = np.concatenate([pairs[:, 0], pairs[:, 1]])
    both = np.concatenate([link, link])
    best = np.full(n, -np.inf)
    np.maximum.at(best, ends, both)
    # Second best per group: the best among the links that are not the group's best one.
    order = np.lexsort((-both, ends))
    first = np.r_[True, ends[order][1:] != ends[order][:-1]]
    second = np.full(n, 0.0)
    rest = order[~first]
    rest_first = np.r_[True, ends[rest][1:] != ends[rest][:-1]] if len(rest) else np.array([], bool)
    second[ends[rest][rest_first]] = both[rest][rest_first]
    rival_a = np.where(link >= best[pairs[:, 0]], second[pairs[:, 0]], best[pairs[:, 0]])
    rival_b = np.where(link >= best[pairs[:, 1]], second[pairs[:, 1]], best[pairs[:, 1]])
    ok: np.ndarray = link >= contrast * np.maximum(np.maximum(rival_a, rival_b), 1e-9)
    return ok


def _centroids(X: sp.csr_matrix, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, Any]:
    ids, inverse = np.unique(labels, return_inverse=True)
    membership = sp.csr_matrix(
        (np.ones(len(labels), np.float32), (inverse, np.arange(len(labels)))), shape=(len(ids), len(labels))
    )
    return ids, inverse, (membership @ X).tocsr()


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distinct (a, b) pairs of two arrays of non-negative integers, in lexicographic order,
    one row each: ``np.unique(..., axis=0)``, through one integer key a pair (many times faster)."""
    if len(a) == 0:
        return np.zeros((0, 2), np.int64)
    width = int(b.max()) + 1
    key = np.unique(a.astype(np.int64) * width + b.astype(np.int64))
    return np.column_stack([key // width, key % width])


def _time_span(ids: np.ndarray, inverse: np.ndarray, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = np.full(len(ids), np.inf)
    last = np.full(len(ids), -np.inf)
    np.minimum.at(first, inverse, hours)
    np.maximum.at(last, inverse, hours)
    return first, last


def _refine(
    X: sp.csr_matrix, labels: np.ndarray, movable: np.ndarray, ei: np.ndarray, ej: np.ndarray, params: ClusterParams
) -> np.ndarray:
    """k-means steps for the new items: each moves to the story, among its own and its graph
    neighbours' stories, whose centroid it is most similar to."""
    from sklearn.preprocessing import normalize

    is_movable = np.zeros(len(labels), bool)
    is_movable[movable] = True
    # Candidate (item, neighbour) pairs, both directions, plus the item itself.
    src = np.concatenate([ei, ej, movable])
    dst = np.concatenate([ej, ei, movable])
    keep = is_movable[src]
    src, dst = src[keep], dst[keep]
    for _ in range(params.refine_passes):
        ids, inverse, sums = _centroids(X, labels)
        centroids = normalize(sums)
        pair_item, pair_story = _unique_pairs(src, inverse[dst]).T
        sims = _rows_dot(X, pair_item, centroids, pair_story)
        # An item's own story is judged without the item (leave-one-out): in a story of two,
        # the item's own weight would otherwise hold it in a story that is not its event's.
        sizes = np.bincount(inverse)
        mine = pair_story == inverse[pair_item]
        others = normalize(sums[inverse[pair_item[mine]]] - X[pair_item[mine]])
        sims[mine] = np.where(
            sizes[pair_story[mine]] > 1, np.asarray(others.multiply(X[pair_item[mine]]).sum(axis=1)).ravel(), 0.0
        )
        # Best story per item: sort by (item, similarity) and take each item's last row.
        order = np.lexsort((sims, pair_item))
        last = np.flatnonzero(np.r_[pair_item[order][1:] != pair_item[order][:-1], True])
        best_item, best_story, best_sim = pair_item[order][last], pair_story[order][last], sims[order][last]
        own_rows = pair_item[mine], sims[mine]
        own = np.zeros(len(labels))
        own[own_rows[0]] = own_rows[1]
        own = own[best_item]
        # Strictly better, so ties keep the graph's decision; and close enough to be its event.
        move = (best_sim > own + 1e-6) & (best_sim >= params.move_min) & (ids[best_story] != labels[best_item])
        if not move.any():
            break
        labels = labels.copy()
        labels[best_item[move]] = ids[best_story[move]]
    return labels


def _rows_dot(A: sp.csr_matrix, rows_a: np.ndarray, B: sp.csr_matrix, rows_b: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows_a), np.float64)
    for start in range(0, len(rows_a), 200_000):
        a, b = rows_a[start : start + 200_000], rows_b[start : start + 200_000]
        out[start : start + len(a)] = np.asarray(A[a].multiply(B[b]).sum(axis=1)).ravel()
    return out


def _detach_outliers(
    X: sp.csr_matrix,
    labels: np.ndarray,
    movable: np.ndarray,
    params: ClusterParams,
    share: np.ndarray,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """A new item barely similar to the rest of its story (one weak edge pulled it in) stands
    alone; two new items alone together need ``detach_pair`` (no third item confirms them)."""
    from sklearn.preprocessing import normalize

    _, inverse, sums = _centroids(X, labels)
    sizes = np.bincount(inverse)
    rows = movable[sizes[inverse[movable]] > 1]
    if len(rows) == 0:
        return labels
    # Similarity to the centroid of the *other* members of the item's story.
    others = normalize(sums[inverse[rows]] - X[rows])
    sims = np.asarray(others.multiply(X[rows]).sum(axis=1)).ravel()
    need = params.detach_min + share[rows] * (params.detach_long - params.detach_min)
    # Two new items alone together have no third to confirm them: the stricter bar. (A stored
    # story is one centroid row here, standing for all its items.)
    pair = sizes == 2
    if fixed is not None:
        pair[inverse[fixed != NEW]] = False
    need = np.where(pair[inverse[rows]], np.maximum(need, params.detach_pair), need)
    alone = sims < need
    labels = labels.copy()
    gone = rows[alone]
    labels[gone] = int(labels.max()) + 1 + np.arange(len(gone))
    return labels


def _adopt_lone_items(
    X: sp.csr_matrix,
    labels: np.ndarray,
    movable: np.ndarray,
    ei: np.ndarray,
    ej: np.ndarray,
    hours: np.ndarray,
    dated: np.ndarray,
    params: ClusterParams,
) -> np.ndarray:
    """A new report left alone joins the story of two or more items it is clearly closest to:
    its mean similarity to that story's items at least ``adopt_min`` and ``contrast`` times its
    mean similarity to any other neighbouring story. A report that tells its event in other
    words (an explainer, a reaction piece) falls short of ``link_min`` with every item of its
    event, yet is far closer to them than to the other event of the same kind. Candidates are
    the stories of its graph neighbours; a story holding an item apart from it in time is none."""
    ids, inverse, sums = _centroids(X, labels)
    sizes = np.bincount(inverse)
    lone = movable[sizes[inverse[movable]] == 1]
    if len(lone) == 0 or len(ei) == 0:
        return labels
    is_lone = np.zeros(len(labels), bool)
    is_lone[lone] = True
    a, b = np.concatenate([ei, ej]), np.concatenate([ej, ei])
    a, b = a[is_lone[a]], b[is_lone[a]]
    story = inverse[b]
    keep = sizes[story] >= 2
    pairs = _unique_pairs(a[keep], story[keep])
    if len(pairs) == 0:
        return labels
    item, story = pairs[:, 0], pairs[:, 1]
    mean_sim = _rows_dot(X, item, sums, story) / sizes[story]
    # Apart in time from any of the story's items (``_apart``): it is enough to ask of its
    # earliest and latest dated items and its earliest undated one.
    n_stories = len(sizes)
    d_first, d_last, u_first = np.full(n_stories, np.inf), np.full(n_stories, -np.inf), np.full(n_stories, np.inf)
    np.minimum.at(d_first, inverse[dated], hours[dated])
    np.maximum.at(d_last, inverse[dated], hours[dated])
    np.minimum.at(u_first, inverse[~dated], hours[~dated])
    h, d = hours[item], dated[item]

    def apart_from(extreme: np.ndarray, member_dated: bool) -> np.ndarray:
        present = np.isfinite(extreme[story])
        other = np.where(present, extreme[story], 0.0)
        apart: np.ndarray = present & _apart(h, d, other, np.full(len(h), member_dated), params.max_gap_hours)
        return apart

    mean_sim[apart_from(d_first, True) | apart_from(d_last, True) | apart_from(u_first, False)] = 0.0
    # Each item's best story and its best rival: sorted by item, most similar first.
    order = np.lexsort((-mean_sim, item))
    item, story, mean_sim = item[order], story[order], mean_sim[order]
    first = np.flatnonzero(np.r_[True, item[1:] != item[:-1]])
    has_rival = np.r_[item[1:] == item[:-1], False][first]
    best = mean_sim[first]
    rival = np.where(has_rival, mean_sim[np.minimum(first + 1, len(item) - 1)], 0.0)
    adopt = (best >= params.adopt_min) & (best >= params.contrast * rival)
    labels = labels.copy()
    labels[item[first][adopt]] = ids[story[first][adopt]]
    return labels


_CALENDAR = frozenset(lexicon.WEEKDAYS + lexicon.MONTHS)


def _name_rows(texts: list[str]) -> sp.csr_matrix:
    """Which names (capitalised words inside sentences) each text states, one column a name."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    def found(text: str) -> list[str]:
        # A capitalised stop word ("The" opening a line) or a weekday names no actor.
        words = (m.group(0).lower() for m in _NAME_WORD.finditer(text))
        return [w for w in words if w not in ENGLISH_STOP_WORDS and w not in _CALENDAR]

    try:
        return CountVectorizer(analyzer=found, binary=True, dtype=np.float32).fit_transform(texts).tocsr()
    except ValueError:  # no name in any text
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def incremental(
    texts: list[str],
    hours: np.ndarray,
    fixed: np.ndarray,
    params: ClusterParams,
    chunk_size: int = 25_000,
    on_chunk: Callable[[int], None] | None = None,
    dated: np.ndarray | None = None,
) -> np.ndarray:
    """Cluster the NEW rows in time order, ``chunk_size`` at a time, against the stories that
    are still open at each chunk's start. A stored story enters the graph as one centroid
    node, so the work per chunk is bounded by the open window, not by the whole history.
    ``dated[i]`` says whether ``hours[i]`` is the item's own date (from its feed or its text)
    rather than its fetch time (all are by default): no time gap is held against an undated
    item (see ``_apart``); a stored story's centroid counts as dated by its last item."""
    labels = fixed.astype(np.int64).copy()
    all_dated = np.ones(len(texts), bool) if dated is None else np.asarray(dated, bool)
    # Open stories' items come back in every chunk's window: tokenise each text once.
    tokens = [_analyzer(t) for t in texts]
    name_rows = _name_rows(texts)
    pending = np.flatnonzero(fixed == NEW)
    pending = pending[np.argsort(hours[pending], kind="stable")]
    for start in range(0, len(pending), chunk_size):
        rows = pending[start : start + chunk_size]
        t0 = hours[rows].min()
        assigned = np.flatnonzero(labels != NEW)
        story_ids, inverse = np.unique(labels[assigned], return_inverse=True)
        last = np.full(len(story_ids), -np.inf)
        np.maximum.at(last, inverse, hours[assigned])
        open_story = last >= t0 - params.max_gap_hours
        window = assigned[open_story[inverse]]
        X = vectorize([tokens[i] for i in window] + [tokens[i] for i in rows])
        Xw, Xn = X[: len(window)], X[len(window) :]
        if len(window):
            ids, inv = np.unique(labels[window], return_inverse=True)
            membership = sp.csr_matrix(
                (np.ones(len(window), np.float32), (inv, np.arange(len(window)))), shape=(len(ids), len(window))
            )
            from sklearn.preprocessing import normalize

            # A long story's centroid carries thousands of faint terms that make it look like
            # everything; its heaviest terms say what it is about.
            centroids = normalize(_prune_rows(normalize(membership @ Xw), params.centroid_terms))
            story_hours = np.full(len(ids), -np.inf)
            np.maximum.at(story_hours, inv, hours[window])
        else:
            ids = np.array([], np.int64)
            centroids = sp.csr_matrix((0, X.shape[1]), dtype=np.float32)
            story_hours = np.array([], float)
        local_X = sp.vstack([centroids, Xn]).tocsr()
        local_hours = np.concatenate([story_hours, hours[rows]])
        local_fixed = np.concatenate([ids, np.full(len(rows), NEW)])
        local_dated = np.concatenate([np.ones(len(ids), bool), all_dated[rows]])
        floor = int(labels.max()) + 1 if (labels != NEW).any() else 0
        local_names = sp.vstack([sp.csr_matrix((len(ids), name_rows.shape[1]), dtype=np.float32), name_rows[rows]]).tocsr()
        result = cluster(local_X, local_hours, local_fixed, params, local_dated, local_names)
        new_part = result[len(ids) :]
        # Labels of new stories are renumbered above every story seen so far, in or out of the window.
        fresh = ~np.isin(new_part, ids)
        if fresh.any():
            _, remapped = np.unique(new_part[fresh], return_inverse=True)
            new_part = new_part.copy()
            new_part[fresh] = floor + remapped
        labels[rows] = new_part
        if on_chunk:
            on_chunk(len(rows))
    return labels


_FIGURE = re.compile(r"\b\d[\d,.]*\b")


def _particulars(text: str) -> tuple[set[str], set[str]]:
    """The names (capitalised words inside sentences) and figures (not years) an item states."""
    names = {m.group(0).lower() for m in _NAME_WORD.finditer(text)}
    figures = {f.rstrip(".,").replace(",", "") for f in _FIGURE.findall(text)}
    return names, {f for f in figures if not (len(f) == 4 and f[:2] in ("19", "20"))}


def continued_story(new: list[str], closed: list[list[str]], params: ClusterParams) -> int | None:
    """Which closed story (index into ``closed``, each a list of item texts) the new group of
    items ``new`` continues, if any: a trial's verdict, a deal's completion or an outage's end
    comes days after the story went quiet. It continues one when most of its items name what
    most of that story's items name — at least ``reopen_names`` names and a figure (the
    accused and the sum, the buyer and the price) — and its centroid is at least
    ``merge_min`` similar to the story's. A later event of the same actors (a second round of
    layoffs) states other figures, and one much later is past the reopening window anyway."""
    if not new or not closed:
        return None
    X = vectorize(new + [t for story in closed for t in story])
    from sklearn.preprocessing import normalize

    bounds = np.cumsum([len(new)] + [len(s) for s in closed])
    new_centroid = normalize(sp.csr_matrix(X[: len(new)].sum(axis=0)))

    def common(texts: list[str]) -> tuple[set[str], set[str]]:
        names: Counter[str] = Counter()
        figures: Counter[str] = Counter()
        for t in texts:
            n, f = _particulars(t)
            names.update(n)
            figures.update(f)
        half = len(texts) / 2
        return {k for k, c in names.items() if c >= half}, {k for k, c in figures.items() if c >= half}

    new_names, new_figures = common(new)
    best, best_sim = None, params.merge_min
    for k, story in enumerate(closed):
        rows = X[bounds[k] : bounds[k + 1]]
        sim = float((normalize(sp.csr_matrix(rows.sum(axis=0))) @ new_centroid.T).toarray()[0, 0])
        if sim < best_sim:
            continue
        names, figures = common(story)
        if len(new_names & names) >= params.reopen_names and new_figures & figures:
            best, best_sim = k, sim
    return best
