"""The event rules of story clustering (issue 24, round 3), on vectors built to known similarities."""

import numpy as np
import scipy.sparse as sp

from newsdesk.config import Settings
from newsdesk.stories import params_from
from newsdesk.stories.cluster import (
    NEW,
    _analyzer,
    _detach_outliers,
    _merge_events,
    _name_rows,
    _rival_contrast,
)

PARAMS = params_from(Settings())
DIMS = 120


def _rows(*parts: dict[int, float]) -> sp.csr_matrix:
    """Unit rows from {dimension: weight}; a faint background on 60 further dimensions makes
    each row count as full text (``_text_share``) without moving its similarities."""
    dense = np.zeros((len(parts), DIMS))
    dense[:, 60:] = 1e-3
    for i, part in enumerate(parts):
        for d, w in part.items():
            dense[i, d] = w
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return sp.csr_matrix(dense.astype(np.float32))


def _event_item(shared: float, private: int, dim: int = 0) -> dict[int, float]:
    """An item whose weight on the event's dimension ``dim`` is ``shared``; the rest is its own."""
    return {dim: shared, private: float(np.sqrt(1 - shared**2))}


def _leave_one_out(X: sp.csr_matrix, rows: list[int], i: int) -> float:
    others = np.asarray(X[[r for r in rows if r != i]].sum(axis=0)).ravel()
    return float(X[i].toarray().ravel() @ (others / np.linalg.norm(others)))


def test_a_report_loosely_like_its_event_stays_in_its_story():
    # Three close reports and a fourth that shares less of their wording (another outlet's
    # angle): 0.10-0.15 like the others, which once sent every full text below 0.15 off alone.
    X = _rows(*[_event_item(0.8, 10 + k) for k in range(3)], _event_item(0.14, 20))
    sim = _leave_one_out(X, [0, 1, 2, 3], 3)
    assert 0.10 < sim < 0.15
    labels = _detach_outliers(X, np.zeros(4, np.int64), np.arange(4), PARAMS, np.ones(4), np.full(4, NEW))
    assert len(set(labels.tolist())) == 1


def test_two_lone_reports_alike_in_a_few_words_stand_alone():
    # A ferry and an aquarium in one town: nothing but each other to be judged against.
    X = _rows(_event_item(0.35, 10), _event_item(0.35, 11))
    assert 0.10 < _leave_one_out(X, [0, 1], 0) < 0.15
    labels = _detach_outliers(X, np.zeros(2, np.int64), np.arange(2), PARAMS, np.ones(2), np.full(2, NEW))
    assert labels[0] != labels[1]
    # A new item as close to a stored story (one centroid row standing for its items) stays in it.
    fixed = np.array([0, NEW])
    kept = _detach_outliers(X, np.zeros(2, np.int64), np.array([1]), PARAMS, np.ones(2), fixed)
    assert kept[0] == kept[1]


def test_groups_split_across_communities_join_by_contrast_not_by_a_rival():
    # Group 0 (two reports 0.3 alike) and a lone report 0.11 like them: under the absolute
    # link (0.15), but nothing else is near it, so it is the same event.
    a, b, lone = _event_item(np.sqrt(0.3), 10), _event_item(np.sqrt(0.3), 11), _event_item(0.2, 12)
    X = _rows(a, b, lone)
    link = float((X[2] @ X[:2].T).toarray().mean())
    assert 0.09 < link < 0.13
    hours, dated, fixed = np.zeros(3), np.zeros(3, bool), np.full(3, NEW)
    group = np.array([0, 0, 1])
    ei, ej = np.array([0, 1]), np.array([2, 2])
    merged = _merge_events(X, hours, dated, fixed, group, ei, ej, PARAMS)
    assert merged[2] == merged[0]
    # A rival group about as close (another event of the kind) leaves it undecided: apart.
    rival = {12: 0.1, 13: float(np.sqrt(0.99))}
    X = _rows(a, b, lone, rival)
    group = np.array([0, 0, 1, 2])
    ei, ej = np.array([0, 1, 2]), np.array([2, 2, 3])
    assert float((X[2] @ X[3].T).toarray()[0, 0]) > link / PARAMS.merge_contrast
    merged = _merge_events(X, np.zeros(4), np.zeros(4, bool), np.full(4, NEW), group, ei, ej, PARAMS)
    assert len({merged[0], merged[2], merged[3]}) == 3


def test_rival_contrast_judges_each_pair_against_both_groups_other_links():
    pairs = np.array([[0, 1], [1, 2], [2, 3]])
    link = np.array([0.30, 0.10, 0.12])
    ok = _rival_contrast(link, pairs, 4, 1.2)
    # 0-1: group 1's other link is 0.10 -> joins; 1-2: weaker than both groups' best; 2-3:
    # group 2's other link (0.10) is within 1.2 times of 0.12.
    assert ok.tolist() == [True, False, True]
    assert _rival_contrast(link, pairs, 4, 1.3).tolist() == [True, False, False]


def test_title_case_headlines_do_not_count_their_words_twice():
    # In a title-case headline every word is capitalised: none of them is a name.
    headline = _analyzer("Orrin Motors Recalls Forty Thousand Cars Over Brake Fault")
    assert len(headline) == len(set(headline))
    # Inside a sentence a capitalised word is a name and counts twice.
    sentence = _analyzer("The recall was announced by chief executive Aldo Brenner on the radio.")
    assert sentence.count("brenne") == 2 and sentence.count("announ") == 1


def test_names_are_not_stop_words_or_weekdays():
    N = _name_rows(["Rain fell.\nThe ferry left Harbor Point on Friday.", "The aquarium in Osterby opened on Friday."])
    # No name in common: "The" opens a line and "Friday" is a date, not an actor.
    assert (N[0] @ N[1].T).toarray()[0, 0] == 0
    assert (N[0] @ N[0].T).toarray()[0, 0] == 2  # harbor, point


def _brute_force_edges(X, hours, dated, params):
    """Each row's ``neighbours`` most similar rows (on its heaviest terms) not apart in time,
    kept where the full vectors reach the edge bar: what ``knn_edges`` computes blockwise. A
    dated row looks among dated rows only; an undated row among all (the graph is undirected,
    so a dated row's undated neighbours come from their side)."""
    from newsdesk.stories.cluster import _apart, _prune_rows, _text_share

    Xs = _prune_rows(X, params.search_terms)
    S = (Xs @ Xs.T).toarray()
    np.fill_diagonal(S, 0.0)
    S[np.ix_(dated, ~dated)] = 0.0
    S[_apart(hours[:, None], dated[:, None], hours[None, :], dated[None, :], params.max_gap_hours)] = 0.0
    full = (X @ X.T).toarray()
    share = _text_share(X, params)
    out = set()
    for i in range(X.shape[0]):
        for j in np.argsort(-S[i])[: params.neighbours]:
            need = params.edge_min + min(share[i], share[j]) * (params.edge_long - params.edge_min)
            if S[i, j] > 0 and full[i, j] >= need:
                out.add((i, int(j)))
    return out


def test_neighbour_search_finds_what_comparing_every_pair_finds():
    """``knn_edges`` works in time-ordered blocks of sparse similarities; on random vectors (no
    ties), dated and undated rows mixed, it must give the edges of the plain all-pairs search."""
    from newsdesk.stories.cluster import knn_edges

    rng = np.random.default_rng(7)
    for n in (40, 700, 1300):
        dense = rng.random((n, 90)) * (rng.random((n, 90)) < 0.25)
        dense[dense.sum(axis=1) == 0, 0] = 1.0
        X = sp.csr_matrix((dense / np.linalg.norm(dense, axis=1, keepdims=True)).astype(np.float32))
        hours = rng.uniform(0, 400, n)
        dated = rng.random(n) < 0.7
        ei, ej, _ = knn_edges(X, hours, PARAMS, dated)
        assert set(zip(ei.tolist(), ej.tolist())) == _brute_force_edges(X, hours, dated, PARAMS)


def test_unique_pairs_are_numpys_unique_rows():
    from newsdesk.stories.cluster import _unique_pairs

    rng = np.random.default_rng(3)
    for n in (1, 7, 5000):
        a, b = rng.integers(0, 40, n), rng.integers(0, 90, n)
        assert (_unique_pairs(a, b) == np.unique(np.column_stack([a, b]), axis=0)).all()
    assert _unique_pairs(np.array([], int), np.array([], int)).shape == (0, 2)
