"""Verification: each check on its own, the policies, and planted hallucinations through `newsdesk run`."""

from datetime import UTC, datetime

import pytest

from conftest import make_newsroom
from newsdesk.records import ArticleSentence, Citation, Item
from newsdesk.text.numbers import figures, matches
from newsdesk.verify.checks import FAIL, PASS, REVIEW, ClaimChecker

NOW = datetime.now(UTC)
SOURCE = (
    "Velora Systems said on Tuesday it will cut 1,800 jobs, about 12% of its workforce, after orders fell for a third quarter. "
    'Chief executive Marta Quell said: "We built for a market that did not arrive." '
    "Revenue rose to $2.4 billion last year from $2.1 billion. "
    "The Financial Conduct Board has not opened an inquiry."
)
OTHER = "The Meridian City Museum reopened on Saturday after a four-year renovation that cost $62 million."


def item(iid, text, outlet="Wire"):
    return Item(
        id=iid,
        source_id=1,
        guid=str(iid),
        url=f"https://x.example/{iid}",
        canonical_url=f"https://x.example/{iid}",
        outlet=outlet,
        title="t",
        text=text,
        published_at=NOW,
        fetched_at=NOW,
    )


ITEMS = {1: item(1, SOURCE), 2: item(2, OTHER, "Other")}


def check(text, cites=(1,)):
    claim = ArticleSentence(text, [Citation(n + 1, iid, 0, 10) for n, iid in enumerate(cites)])
    return ClaimChecker().check_all([claim], ITEMS)[0]


@pytest.mark.parametrize(
    "text",
    [
        "Velora Systems will cut 1,800 jobs, about 12% of its workforce.",
        "Velora Systems will cut 1.8 thousand jobs, about 12 percent of its workforce.",
        "Velora Systems said that it will cut 1,800 jobs, about 12% of its workforce.",
        'Marta Quell said: "We built for a market that did not arrive."',
        "Revenue rose to 2.4 billion dollars last year.",
    ],
)
def test_faithful_claims_pass(text):
    result = check(text)
    assert result.verdict == PASS, result.reasons


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Velora Systems will cut 2,300 jobs.", "figure '2,300'"),
        ("Velora Systems will cut 1,800 jobs, about 15% of its workforce.", "figure '15%'"),
        ("Orrin Motors will cut 1,800 jobs.", "name 'Orrin Motors'"),
        ('Marta Quell said: "We will double our investment."', "does not appear verbatim"),
    ],
)
def test_hard_failures(text, reason):
    result = check(text)
    assert result.verdict == FAIL and any(reason in r for r in result.reasons), result.reasons
    assert result.offending


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Revenue fell to $2.4 billion last year from $2.1 billion.", "direction"),
        ("The Financial Conduct Board has opened an inquiry.", "negation"),
        ("Revenue grew by $300 million last year.", "arithmetic"),
    ],
)
def test_direction_negation_and_arithmetic_fail(text, reason):
    result = check(text)
    assert result.verdict == FAIL and result.locked and any(reason in r for r in result.reasons), result.reasons


def test_a_shown_derivation_passes_only_when_allowed():
    text = "Revenue rose to $2.4 billion last year from $2.1 billion, up $300 million."
    assert check(text).verdict == FAIL
    allowed = ClaimChecker(allow_derived=True).check_all([ArticleSentence(text, [Citation(1, 1, 0, 10)])], ITEMS)[0]
    assert allowed.verdict == PASS and allowed.derived == ["$2.4 billion − $2.1 billion = $300 million"]


def test_a_few_unaccounted_words_are_a_review_a_judge_may_settle_only_where_the_policy_says():
    result = check("Velora Systems will cut 1,800 jobs amid weak orders.")
    assert result.verdict == REVIEW and result.locked and result.unaccounted == ["amid", "weak"], result.reasons
    settles = ClaimChecker(judge_settles=("wording",)).check_all(
        [ArticleSentence("Velora Systems will cut 1,800 jobs amid weak orders.", [Citation(1, 1, 0, 0)])], ITEMS
    )[0]
    assert settles.verdict == REVIEW and not settles.locked


def test_inflections_derivations_and_spellings_account_for_a_word():
    from newsdesk.text import lexicon

    for word, evidence in [
        ("withdrawal", "Trump withdrew the bill"),
        ("failure", "the bill failed"),
        ("behavior", "their behaviour"),
        ("theater", "the theatre"),
        ("criticized", "it has been criticised"),
        ("programs", "education programmes"),
        ("prosecution", "the prosecutor said"),
    ]:
        assert lexicon.accounted(word, lexicon.evidence_forms(evidence)), word
    # Never-free words are not matched by derivation, and unrelated words stay apart.
    assert not lexicon.derivations("largest")
    assert not lexicon.accounted("filled", lexicon.evidence_forms("it was filed"))
    assert not lexicon.accounted("four", lexicon.evidence_forms("it was for them"))


def test_negation_is_scoped_to_what_it_negates():
    items = {
        1: item(
            1,
            "He was no longer considered a threat, a review panel said. The board did not meet on Monday. "
            "Slugs are not evenly distributed in fields, the researchers said. "
            "The study was funded by three councils, though its results are not yet published.",
        )
    }

    def verdict(text):
        return ClaimChecker().check_all([ArticleSentence(text, [Citation(1, 1, 0, 0)])], items)[0]

    # A claim negating what the evidence negates passes; a negation the evidence does not have,
    # or one the claim drops from what it restates, fails.
    assert verdict("A review panel said he was no longer considered a threat.").verdict == PASS
    assert verdict("The study was funded by three councils.").verdict == PASS
    dropped = verdict("Slugs are evenly distributed in fields, the researchers said.")
    assert dropped.verdict == FAIL and any("negation" in r for r in dropped.reasons), dropped.reasons
    added = verdict("The study was not funded by three councils.")
    assert added.verdict == FAIL and any("negation" in r for r in added.reasons), added.reasons


def test_wrong_source_and_uncited_and_dangling():
    assert check("Velora Systems will cut 1,800 jobs.", cites=(2,)).verdict == FAIL
    uncited = ClaimChecker().check_all([ArticleSentence("Velora Systems will cut 1,800 jobs.", [])], ITEMS)[0]
    assert uncited.verdict == FAIL and "uncited claim" in uncited.reasons[0]
    plain = ClaimChecker().check_all([ArticleSentence("this matters a great deal.", [])], ITEMS)[0]
    assert plain.verdict == PASS
    dangling = check("Velora Systems will cut 1,800 jobs.", cites=(99,))
    assert dangling.verdict == FAIL and "resolves to no stored source" in dangling.reasons[0]


def test_citation_precision_is_per_citation():
    result = check("Velora Systems will cut 1,800 jobs, about 12% of its workforce.", cites=(1, 2))
    assert result.verdict == PASS and result.citation_support == {1: True, 2: False}


def test_evidence_spans_point_into_the_source():
    result = check("Velora Systems will cut 1,800 jobs.")
    best = result.evidence[0]
    assert ITEMS[best.item_id].text[best.start : best.end] == best.text and "1,800 jobs" in best.text


def test_number_normalisation():
    def one(t):
        return figures(t)[0]

    assert matches(one("1.2k"), one("1,200")) and matches(one("five percent"), one("5%"))
    assert matches(one("$45m"), one("45 million dollars")) and matches(one("fifty-four"), one("54"))
    assert not matches(one("2,000"), one("1,800")) and matches(one("about 2,000"), one("1,950"))
    assert not matches(one("about 2,000"), one("1,800"))  # approximation within verify.approximation (5%) only
    assert matches(one("about 2,000"), one("1,800"), approximation=0.15)
    assert not matches(one("12%"), one("12"))


def test_planted_hallucinations_never_reach_the_site(tmp_path, demo_server):
    from newsdesk.pipeline import run
    from planted_writer import PLANTED

    room = make_newsroom(tmp_path / "room", '\n[write]\nbackend = "planted_writer:make_writer"\n')
    for name, url in demo_server.feed_urls():
        room.store.add_source(url, name=name)
    report = run(room)
    assert report.write.written >= 8
    assert report.verify.failed >= 3 * report.write.written  # every planted claim, in every article
    site = "\n".join(p.read_bytes().decode("utf-8", "ignore") for p in room.site_dir.rglob("*") if p.is_file())
    for planted in PLANTED:
        assert planted.split(",")[0].strip('"') not in site
    assert "Ingrid Solvang" not in site and "$9.9 billion" not in site and "Brussels" not in site
    # The pages say what was removed.
    page = next((room.site_dir / "articles").glob("*.html")).read_text()
    assert "3 removed" in page and "Sources &amp; checks" in page
    room.close()


def test_hold_policy_keeps_the_previous_version_up(tmp_path, demo_server):
    from newsdesk.pipeline import run

    room = make_newsroom(tmp_path / "room")
    for name, url in demo_server.feed_urls():
        room.store.add_source(url, name=name)
    run(room)
    before = {p.name: p.read_text() for p in (room.site_dir / "articles").glob("*.html")}
    # Same stories, now written by a writer that plants claims, under a hold policy.
    config = room.path / "newsdesk.toml"
    config.write_text(config.read_text() + '\n[write]\nbackend = "planted_writer:make_writer"\n[verify]\non_fail = "hold"\n')
    from newsdesk.pipeline import open_newsroom

    again = open_newsroom(room.path)
    report = run(again, ("write", "verify", "publish"))
    assert report.write.updated >= 8 and report.verify.held == report.write.updated
    after = {p.name: p.read_text() for p in (again.site_dir / "articles").glob("*.html")}
    assert after.keys() == before.keys()
    assert all("Ingrid Solvang" not in html for html in after.values())
    again.close()
    room.close()


def test_review_claims_are_marked(tmp_path):
    from newsdesk.config import Settings
    from newsdesk.records import Article, Reference, Section
    from newsdesk.verify import verify_article

    def s(text):
        return ArticleSentence(text, [Citation(1, 1, 0, 10)])

    article = Article(
        story_id=1,
        headline="h",
        dek=s("Velora Systems will cut 1,800 jobs."),
        sections=[
            Section(
                "What happened",
                [
                    [
                        s("Revenue rose to $2.4 billion last year amid weak orders."),
                        s("Velora Systems will cut about 12% of its workforce."),
                        s("Orrin Motors will cut 1,800 jobs."),
                    ]
                ],
            )
        ],
        references=[Reference(1, 1, "Wire", "t", "https://x.example/1", NOW)],
        tags=[],
        tier="major",
        byline="b",
        writer="test",
    )
    settings = Settings()
    assert settings.verify.on_review == "auto"  # "mark" with the extractive writer
    v = verify_article(article, ITEMS, ClaimChecker(), settings)
    verdicts = [c.verdict for c in v.claims]
    assert verdicts == [PASS, REVIEW, PASS, FAIL]
    assert v.status == "publish" and v.removed == 1
    texts = [x.text for x in v.published.sentences()]
    assert "Orrin Motors will cut 1,800 jobs." not in texts and len(texts) == 3
    queued = verify_article(
        article,
        ITEMS,
        ClaimChecker(),
        settings.model_copy(update={"verify": settings.verify.model_copy(update={"on_review": "queue"})}),
    )
    assert queued.removed == 2 and queued.status == "held"  # two supported sentences left: below min_sentences


# -- figures: hedges, shares in words, dates written otherwise (issue 22) ------------------------


@pytest.mark.parametrize(
    "claim, source, ok",
    [
        ("nearly 80,000", "79,350", True),
        ("more than 79,000", "79,350", True),
        ("about 80,000", "79,350", True),
        ("more than 80,000", "79,350", False),  # strengthened: the source is below 80,000
        ("almost 85,000", "79,350", False),  # overstated by more than the rounding allows
        ("over 70,000", "79,350", False),  # too loose to be the source's figure
        ("less than 80,000", "81,000", False),
        ("nearly 80,000", "more than 80,000", False),  # the source's bound points the other way
        ("a third of", "33%", True),
        ("nearly a third of", "31%", True),
        ("more than a third of", "31%", False),
        ("half of", "49.5%", True),
        ("one in five", "20%", True),
        ("a third of", "28%", False),
        ("30%", "a third of them", False),  # a digit figure claims more precision than "a third"
    ],
)
def test_a_rounded_or_hedged_figure_matches_only_when_honest(claim, source, ok):
    c = figures(claim, fractions=True)[0]
    assert matches(c, figures(source, fractions=True)[0]) is ok


def test_figures_read_lower_case_dates_and_leave_ordinals_alone():
    assert [f.kind for f in figures("a trailer was taken on 17 june")] == ["day"]
    assert [f.kind for f in figures("they may 5 times")] == ["plain"]  # the verb, not the month
    assert figures("a third individual will appear in court", fractions=True) == []
    assert figures("in the second half of the match", fractions=True) == []
    assert [f.value for f in figures("one in five adults", fractions=True)] == [20.0]  # not 1 and 5
    # Without ``fractions`` the figures are those readers of the module have always had.
    assert figures("a third of voters") == []


ROUNDED = item(
    3,
    "A crowd of 79,350 fans watched the final at Orla Park on 17 june. "
    "About 33% of tickets went to overseas visitors, the organisers said. "
    "Kelm Arlow, 41, was released on Monday. "
    "He had been held at the Drenna facility since 2002 after his arrest.",
)


def check_rounded(text):
    return ClaimChecker().check_all([ArticleSentence(text, [Citation(1, 3, 0, 0)])], {3: ROUNDED})[0]


@pytest.mark.parametrize(
    "text",
    [
        "Nearly 80,000 fans watched the final at Orla Park on June 17th.",
        "More than 79,000 fans watched the final at Orla Park.",
        "About a third of tickets went to overseas visitors, the organisers said.",
        # The age stands in another sentence, beside the name it stands beside in the claim.
        "Arlow, 41, had been held at the Drenna facility since 2002 after his arrest.",
    ],
)
def test_honest_rounding_and_dates_written_otherwise_pass(text):
    result = check_rounded(text)
    assert result.verdict == PASS, result.reasons


@pytest.mark.parametrize(
    "text, reason",
    [
        ("More than 80,000 fans watched the final at Orla Park.", "figure '80,000'"),
        ("Nearly 80,000 fans watched the final at Orla Park on June 18th.", "figure '18'"),
        ("Nearly 80,000 fans watched the final at Orla Park on 17 July.", "month"),
        ("More than half of tickets went to overseas visitors, the organisers said.", "figure 'half'"),
        # 41 stands in the item, but beside nothing the claim puts it beside.
        ("The Drenna facility had held 41 detainees since 2002.", "figure '41'"),
    ],
)
def test_strengthened_figures_and_wrong_dates_fail(text, reason):
    result = check_rounded(text)
    assert result.verdict == FAIL and any(reason in r for r in result.reasons), result.reasons


# -- names: a surname, a title or a role for a name the evidence has --------------------------------

NAMED = item(
    4,
    "Justice minister Karl Ober said the bill would be put to a vote in May. "
    "Zentrix, the carmaker, said its sales rose 4% in March. "
    # Sentences more like the claims than the two above, so that those are not its nearest evidence.
    "Talks with the opposition would continue into the night, aides added. "
    "The opposition said talks would continue. "
    "Opposition talks added little, the talks' host said. "
    "The sales talks would continue, the opposition added. "
    "Its sales rose in March, the opposition said. "
    "Ober added that talks with the opposition would continue. "
    "Lena Ober, a lawyer for the opposition, declined to comment.",
)


def check_named(text):
    return ClaimChecker().check_all([ArticleSentence(text, [Citation(1, 4, 0, 0)])], {4: NAMED})[0]


@pytest.mark.parametrize(
    "text",
    [
        "The minister added that talks with the opposition would continue.",
        "The carmaker said its sales rose 4% in March.",
        "During talks, Karl Ober said the bill would be put to a vote in May.",
    ],
)
def test_a_title_or_role_stands_for_a_name_the_evidence_has(text):
    result = check_named(text)
    assert result.verdict == PASS, result.reasons


def test_a_role_the_sources_give_to_no_one_in_the_evidence_is_not_accounted():
    result = check_named("The prosecutor added that talks with the opposition would continue.")
    assert result.verdict == REVIEW and "prosecutor" in result.unaccounted, result.reasons


def test_a_figure_from_afar_does_not_stand_for_one_the_claims_evidence_gives_otherwise():
    episodes = item(
        5,
        "The first 10 episodes of the season were shared online before the premiere, the network said. "
        + "Viewers were angry. " * 6
        + "The season has 13 episodes in all.",
    )
    text = "The first 13 episodes of the season were shared online before the premiere, the network said."
    result = ClaimChecker().check_all([ArticleSentence(text, [Citation(1, 5, 0, 0)])], {5: episodes})[0]
    assert result.verdict == FAIL and any("figure '13'" in r for r in result.reasons), result.reasons


def test_lower_cased_initials_stand_for_an_organisation_only_after_the():
    from newsdesk.text.names import name_present

    assert name_present("European Union", "migrants arriving, the eu is now trying")
    assert not name_present("Clara Oduya", "the co-host said")
    assert not name_present("United States", "the us facility")  # "us" is a word


GENERIC_HEADINGS = ["What happened", "By the numbers", "Background", "The timeline", "What they said", "Sources disagree"]


def test_a_generic_heading_passes_as_the_full_label_check_passes_it():
    """Headings of heading words alone skip the comparison with the sources (most section
    headings are these): the full check, run anyway, agrees on each."""
    from newsdesk.verify.checks import _generic_label

    checker = ClaimChecker()
    items = [ITEMS[1], ITEMS[2]]
    for heading in GENERIC_HEADINGS:
        assert _generic_label(heading), heading
        assert checker.check_label(heading, items).verdict == PASS
        claim = ArticleSentence(heading, [Citation(n, i.id, 0, 0) for n, i in enumerate(items, start=1)])
        assert checker.check_all([claim], {i.id: i for i in items}, label=True)[0].verdict == PASS, heading


def test_a_heading_with_a_figure_a_negation_a_hedge_or_a_name_is_checked():
    from newsdesk.verify.checks import _generic_label

    for heading in [
        "The first three",
        "What did not happen",
        "What could happen next",
        "What Marta Quell said",
        '"What happened"',
    ]:
        assert not _generic_label(heading), heading
    # Checked, and refused where the sources do not say it.
    assert ClaimChecker().check_label("Seven firms cut jobs", [ITEMS[1]]).verdict != PASS


def test_similarity_vectors_are_the_vectorisers_own():
    """Texts are analysed once and cached; the vectors are those of sklearn's own analysers."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    texts = [SOURCE, OTHER, "the and of", "What happened", "Velora cut 1,800 jobs, its chief said.", SOURCE[:80]]
    words = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5)).fit_transform(texts)
    expected = normalize(sp.hstack([words, chars]).tocsr())
    for _ in range(2):  # the second time from the cache
        got = ClaimChecker._vectorise(texts)
        assert np.abs((got @ got.T).toarray() - (expected @ expected.T).toarray()).max() < 1e-12
