"""What the extractive writer composes from checked facts: figures reconciled over time in one
cited sentence, a dated timeline for a story that runs over days, and headings that follow the
story. Every composed sentence passes the verifier against the sentences it cites; one that
would not is never written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.config import Settings, VerifySettings, WriteSettings
from newsdesk.facts import sentence_facts
from newsdesk.records import Item, Story
from newsdesk.verify import verify_article
from newsdesk.verify.checks import ClaimChecker
from newsdesk.write.extractive import SECTION_TITLES, Doc, ExtractiveWriter, select_with_pool
from newsdesk.write.synthesis import TIMELINE_HEADING, Made, heading_options, passes, reconcile

NOW = datetime(2026, 1, 27, 21, tzinfo=UTC)

OPEN = (
    "Nvidia shares fell 13% at the open on Monday after a Chinese rival released a cheaper artificial intelligence model. "
    "Investors questioned how much chipmakers would earn from the boom in data centres."
)
CLOSE = (
    "Nvidia shares fell 17% at the close on Monday after a Chinese rival released a cheaper artificial intelligence model. "
    "Chief executive Jensen Huang said the company would keep investing in new chips."
)
OTHER = (
    "The selloff hit chipmakers across the market on Monday after a Chinese rival released a cheaper model. "
    "Broadcom and Marvell also lost ground as investors fled chipmakers."
)


def item(iid: int, text: str, outlet: str, when: datetime = NOW) -> Item:
    return Item(
        id=iid,
        source_id=iid,
        guid=f"g-{iid}",
        url=f"https://{iid}.example/a",
        canonical_url=f"https://{iid}.example/a",
        outlet=outlet,
        title="Nvidia shares tumble",
        text=text,
        published_at=when,
        fetched_at=when,
    )


def story(*items: Item, tier: str = "standard") -> Story:
    return Story(1, "open", "Nvidia shares tumble", NOW, NOW, 5.0, tier, None, list(items))


def sentences_of(article) -> list:
    return [s for sec in article.sections for p in sec.paragraphs for s in p]


def test_share_falls_at_different_times_become_one_cited_sentence():
    items = [item(1, OPEN, "Granite Post"), item(2, CLOSE, "Harbor Ledger"), item(3, OTHER, "The Northwire")]
    article = ExtractiveWriter(WriteSettings()).write(story(*items))
    assert article is not None
    text = [s.text for s in sentences_of(article)]
    assert "Nvidia shares fell 13% at the open and 17% at the close." in text
    made = next(s for s in sentences_of(article) if s.text.startswith("Nvidia shares fell 13% at the open and"))
    cited = {c.item_id for c in made.citations}
    assert cited == {1, 2}  # each figure's own sentence
    # The composed sentence is a claim like any: it passes verification and reaches the page.
    by_id = {i.id: i for i in items}
    checked = verify_article(article, by_id, ClaimChecker.from_settings(VerifySettings()), Settings())
    assert checked.published is not None
    assert made.text in [s.text for s in sentences_of(checked.published)]
    assert made.composed and all(s.composed is False for s in sentences_of(article) if s is not made)
    # Each citation supports its part (the figure its sentence states): citation precision stays whole.
    (claim,) = [c for c in checked.claims if c.text == made.text]
    assert claim.verdict == "PASS" and list(claim.citation_support.values()) == [True, True]


def test_a_time_whose_outlets_disagree_is_not_reconciled():
    disputed = CLOSE.replace("17%", "19%")
    items = [item(1, OPEN, "Granite Post"), item(2, CLOSE, "Harbor Ledger"), item(4, disputed, "Meridian Daily")]
    docs = [Doc(i.id, i.outlet, i.text, i.title) for i in items]
    chosen, pool, _ = select_with_pool(docs, 300)
    made = reconcile(chosen, pool, ClaimChecker.from_settings(VerifySettings()), {i.id: i for i in items})
    assert all("close" not in m.text for m, _ in made)  # the close is disputed: a note, not a sequence


def test_a_composed_sentence_the_verifier_refuses_is_not_written():
    items = {1: item(1, OPEN, "Granite Post"), 2: item(2, CLOSE, "Harbor Ledger")}
    docs = [Doc(i.id, i.outlet, i.text, i.title) for i in items.values()]
    chosen, pool, _ = select_with_pool(docs, 300)
    checker = ClaimChecker.from_settings(VerifySettings())
    ((made, _),) = reconcile(chosen, pool, checker, items)
    assert passes(made, checker, items)
    wrong = Made(
        doc=made.doc, start=made.start, end=made.end, position=0, sources=made.sources, made_text=made.text.replace("17%", "27%")
    )
    assert not passes(wrong, checker, items)
    # Every figure it states is a fact of the sentence it cites, with the time it gives.
    for source in made.sources:
        facts = sentence_facts(source.text)
        assert any(f"{f.text} {f.time_text}" in made.text for f in facts)


def test_a_story_over_days_gets_a_dated_timeline():
    day = timedelta(days=1)
    items = [
        item(1, OPEN, "Granite Post", NOW - 2 * day),
        item(
            2,
            "Regulators in Washington said on Tuesday they would review chip export rules after the Nvidia selloff. "
            "Lawmakers asked the commerce department for a briefing.",
            "Harbor Ledger",
            NOW - day,
        ),
        item(
            3,
            "Nvidia shares recovered 9% on Wednesday as analysts said the selloff had gone too far. "
            "Several brokers raised their price targets.",
            "The Northwire",
            NOW,
        ),
    ]
    article = ExtractiveWriter(WriteSettings()).write(story(*items))
    assert article is not None
    (timeline,) = [sec for sec in article.sections if sec.heading == TIMELINE_HEADING]
    dates = [next(i.published_at for i in items if i.id == p[0].citations[0].item_id) for p in timeline.paragraphs]
    assert len(dates) >= 2 and dates == sorted(dates) and len(set(dates)) == len(dates)
    # Verification keeps the section and its heading (a heading is a claim too).
    checked = verify_article(article, {i.id: i for i in items}, ClaimChecker.from_settings(VerifySettings()), Settings())
    assert checked.published is not None and TIMELINE_HEADING in [sec.heading for sec in checked.published.sections]


def test_headings_follow_the_story_and_are_checked():
    items = [item(1, OPEN, "Granite Post"), item(2, CLOSE, "Harbor Ledger"), item(3, OTHER, "The Northwire")]
    article = ExtractiveWriter(WriteSettings()).write(story(*items))
    assert article is not None
    headings = [sec.heading for sec in article.sections]
    assert any("Nvidia" in h or "Jensen Huang" in h for h in headings), headings
    checker = ClaimChecker.from_settings(VerifySettings())
    assert all(checker.check_label(h, items).verdict == "PASS" for h in headings)
    # A name no source gives is never offered as a heading's subject.
    assert all("Broadcom" not in h for h in heading_options("lead", []))
    assert set(SECTION_TITLES) >= {"lead", "figures", "quote", "context"}


def test_the_published_demo_dates_its_timelines_and_marks_composed_sentences(tmp_path):
    import re

    from conftest import published_demo

    room = published_demo(tmp_path / "room")
    pages = {p.name: p.read_text() for p in (room / "site" / "articles").glob("story-*.html")}
    dated = [html for html in pages.values() if f"<h2>{TIMELINE_HEADING}</h2>" in html]
    assert dated and all(re.search(r'<time class="timeline-date" datetime="[^"]+">\d{1,2} \w+ \d{4}</time>', h) for h in dated)
    composed = [html for html in pages.values() if 'class="composed-marker"' in html]
    assert composed and all("except those marked" in h for h in composed)


FIRE = [
    "A fire destroyed a furniture warehouse in Lakemont on Sunday night, and 40 firefighters fought the blaze for six hours. "
    "Fire chief Dana Whitlock said the cause was an electrical fault in the loading bay. "
    "Nobody was hurt, but the warehouse owner Keller Brothers estimated the damage at $4 million.",
    "Forty firefighters spent six hours fighting a fire that destroyed a Lakemont furniture warehouse on Sunday night. "
    "Dana Whitlock, the fire chief, said an electrical fault in the loading bay started the fire. "
    "Keller Brothers, which owns the warehouse, put the damage at $4 million.",
    "A Sunday night fire destroyed the Keller Brothers furniture warehouse in Lakemont, fire officials said. "
    "Fire chief Dana Whitlock blamed an electrical fault and said 40 firefighters had fought the blaze. "
    "Residents of nearby streets were told to keep their windows closed because of the smoke.",
]
OTHER_FIRE = (
    "A fire gutted the gymnasium of Brennan Falls High School early on Tuesday, the county sheriff Ortega Vance said. "
    "Investigators suspect arson after finding petrol cans near the school's rear entrance. "
    "Classes at the school will move to the Brennan Falls community hall for three weeks."
)


def fire_item(iid: int, text: str, outlet: str, title: str = "Fire destroys Lakemont furniture warehouse") -> Item:
    return Item(
        id=iid,
        source_id=iid,
        guid=f"g-{iid}",
        url=f"https://{iid}.example/a",
        canonical_url=f"https://{iid}.example/a",
        outlet=outlet,
        title=title,
        text=text,
        published_at=NOW,
        fetched_at=NOW,
    )


def test_an_item_about_another_event_of_the_same_kind_gives_the_article_nothing():
    outlets = ["Granite Post", "Harbor Ledger", "The Northwire"]
    items = [fire_item(k + 1, text, outlets[k]) for k, text in enumerate(FIRE)]
    items.append(fire_item(9, OTHER_FIRE, "Meridian Daily", "Arson suspected in Brennan Falls school fire"))
    article = ExtractiveWriter(WriteSettings()).write(story(*items))
    assert article is not None
    sentences = [article.dek, *sentences_of(article)]
    assert all(c.item_id != 9 for s in sentences for c in s.citations)
    assert all("Brennan" not in s.text for s in sentences)
    assert "Brennan" not in article.headline and all("Brennan" not in t for t in article.tags)
    assert {r.item_id for r in article.references} <= {1, 2, 3}
    # The story's own items still tell it.
    assert any("Whitlock" in s.text for s in sentences)


def test_a_sentence_about_another_event_is_dropped_but_never_from_a_single_item():
    aside = "In a separate case, crews in Corvin Bay put out a blaze at a bakery on Ashgrove Street before dawn on Monday."
    mixed = FIRE[1] + " " + aside
    both = [fire_item(1, FIRE[0], "Granite Post"), fire_item(2, mixed, "Harbor Ledger")]
    article = ExtractiveWriter(WriteSettings()).write(story(*both))
    assert article is not None
    texts = [s.text for s in [article.dek, *sentences_of(article)]]
    assert any("Whitlock" in t for t in texts)
    assert all("Corvin" not in t for t in texts)
    # One item: nothing else says which event is the story's, so nothing is judged off it.
    docs = [Doc(2, "Harbor Ledger", mixed)]
    _, pool, _ = select_with_pool(docs, 300)
    assert any("Corvin" in c.text for c in pool)


def test_a_report_in_other_words_about_the_same_actors_is_not_taken_for_another_event():
    from newsdesk.write.extractive import Doc, outlier_docs

    news = [
        "Velora Systems will cut 1,800 jobs at its Tallin plant, chief executive Mara Ilves said on Monday, as chip orders slump.",
        "Chip maker Velora Systems is to shed 1,800 jobs in Tallin after orders slumped, Mara Ilves told staff on Monday.",
        "Velora Systems plans 1,800 job cuts at the Tallin plant as orders for its chips slump, Mara Ilves said.",
    ]
    # The same actors in other words: an explainer with little vocabulary in common.
    explainer = (
        "What does it mean for Tallin? Mara Ilves has led Velora Systems since 2019; economists expect "
        "suppliers around the plant to feel the pinch, and the city council will meet unions next week."
    )
    # Another event of the same kind: its own company, place and people.
    other = (
        "Quorra Motors will lay off 600 staff in Brightwater, its founder Ivo Danner said, blaming weak car sales "
        "at the Brightwater works and a slower electric market."
    )
    docs = [Doc(n, f"Outlet {n}", t, publisher=f"o{n}.example") for n, t in enumerate(news)]
    kept = outlier_docs([*docs, Doc(10, "Explainer Daily", explainer, publisher="e.example")], 0.7)
    assert 10 not in kept
    dropped = outlier_docs([*docs, Doc(11, "Other Daily", other, publisher="x.example")], 0.7)
    assert dropped == {11}


def test_headings_name_things_as_the_sources_do():
    """ "Background on the Harbour Authority" (its sources say "the"), a hyphenated surname kept
    whole, and an embassy is no speaker."""
    from newsdesk.write.synthesis import _speakers, _with_article

    texts = [
        "The Harbour Authority said the north pier would reopen in May. Officials at the Harbour Authority blamed the storm.",
        "The Calder Embassy said it had not been told. Pier workers said they were paid in full, said Amira Ben-Salem.",
    ]
    assert _with_article("Harbour Authority", texts) == "the Harbour Authority"
    assert _with_article("Amira Ben-Salem", texts) == "Amira Ben-Salem"
    speakers = _speakers(texts)
    assert "Amira Ben-Salem" in speakers and not any(s.endswith("-") for s in speakers), speakers
    assert "Calder Embassy" not in speakers, speakers
    options = heading_options("context", [], dek="The Harbour Authority said the north pier would reopen in May.")
    assert options == ["Background on the Harbour Authority"], options


def test_the_article_before_a_name_is_the_name_s_only_where_no_noun_follows():
    """ "the Montana congressman-elect", "the Trump campaign": the "the" belongs to the noun after
    the name, so the heading is "Background on Montana", never "on the Montana"."""
    from newsdesk.write.synthesis import _with_article

    texts = [
        "The Norland congressman-elect pleaded guilty on Monday. The Norland election board met in Calder.",
        "A conviction in Norland carries a fine. The Norland Water Department was not involved.",
    ]
    assert _with_article("Norland", texts) == "Norland"
    texts = ["The Harbour Authority said on Monday the pier would reopen. A Harbour Authority spokesman agreed."]
    assert _with_article("Harbour Authority", texts) == "the Harbour Authority"


def test_a_name_or_tag_never_runs_over_a_line_break():
    """A memo's letterhead ("House of Representatives", then "The Honorable …" on the next line)
    was read as one long name and published as a tag."""
    from newsdesk.text.names import names
    from newsdesk.write.extractive import tags_for

    text = (
        "Calder Harbour Board\n\nThe Honourable Ilse Brandt\n\nChair\n\n"
        "Ilse Brandt told the Calder Harbour Board that the north pier would reopen in May. "
        "The Calder Harbour Board approved the plan, Ilse Brandt said."
    )
    assert not any("\n" in n for n in names(text)), names(text)
    items = [Item(1, 1, "g-1", "https://1.example/a", "https://1.example/a", "Outlet 1", "", text, NOW, NOW)]
    tags = tags_for(items, limit=10)
    assert tags and not any("\n" in t for t in tags), tags


def _items(texts: list[str]) -> list[Item]:
    """One outlet's item per text, all at ``NOW``."""
    return [
        Item(k + 1, k + 1, f"g-{k}", f"https://{k}.example/a", f"https://{k}.example/a", f"Outlet {k}", "", t, NOW, NOW)
        for k, t in enumerate(texts)
    ]


def test_no_heading_or_tag_is_a_peoples_adjective_or_a_piece_of_a_quoted_title():
    from newsdesk.write.extractive import tags_for
    from newsdesk.write.synthesis import _main_name

    texts = [
        "Chinese officials said the Calder tariffs would be answered. The Calder studio said its series "
        "\u201cHarbour Lights of the Old Town\u201d would return in June.",
        "Chinese buyers cancelled orders, Calder officials said. The studio confirmed \u201cHarbour Lights of the "
        "Old Town\u201d would return.",
    ]
    main = _main_name(texts)
    assert "Calder" in main and "Chinese" not in main and "Old Town" not in main, main
    items = _items(texts)
    tags = tags_for(items, limit=10)
    assert "Calder" in tags and not {"Chinese", "Old Town", "Harbour Lights"} & set(tags), tags


def test_speakers_are_ordered_the_same_in_every_process():
    """Tied speakers come in the order the texts name them, whatever the hash seed."""
    import subprocess
    import sys

    code = (
        "from newsdesk.write.synthesis import _speakers;"
        "print(_speakers(['Hedda Marr said it was wrong. Pavel Oskar said he was sorry. Britt Ekholm said so too.']))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code], env={"PYTHONHASHSEED": str(seed)}, capture_output=True, text=True, check=True
        ).stdout
        for seed in range(6)
    }
    assert seen == {"['Hedda Marr', 'Pavel Oskar', 'Britt Ekholm']\n"}, seen


def test_a_tag_is_a_name_not_a_title_case_headline_or_a_clause_s_opening():
    """Tags were "Why Calder Port Was Closed By The Harbour Board" (a headline in title case),
    "In June", "But Norland Press" and "of State Ilse Brandt" (a name's tail)."""
    from newsdesk.write.extractive import tags_for

    texts = [
        "Why Calder Port Was Closed By The Harbour Board\n\nIn June the Harbour Board closed Calder Port. "
        "But Norland Press reported that Secretary of State Ilse Brandt had asked for the closure.",
        "Why Calder Port Was Closed By The Harbour Board\n\nIn June the Harbour Board shut Calder Port for a month. "
        "But Norland Press said Secretary of State Ilse Brandt had not been told.",
    ]
    items = _items(texts)
    tags = tags_for(items, limit=10)
    assert {"Calder Port", "Harbour Board"} <= set(tags), tags
    assert not any(t.split()[0] in {"Why", "In", "But", "of"} or " By " in t for t in tags), tags
    # A name may begin on a word that is also a verb, and hold a small word in lower case or a capital.
    from newsdesk.write.extractive import _reads_as_a_name

    for name in ("Will Okafor", "May Lindqvist", "Friends Over Fences", "Bank of Calder", "The Hague"):
        assert _reads_as_a_name(name), name


def test_an_institution_named_with_and_is_one_tag_and_a_month_is_none():
    """ "Calder Water and Sewerage Department" was tagged as "Calder Water" and "Sewerage
    Department"; "Oct" (of "Oct. 3") was a tag. Two places joined by "and" stay two."""
    from newsdesk.write.extractive import _joined_by_and, tags_for

    texts = [
        "The Calder Water and Sewerage Department said on Oct. 3 it would cut off 4,000 homes in North Calder "
        "and West Denby. North Calder and West Denby officials objected on Oct. 4.",
        "Crews from the Calder Water and Sewerage Department began the cuts on Oct. 5 in North Calder "
        "and West Denby, and the Calder Water and Sewerage Department said more would follow.",
    ]
    items = _items(texts)
    tags = tags_for(items, limit=10)
    assert "Calder Water and Sewerage Department" in tags, tags
    assert not {"Calder Water", "Sewerage Department", "Oct"} & set(tags), tags
    assert {"North Calder", "West Denby"} <= set(tags), tags
    # A whole institution before "and" is one of two: "… Health System and Denby University".
    text = "Researchers at the Calder Health System and Denby University of Medicine led the study."
    assert _joined_by_and({"Calder Health System", "Denby University"}, text) == {"Calder Health System", "Denby University"}
