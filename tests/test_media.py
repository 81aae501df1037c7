"""Media: charts only from verified figures, parts that add up, deterministic SVG that a
browser renders, video prompts with no fact outside the article and the constraints always on."""

import re
import shutil
from dataclasses import replace

import pytest

from newsdesk.config import Settings
from newsdesk.media import media_for
from newsdesk.media.charts import bar_chart, chart_title
from newsdesk.media.figures import Point, Series, check_points, check_whole, comparable_series
from newsdesk.media.video import NEGATIVE, video_prompt
from newsdesk.records import Article, ArticleSentence, Citation, ClaimCheck, Reference, Section
from newsdesk.text.numbers import figures


def s(text, ref=1):
    return ArticleSentence(text, [Citation(ref, ref, 0, 10)])


PARTS = [
    s("In total, 4,100 factory jobs were lost in the region.", 1),
    s("Halden Robotics cut 1,600 jobs, Marisco Foods 1,100 and Pell Ardent 700.", 2),
    s("Agnes Mbatha said retraining places would double.", 3),
]


def article(sentences, tier="major"):
    return Article(
        story_id=7,
        headline="Region lost 4,100 factory jobs",
        dek=sentences[0],
        sections=[Section("What happened", [sentences[1:]])],
        references=[Reference(n, n, "Wire", "t", f"https://x.example/{n}", None) for n in (1, 2, 3)],
        tags=[],
        tier=tier,
        byline="b",
        writer="extractive",
    )


def claims(sentences, verdict="PASS"):
    return [ClaimCheck(index=k, text=x.text, verdict=verdict) for k, x in enumerate(sentences)]


def test_points_trace_to_verified_claims_and_others_is_explicit():
    (series,) = comparable_series(PARTS)
    points, reason = check_whole(series)
    assert reason is None
    assert [(p.label, p.value) for p in points] == [
        ("Halden Robotics", 1600),
        ("Marisco Foods", 1100),
        ("Pell Ardent", 700),
        ("Others", 700),
    ]
    texts = {x.text for x in PARTS}
    assert all(p.claim in texts for p in points)
    assert points[0].refs == (2,) and points[-1].refs == (1,)


def test_parts_that_exceed_the_total_are_not_drawn(caplog):
    bad = [s("In total, 2,000 factory jobs were lost in the region.", 1), PARTS[1], PARTS[2]]
    media = media_for(article(bad), claims(bad), Settings())
    assert media.chart is None and "more than the stated total" in media.chart_skipped


def test_unverified_figures_never_reach_a_chart():
    verdicts = claims(PARTS)
    verdicts[1].verdict = "REVIEW"
    assert media_for(article(PARTS), verdicts, Settings()).chart is None


def test_fewer_than_three_points_no_chart():
    two = [s("Halden Robotics cut 1,600 jobs and Marisco Foods 1,100.", 1), s("The office said so.", 2), s("Nothing else.", 3)]
    assert media_for(article(two), claims(two), Settings()).chart is None


def test_svg_is_deterministic_accessible_and_text_stays_text():
    (series,) = comparable_series(PARTS)
    points, _ = check_whole(series)
    one, two = bar_chart(series, points, "h"), bar_chart(series, points, "h")
    assert one.svg == two.svg
    assert one.svg.startswith("<svg") and 'role="img"' in one.svg
    assert re.search(r"<title>Jobs cut by organisation</title><desc>.*Others 700", one.svg)
    assert ">Halden Robotics<" in one.svg  # a text element, not glyph paths
    assert "Source: [1], [2]" in one.svg


def test_video_prompt_uses_only_the_article_and_keeps_constraints():
    a = article(PARTS)
    prompt = video_prompt(a, PARTS, ["no city skylines"])
    assert 3 <= len(prompt.shots) <= 5
    article_text = " ".join(x.text for x in a.sentences())
    for shot in prompt.shots:
        assert shot.on_screen_text in article_text or shot.on_screen_text in ("Breaking", "By the numbers", "What comes next")
    for line in prompt.narration:
        assert line in article_text
    article_figures = {f.value for x in a.sentences() for f in figures(x.text)}
    assert {f.value for f in figures(prompt.text())} - {float(n) for n in range(0, 61)} <= article_figures
    for constraint in NEGATIVE + ["no city skylines"]:
        assert constraint in prompt.text()
    assert "no subtitles" in prompt.text() and "do not include captions" in prompt.text()


def test_video_scenes_come_from_the_story():
    story = [
        s("Dockworkers at the Port of Calder returned to the cranes on Monday after the union backed a two-year deal.", 1),
        s("Container ships queued outside the harbour for nine days during the 6% pay dispute.", 2),
        s("The port's two container terminals will run night shifts to clear the backlog.", 3),
    ]
    prompt = video_prompt(article(story), story)
    text = " ".join(x.text.lower() for x in story)
    scenes = [shot.scene for shot in prompt.shots]
    assert "cranes" in scenes[0].lower() and "Port of Calder" in scenes[0]
    specific = [sc for sc in scenes if "no faces" in sc and not sc.startswith("The same place")]
    assert len(specific) >= 2
    for scene in specific:  # every thing filmed is named in a verified sentence
        things = scene.split(" in ")[0].split(",")[0].replace(" and ", ",").split(",")
        assert all(t.strip().lower() in text for t in things if t.strip()), scene
    assert not any("newsroom desk" in sc or "bar shapes" in sc for sc in scenes)


def test_social_post_fits():
    media = media_for(article(PARTS), claims(PARTS), Settings())
    assert len(media.social) <= 280 and media.social.endswith("articles/story-7.html")
    assert media.video is not None  # a major story
    assert media_for(article(PARTS, "standard"), claims(PARTS), Settings()).video is None


def test_demo_chart_on_the_page_and_in_a_browser(tmp_path, demo_server):
    from conftest import make_newsroom
    from newsdesk.pipeline import run

    room = make_newsroom(tmp_path / "room")
    for name, url in demo_server.feed_urls():
        room.store.add_source(url, name=name)
    report = run(room)
    assert report.media.charts >= 1
    pages = [p for p in (room.site_dir / "articles").glob("*.html") if 'class="chart"' in p.read_text()]
    assert pages
    html = pages[0].read_text()
    assert ("Data behind the chart" in html and "Short-video prompt" in html) or "Social post" in html
    chromium = shutil.which("chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    if not chromium:
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            page = browser.new_page()
            page.goto(pages[0].as_uri())
            box = page.locator("figure.chart svg").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100
            shot = page.locator("figure.chart svg").screenshot()
            assert len(shot) > 2000  # a real picture, not an empty box
        finally:
            browser.close()
    room.close()


def test_values_over_time_become_a_line_in_time_order():
    timeline = [
        s("Ridership reached 41,000 passengers in 2024, the transport authority said.", 1),
        s("There were 32,000 passengers in 2022 and 36,500 passengers in 2023.", 2),
    ]
    (series,) = comparable_series(timeline)
    assert series.over_time and [p.label for p in series.points] == ["2022", "2023", "2024"]
    chart = bar_chart(series, series.points, "Ridership")
    assert (chart.title == "Passengers by period" and "<polyline" in chart.svg) or "<path" in chart.svg
    assert "32,000" in chart.svg and "41,000" in chart.svg


MARKETS = [
    s("The selloff dragged down the market, with the S&P 500 and Nasdaq 100 declining by 2.3% and 3.6%, respectively.", 1),
    s("The Dow Jones Industrial Average fell 1.1% on the day.", 2),
    s("Analysts said the selloff could continue.", 3),
]
FUNDING = [
    s("OpenAI raised $10 billion, with $7.5 billion from SoftBank, and an additional $2.5 billion from Thrive Capital.", 1),
    s("Microsoft invested $13 billion in the company over four years, Contoso said.", 2),
    s("Microsoft said the round values OpenAI at $300 billion.", 3),
]


def test_chart_rows_are_each_facts_own_subject_and_one_measure():
    (series,) = comparable_series(MARKETS)
    assert [(p.label, p.value) for p in series.points] == [
        ("S&P 500", 2.3),
        ("Nasdaq 100", 3.6),
        ("Dow Jones Industrial Average", 1.1),
    ]
    funding = [x for x in comparable_series(FUNDING, min_points=2) if x.measure == "funding"]
    assert [(p.label, p.value) for p in funding[0].points] == [("OpenAI", 10e9), ("SoftBank", 7.5e9), ("Thrive Capital", 2.5e9)]
    # The valuation is another measure: never a row beside the investments.
    assert all(p.value != 300e9 for x in comparable_series(FUNDING, min_points=1) if x.measure == "funding" for p in x.points)


def test_premieres_are_charted_by_title_and_the_title_names_what_is_counted():
    """Three shows' premiere audiences: each row the show the sentence gives it to, the title in
    the claims' own word ("Viewers"), not "by organisation"; job cuts still "by organisation"."""
    shows = [
        s("The Harbor Nights premiere drew nearly 5.1 million viewers.", 1),
        s("Tellwave averaged 4 million viewers across its comedies, while Quill Street pulled in 3.2 million viewers.", 2),
    ]
    (series,) = comparable_series(shows)
    assert [(p.label, p.value) for p in series.points] == [
        ("Harbor Nights", 5.1e6),
        ("Tellwave", 4e6),
        ("Quill Street", 3.2e6),
    ]
    assert chart_title(series) == "Viewers compared"
    jobs = [s("Halden Robotics cut 1,600 jobs.", 1), s("Marisco Foods cut 1,100 jobs.", 2), s("Pell Ardent cut 700 jobs.", 3)]
    assert chart_title(comparable_series(jobs)[0]) == "Jobs cut by organisation"
    # The cheerleaders' settlement is not the club's: two rows are too few for a chart.
    squads = [
        s("The Tern cheerleaders won a $325,000 settlement.", 1),
        s("Ostby reached a settlement of $825,000.", 2),
        s("Varden agreed to a settlement of $400,000.", 3),
    ]
    assert all(p.label != "Tern" for x in comparable_series(squads, min_points=1) for p in x.points)


def test_a_planted_wrong_row_is_refused():
    (series,) = comparable_series(MARKETS)
    wrong_index = Series(
        series.measure, series.kind, [replace(series.points[1], label="Nasdaq 100", value=2.3, text="2.3%"), *series.points[2:]]
    )
    assert check_points(wrong_index) and "S&P 500" in check_points(wrong_index)[0]
    funding = next(x for x in comparable_series(FUNDING, min_points=2) if x.measure == "funding")
    softbank = next(p for p in funding.points if p.label == "SoftBank")
    planted = Series("funding", "money", [replace(softbank, value=2.5e9, text="$2.5 billion"), *funding.points])
    assert check_points(planted)  # "$2.5 billion" is Thrive Capital's, not SoftBank's
    assert check_points(Series("funding", "money", [Point("Monday", 7.5e9, "$7.5 billion", (1,), FUNDING[0].text)]))
    assert check_points(funding) == []


def test_rows_need_a_firm_subject_a_real_measure_and_one_entity_each():
    """A speaker is no row ("Governor Ilsa Vane said the region lost 700 jobs"), a unit is no
    measure (knots of three ferries' captains), one person is not two rows ("Ama Roe" and "Roe"),
    and outlets repeating one figure under two names are one fact, not two rows."""
    firm = [s("Halden Robotics cut 1,600 jobs.", 1), s("Marisco Foods cut 1,100 jobs.", 2)]
    assert comparable_series([*firm, s("Governor Ilsa Vane said the region lost 700 jobs.", 3)]) == []
    assert [p.label for x in comparable_series([*firm, s("Pell Ardent cut 700 jobs.", 3)]) for p in x.points] == [
        "Halden Robotics",
        "Marisco Foods",
        "Pell Ardent",
    ]
    speeds = [
        s(f"Captain {name} sailed at {k} knots.", n)
        for n, (name, k) in enumerate([("Ilse Moor", 14), ("Ode Rask", 18), ("Lia Fenn", 22)])
    ]
    assert comparable_series(speeds) == []
    twice = [s("Ama Roe raised $2 million.", 1), s("Roe raised $3 million.", 2), s("Ito Hale raised $1 million.", 3)]
    assert comparable_series(twice) == []
    foods = [s("Desmond Foods cut 1,600 jobs.", 1), s("Marisco Foods cut 1,100 jobs.", 2), s("Pell Ardent cut 700 jobs.", 3)]
    assert len(comparable_series(foods)) == 1  # two companies may share a word
    repeated = [*firm, s("Brennet Homes cut 1,100 jobs.", 3)]  # another outlet's name for the 1,100
    assert comparable_series(repeated) == []
