"""What the writer's and verifier's speed-ups replaced must give what it gave: a name found
without a pattern compiled per name, facts read once per sentence and shifted, token rows and
findings remembered between checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.facts import _read_facts, sentence_facts
from newsdesk.records import ArticleSentence, Citation, Item
from newsdesk.text.names import _standing_alone
from newsdesk.verify import checks
from newsdesk.verify.checks import ClaimChecker
from newsdesk.write.extractive import _NAME_TAIL, _name_tails

# Small alphabets, so names recur, touch letters, digits, hyphens, possessives and dots.
_HAY = st.text(alphabet="ab1 -.'’sLuménB7X", max_size=40)
_NEEDLE = st.text(alphabet="ab1 -Lumé", min_size=0, max_size=4)


@settings(max_examples=400, deadline=None)
@given(_NEEDLE, _HAY)
def test_standing_alone_is_the_bounded_search(needle: str, hay: str) -> None:
    pattern = r"(?<![a-z0-9])" + re.escape(needle) + r"(?![a-z0-9])"
    assert _standing_alone(needle, hay) == bool(re.search(pattern, hay))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="LuB7-", min_size=1, max_size=3), _HAY)
def test_name_tails_are_the_patterns_matches(name: str, text: str) -> None:
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}{_NAME_TAIL}(?![\w-])")
    assert list(_name_tails(name, text)) == [m.group("tail") or "" for m in pattern.finditer(text)]


def test_name_tails_on_real_shapes() -> None:
    text = "Lumen-7B beat Lumen. Then Lumen's Harbour Road, and xLumen, and Lumen-7B-Chat."
    assert list(_name_tails("Lumen", text)) == ["-7B", "", "'s Harbour Road", "-7B-Chat."]


SENTENCES = [
    "Nvidia shares fell 13% at the open and closed down 17%, wiping $593 billion off its market value.",
    "The S&P 500 and Nasdaq 100 declined by 2.3% and 3.6%, respectively, on Monday.",
    "It raised $7.5 billion from SoftBank and an additional $2.5 billion from a syndicate in the first quarter.",
    "About 6,000 of its 228,000 employees will lose their jobs, after 10,000 were cut in 2023.",
    "No figures here at all.",
]


def test_facts_read_once_and_shifted_are_the_facts_read_in_place() -> None:
    for text in SENTENCES:
        for offset in (0, 7, 1234):
            assert sentence_facts(text, offset=offset) == _read_facts(text, offset, None)
            assert sentence_facts(text, offset=offset) == sentence_facts(text, offset=offset)  # from the cache
    # A caller may change what it gets without changing the next caller's facts.
    got = sentence_facts(SENTENCES[0])
    got.clear()
    assert sentence_facts(SENTENCES[0]) == _read_facts(SENTENCES[0], 0, None)


def _item(iid: int, text: str) -> Item:
    url = f"http://example.test/{iid}"
    when = datetime(2026, 3, 3, tzinfo=UTC)
    return Item(iid, 1, url, url, url, f"Outlet {iid}", f"Report {iid}", text, when, when)


def test_remembered_token_rows_and_findings_give_the_same_checks() -> None:
    items = {
        1: _item(
            1, "Velora Systems will cut 1,800 jobs, the company said on Tuesday. Its chief executive Ada Roe said sales fell."
        ),
        2: _item(
            2, "Velora Systems is laying off 1,800 workers. The cuts follow a review of the Lumen business in Harbour City."
        ),
    }
    claims = [
        ArticleSentence(
            "Velora Systems will cut 1,800 jobs, the company said on Tuesday.", [Citation(1, 1, 0, 66), Citation(2, 2, 0, 42)]
        ),
        ArticleSentence("Velora Systems will cut 2,500 jobs in Harbour City.", [Citation(1, 2, 0, 42)]),
        ArticleSentence("Ada Roe said the Lumen review led to the cuts.", [Citation(1, 1, 67, 120), Citation(2, 2, 43, 110)]),
    ]
    checker = ClaimChecker()

    def run() -> list[tuple[str, list[str], dict[int, bool], float]]:
        return [(c.verdict, list(c.reasons), dict(c.citation_support), c.support) for c in checker.check_all(claims, items)]

    checks._ROWS.clear()
    checks._FINDINGS.clear()
    first = run()
    assert checks._FINDINGS and checks._ROWS
    again = run()  # every row and finding now comes from memory
    checks._ROWS.clear()
    checks._FINDINGS.clear()
    checks._VOCABULARY.clear()
    afresh = run()
    assert first == again == afresh
    assert first[0][0] == "PASS" and first[1][0] == "FAIL"  # the same jobs figure passes; another fails


def test_token_rows_are_scikit_learns_counts() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    texts = ["Velora cut 1,800 jobs.", "Velora Systems cut jobs, jobs and jobs.", ""]
    rows = checks._token_rows(texts, chars=True)
    counts = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit(texts)
    for text, (ids, n) in zip(texts, rows):
        expected = counts.transform([text]).toarray().ravel()
        assert int(n.sum()) == int(expected.sum())
        assert sorted(n.tolist()) == sorted(expected[expected > 0].tolist())
        assert np.all(np.diff(ids) > 0)  # sorted, distinct: the CSR rows need them so
