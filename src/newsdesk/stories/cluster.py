"""Story clustering, free of the database so the benchmark measures exactly what runs.

Method: TF-IDF vectors of stemmed words; a k-nearest-neighbour similarity graph in which
items further apart in time than the quiet window share no edge; Louvain communities on
that graph, re-split where a community has strong structure of its own; then centroid
passes for the new items (move to the closest story, merge fragments of one event,
detach items only a weak edge held in).
Items already in a story never move: a community that contains them hands its new items
to the story most of its stored items belong to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

NEW = -1


@dataclass(frozen=True)
class ClusterParams:
    neighbours: int = 15
    edge_min: float = 0.10  # weakest similarity kept as a graph edge
    resolution: float = 1.5  # Louvain resolution: higher gives smaller stories
    max_gap_hours: float = 72.0  # items further apart than this never share a story
    search_terms: int = 24  # heaviest terms per item used to find neighbour candidates
    centroid_terms: int = 64  # heaviest terms kept in an open story's centroid
    split_modularity: float = 0.6  # re-split a community whose own split scores at least this
    merge_min: float = 0.40  # centroid similarity at which a story of new items joins another
    detach_min: float = 0.10  # an item less similar than this to the rest of its story stands alone
    refine_passes: int = 2
    seed: int = 0


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _analyzer(text: str) -> list[str]:
    """Lowercased words without stop words, cut to 6 letters: a crude, fast stemmer that
    lets "layoff"/"layoffs" and "taper"/"tapering" meet."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return [w[:6] for w in _TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


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


def knn_edges(X: sp.csr_matrix, hours: np.ndarray, params: ClusterParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, cosine) for each row's nearest neighbours among rows within the time window.

    Rows are visited in time order and each block is compared only with the slice of rows
    that lies within ``max_gap_hours`` of it, so the work grows with the window, not n².
    Candidates come from rows pruned to their heaviest terms; the kept pairs are scored on
    the full vectors.
    """
    n = X.shape[0]
    k = min(params.neighbours, n - 1)
    empty = (np.array([], int), np.array([], int), np.array([], np.float32))
    if k <= 0:
        return empty
    order = np.argsort(hours, kind="stable")
    sorted_hours = hours[order]
    Xs = _prune_rows(X[order], params.search_terms)
    XsT = Xs.T.tocsr()
    cand_i, cand_j = [], []
    for start in range(0, n, 512):
        stop = min(n, start + 512)
        lo = int(np.searchsorted(sorted_hours, sorted_hours[start] - params.max_gap_hours, "left"))
        hi = int(np.searchsorted(sorted_hours, sorted_hours[stop - 1] + params.max_gap_hours, "right"))
        sims = (Xs[start:stop] @ XsT[:, lo:hi]).toarray()
        local = np.arange(start, stop)
        sims[local - start, local - lo] = 0.0
        far = np.abs(sorted_hours[start:stop, None] - sorted_hours[None, lo:hi]) > params.max_gap_hours
        sims[far] = 0.0
        kk = min(k, hi - lo - 1)
        if kk <= 0:
            continue
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        found = np.take_along_axis(sims, top, axis=1) > 0
        cand_i.append(order[np.repeat(local, kk)[found.ravel()]])
        cand_j.append(order[lo + top[found]])
    if not cand_i:
        return empty
    ci, cj = np.concatenate(cand_i), np.concatenate(cand_j)
    weights = _rows_dot(X, ci, X, cj).astype(np.float32)
    keep = weights >= params.edge_min
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


def cluster(X: sp.csr_matrix, hours: np.ndarray, fixed: np.ndarray, params: ClusterParams) -> np.ndarray:
    """Labels for every row. ``fixed[i]`` is a stored item's story label (kept) or NEW.

    New stories get labels above every fixed label. ``hours`` is each item's time in hours.
    """
    n = X.shape[0]
    labels = fixed.astype(np.int64).copy()
    new_rows = np.flatnonzero(fixed == NEW)
    if len(new_rows) == 0:
        return labels
    next_label = int(fixed.max()) + 1 if (fixed != NEW).any() else 0
    ei, ej, ew = knn_edges(X, hours, params)
    graph = _graph(n, ei, ej, ew)
    communities = _split_strong(graph, _louvain(graph, params.resolution, params.seed), params)
    from sklearn.preprocessing import normalize

    for community in sorted(communities, key=min):
        members = np.asarray(community, dtype=np.int64)
        stored = fixed[members]
        fresh = members[stored == NEW]
        if len(fresh) == 0:
            continue
        known_rows = members[stored != NEW]
        if len(known_rows):
            # A stored story sits in the graph as one well-connected hub, so a community can
            # hold it together with another event's items: those join only if they, as a
            # group, resemble the story.
            values, counts = np.unique(fixed[known_rows], return_counts=True)
            story = values[counts.argmax()]
            story_vec = normalize(X[known_rows[fixed[known_rows] == story]].sum(axis=0).A)
            group_vec = normalize(X[fresh].sum(axis=0).A)
            if float((story_vec @ group_vec.T).item()) >= params.merge_min:
                labels[fresh] = story
                continue
        labels[fresh] = next_label
        next_label += 1
    labels = _refine(X, labels, new_rows, ei, ej, params)
    labels = _merge_new_stories(X, hours, labels, fixed, params)
    return _detach_outliers(X, labels, new_rows, params)


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


def _centroids(X: sp.csr_matrix, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, Any]:
    ids, inverse = np.unique(labels, return_inverse=True)
    membership = sp.csr_matrix(
        (np.ones(len(labels), np.float32), (inverse, np.arange(len(labels)))), shape=(len(ids), len(labels))
    )
    return ids, inverse, (membership @ X).tocsr()


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
        pair_item, pair_story = np.unique(np.column_stack([src, inverse[dst]]), axis=0).T
        sims = _rows_dot(X, pair_item, centroids, pair_story)
        # Best story per item: sort by (item, similarity) and take each item's last row.
        order = np.lexsort((sims, pair_item))
        last = np.flatnonzero(np.r_[pair_item[order][1:] != pair_item[order][:-1], True])
        best_item, best_story, best_sim = pair_item[order][last], pair_story[order][last], sims[order][last]
        own = _rows_dot(X, best_item, centroids, inverse[best_item])
        move = best_sim > own + 1e-6  # strictly better, so ties keep the graph's decision
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


def _merge_new_stories(
    X: sp.csr_matrix, hours: np.ndarray, labels: np.ndarray, fixed: np.ndarray, params: ClusterParams
) -> np.ndarray:
    """Modularity splits a graph that holds one small story, and keeps a handful of new
    items apart from the open story they continue. A story made only of new items joins
    the most similar story (centroid cosine ≥ ``merge_min``) within the time window."""
    from sklearn.preprocessing import normalize

    labels = labels.copy()
    ids, inverse, sums = _centroids(X, labels)
    has_fixed = np.zeros(len(ids), bool)
    has_fixed[inverse[fixed != NEW]] = True
    centroids = normalize(sums)
    sims = (centroids @ centroids.T).toarray()
    np.fill_diagonal(sims, -1.0)
    first, last = _time_span(ids, inverse, hours)
    apart = (first[:, None] > last[None, :] + params.max_gap_hours) | (last[:, None] < first[None, :] - params.max_gap_hours)
    sims[apart] = -1.0
    sizes = np.bincount(inverse)
    target = np.arange(len(ids))
    # Smallest first, so fragments gather before the larger stories they belong to move.
    for c in np.argsort(sizes, kind="stable"):
        if has_fixed[c]:
            continue
        best = int(sims[c].argmax())
        if sims[c, best] >= params.merge_min:
            root = best
            while target[root] != root:
                root = target[root]
            if root != c:
                target[c] = root
    for c in range(len(ids)):
        root = c
        while target[root] != root:
            root = target[root]
        target[c] = root
    merged: np.ndarray = ids[target[inverse]]
    return merged


def _detach_outliers(X: sp.csr_matrix, labels: np.ndarray, movable: np.ndarray, params: ClusterParams) -> np.ndarray:
    """A new item barely similar to the rest of its story (one weak edge pulled it in) stands alone."""
    from sklearn.preprocessing import normalize

    _, inverse, sums = _centroids(X, labels)
    sizes = np.bincount(inverse)
    rows = movable[sizes[inverse[movable]] > 1]
    if len(rows) == 0:
        return labels
    # Similarity to the centroid of the *other* members of the item's story.
    others = normalize(sums[inverse[rows]] - X[rows])
    sims = np.asarray(others.multiply(X[rows]).sum(axis=1)).ravel()
    alone = rows[sims < params.detach_min]
    labels = labels.copy()
    labels[alone] = int(labels.max()) + 1 + np.arange(len(alone))
    return labels


def incremental(
    texts: list[str],
    hours: np.ndarray,
    fixed: np.ndarray,
    params: ClusterParams,
    chunk_size: int = 25_000,
    on_chunk: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Cluster the NEW rows in time order, ``chunk_size`` at a time, against the stories that
    are still open at each chunk's start. A stored story enters the graph as one centroid
    node, so the work per chunk is bounded by the open window, not by the whole history."""
    labels = fixed.astype(np.int64).copy()
    # Open stories' items come back in every chunk's window: tokenise each text once.
    tokens = [_analyzer(t) for t in texts]
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
        floor = int(labels.max()) + 1 if (labels != NEW).any() else 0
        result = cluster(local_X, local_hours, local_fixed, params)
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
