"""Story clustering, free of the database so the benchmark measures exactly what runs.

Method: TF-IDF vectors of stemmed words, a k-nearest-neighbour similarity graph
in which items further apart in time than the quiet window share no edge, Louvain
communities on that graph, then a few centroid-reassignment passes for the new items.
Items already in a story never move: a community that contains them hands its new items
to the story most of its stored items belong to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

NEW = -1


@dataclass(frozen=True)
class ClusterParams:
    neighbours: int = 15
    edge_min: float = 0.10  # weakest similarity kept as a graph edge
    resolution: float = 1.5  # Louvain resolution: higher gives smaller stories
    max_gap_hours: float = 72.0  # items further apart than this never share a story
    refine_passes: int = 3
    seed: int = 0


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _analyzer(text: str) -> list[str]:
    """Lowercased words without stop words, cut to 6 letters: a crude, fast stemmer that
    lets "layoff"/"layoffs" and "taper"/"tapering" meet."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return [w[:6] for w in _TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


def vectorize(texts: list[str]) -> sp.csr_matrix:
    """L2-normalised, sublinear TF-IDF over stemmed words."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(sublinear_tf=True, analyzer=_analyzer, dtype=np.float32).fit_transform(texts).tocsr()
    except ValueError:  # no word at all in any text
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def knn_edges(X: sp.csr_matrix, hours: np.ndarray, params: ClusterParams):
    """(i, j, similarity) for each row's nearest neighbours among rows within the time window.

    Rows are visited in time order and each block is compared only with the slice of rows
    that lies within ``max_gap_hours`` of it, so the work grows with the window, not n².
    """
    n = X.shape[0]
    k = min(params.neighbours, n - 1)
    if k <= 0:
        return np.array([], int), np.array([], int), np.array([], np.float32)
    order = np.argsort(hours, kind="stable")
    sorted_hours = hours[order]
    Xs = X[order]
    edges_i, edges_j, edges_w = [], [], []
    for start in range(0, n, 512):
        stop = min(n, start + 512)
        lo = int(np.searchsorted(sorted_hours, sorted_hours[start] - params.max_gap_hours, "left"))
        hi = int(np.searchsorted(sorted_hours, sorted_hours[stop - 1] + params.max_gap_hours, "right"))
        sims = (Xs[start:stop] @ Xs[lo:hi].T).toarray()
        local = np.arange(start, stop)
        sims[local - start, local - lo] = 0.0
        far = np.abs(sorted_hours[start:stop, None] - sorted_hours[None, lo:hi]) > params.max_gap_hours
        sims[far] = 0.0
        kk = min(k, hi - lo - 1)
        if kk <= 0:
            continue
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        w = np.take_along_axis(sims, top, axis=1)
        keep = w >= params.edge_min
        edges_i.append(order[np.repeat(local, kk)[keep.ravel()]])
        edges_j.append(order[lo + top[keep]])
        edges_w.append(w[keep])
    if not edges_i:
        return np.array([], int), np.array([], int), np.array([], np.float32)
    return np.concatenate(edges_i), np.concatenate(edges_j), np.concatenate(edges_w)


def cluster(X: sp.csr_matrix, hours: np.ndarray, fixed: np.ndarray, params: ClusterParams) -> np.ndarray:
    """Labels for every row. ``fixed[i]`` is a stored item's story label (kept) or NEW.

    New stories get labels above every fixed label. ``hours`` is each item's time in hours.
    """
    import networkx as nx

    n = X.shape[0]
    labels = fixed.astype(np.int64).copy()
    new_rows = np.flatnonzero(fixed == NEW)
    if len(new_rows) == 0:
        return labels
    next_label = int(fixed.max()) + 1 if (fixed != NEW).any() else 0
    ei, ej, ew = knn_edges(X, hours, params)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(zip(ei.tolist(), ej.tolist(), ew.tolist()))
    communities = nx.community.louvain_communities(graph, weight="weight", resolution=params.resolution, seed=params.seed)
    for members in sorted(communities, key=min):
        members = np.fromiter(members, dtype=np.int64)
        stored = fixed[members]
        fresh = members[stored == NEW]
        if len(fresh) == 0:
            continue
        known = stored[stored != NEW]
        if len(known):
            values, counts = np.unique(known, return_counts=True)
            labels[fresh] = values[counts.argmax()]
        else:
            labels[fresh] = next_label
            next_label += 1
    labels = _refine(X, hours, labels, new_rows, params)
    return _detach_outliers(X, labels, new_rows, params, next_label)


def _refine(X: sp.csr_matrix, hours: np.ndarray, labels: np.ndarray, movable: np.ndarray, params: ClusterParams) -> np.ndarray:
    """Move each new item to the story whose centroid it is closest to (k-means steps)."""
    from sklearn.preprocessing import normalize

    for _ in range(params.refine_passes):
        ids, inverse = np.unique(labels, return_inverse=True)
        membership = sp.csr_matrix((np.ones(len(labels), np.float32), (inverse, np.arange(len(labels)))), shape=(len(ids), len(labels)))
        centroids = normalize(membership @ X)
        sims = (X[movable] @ centroids.T).toarray()
        first = np.full(len(ids), np.inf)
        last = np.full(len(ids), -np.inf)
        np.minimum.at(first, inverse, hours)
        np.maximum.at(last, inverse, hours)
        h = hours[movable, None]
        sims[(h < first[None, :] - params.max_gap_hours) | (h > last[None, :] + params.max_gap_hours)] = -1.0
        best = sims.argmax(axis=1)
        current = inverse[movable]
        # Move only when strictly better, so ties keep the graph's decision.
        better = sims[np.arange(len(movable)), best] > sims[np.arange(len(movable)), current] + 1e-6
        if not better.any():
            break
        labels = labels.copy()
        labels[movable[better]] = ids[best[better]]
    return labels


def _detach_outliers(X: sp.csr_matrix, labels: np.ndarray, movable: np.ndarray, params: ClusterParams, next_label: int) -> np.ndarray:
    """A new item barely similar to the rest of its story (one weak edge pulled it in) stands alone."""
    from sklearn.preprocessing import normalize

    ids, inverse = np.unique(labels, return_inverse=True)
    membership = sp.csr_matrix((np.ones(len(labels), np.float32), (inverse, np.arange(len(labels)))), shape=(len(ids), len(labels)))
    sums = membership @ X
    sizes = np.bincount(inverse)
    rows = movable[sizes[inverse[movable]] > 1]
    if len(rows) == 0:
        return labels
    # Similarity to the centroid of the *other* members of the item's story.
    others = normalize(sums[inverse[rows]] - X[rows])
    sims = np.asarray(others.multiply(X[rows]).sum(axis=1)).ravel()
    alone = rows[sims < params.edge_min]
    labels = labels.copy()
    start = max(next_label, int(labels.max()) + 1)
    labels[alone] = start + np.arange(len(alone))
    return labels


def incremental(
    texts: list[str],
    hours: np.ndarray,
    fixed: np.ndarray,
    params: ClusterParams,
    chunk_size: int = 10_000,
    on_chunk=None,
) -> np.ndarray:
    """Cluster the NEW rows in time order, ``chunk_size`` at a time, against the stories that
    are still open at each chunk's start. A stored story enters the graph as one centroid
    node, so the work per chunk is bounded by the open window, not by the whole history."""
    labels = fixed.astype(np.int64).copy()
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
        X = vectorize([texts[i] for i in window] + [texts[i] for i in rows])
        Xw, Xn = X[: len(window)], X[len(window) :]
        if len(window):
            ids, inv = np.unique(labels[window], return_inverse=True)
            membership = sp.csr_matrix((np.ones(len(window), np.float32), (inv, np.arange(len(window)))), shape=(len(ids), len(window)))
            from sklearn.preprocessing import normalize

            centroids = normalize(membership @ Xw)
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
