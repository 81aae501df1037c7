"""Typed facts: each figure of a sentence with its subject, measure, value and unit, time,
direction, modality and span — "respectively" lists, amounts "from" parties, ranges and
changes included — stored with the item they were read from by the enrich stage."""

from __future__ import annotations

from conftest import add_outlet_reports, make_newsroom, published_demo
from newsdesk.enrich import read_sentence_facts
from newsdesk.facts import MeasuredFact, sentence_facts, text_facts
from newsdesk.facts.compare import disputes, measure_phrase, why_not_comparable
from newsdesk.pipeline import run
from newsdesk.stages import Scope


def rows(sentence: str) -> list[tuple[str, str | None, str | None, str, str | None]]:
    return [(f.text, f.subject, f.measure, f.unit, f.time) for f in sentence_facts(sentence)]


def test_respectively_gives_each_figure_its_own_subject():
    s = "The selloff dragged down the market, with the S&P 500 and Nasdaq 100 declining by 2.3% and 3.6%, respectively."
    assert rows(s) == [("2.3%", "S&P 500", "index", "percent", None), ("3.6%", "Nasdaq 100", "index", "percent", None)]
    assert all(f.polarity == "down" and f.qualifier == "respectively" for f in sentence_facts(s))


def test_amounts_from_parties_belong_to_the_party():
    s = "OpenAI raised $10 billion, with $7.5 billion from SoftBank, and an additional $2.5 billion from a syndicate of investors."
    got = rows(s)
    assert got[0] == ("$10 billion", "OpenAI", "funding", "USD", None)
    assert got[1] == ("$7.5 billion", "SoftBank", "funding", "USD", None)
    assert got[2][0] == "$2.5 billion" and got[2][1] != "SoftBank" and got[2][2] == "funding"
    values = [f.value for f in sentence_facts(s)]
    assert values == [10e9, 7.5e9, 2.5e9]


def test_times_measures_and_modality():
    assert rows("Nvidia shares fell 13% at the open and closed down 17%.") == [
        ("13%", "Nvidia", "shares", "percent", "open"),
        ("17%", "Nvidia", "shares", "percent", "close"),
    ]
    staff = sentence_facts("Microsoft, which employs 228,000 people, will cut 6,000 jobs; it laid off 10,000 last year.")
    assert [(f.measure, f.time, f.modality) for f in staff] == [
        ("headcount", None, "asserted"),
        ("jobs cut", None, "future"),
        ("jobs cut", "last year", "asserted"),
    ]
    worth, loss = (
        sentence_facts(x)[0]
        for x in ("Nvidia's market value was still about $3 trillion.", "Nvidia lost $593 billion in market value.")
    )
    assert worth.measure == loss.measure == "market value" and worth.approx and not loss.approx
    assert measure_phrase(loss) == "Nvidia's loss in market value" and measure_phrase(worth) == "Nvidia's market value"
    assert why_not_comparable(worth, loss) is not None  # a level is not a one-day loss


def test_ranges_changes_and_lists():
    (range_,) = sentence_facts("The company said it expects between 10 and 20 stores to close.")
    assert (range_.value, range_.high, range_.measure, range_.modality) == (10, 20, "store", "hedged")
    before, after = sentence_facts("Unemployment rose from 3.5% to 4.1% last year.")
    assert before.qualifier == "earlier value" and after.value == 4.1 and after.polarity == "up"
    listed = rows("Halden Robotics cut 1,600 jobs, Marisco Foods 1,100 and Pell Ardent 700.")
    assert [(t, s, m) for t, s, m, _, _ in listed] == [
        ("1,600", "Halden Robotics", "jobs cut"),
        ("1,100", "Marisco Foods", "jobs cut"),
        ("700", "Pell Ardent", "jobs cut"),
    ]
    assert rows("Shares of the company rose 5% after the April 14 report at 10 a.m. [3]")[0][0] == "5%"
    assert len(rows("Shares of the company rose 5% after the April 14 report at 10 a.m. [3]")) == 1  # no day, clock or mark


def test_spans_point_into_the_text_and_facts_round_trip():
    text = "Velora Systems will cut 1,800 jobs. Its shares fell 6% in early trading."
    found = list(text_facts(text))
    assert [text[f.start : f.end] for f in found] == ["1,800", "6%"]
    assert text[found[1].sentence_start : found[1].sentence_end].startswith("Its shares")
    assert all(MeasuredFact.from_dict(f.to_dict()) == f for f in found)


def test_disputes_need_the_same_subject_measure_and_time():
    (a,) = sentence_facts("Velora shares fell 6% in early trading.")
    (b,) = sentence_facts("Velora shares fell 9% at the close.")
    (c,) = sentence_facts("Velora shares fell 9% at the open.")
    (d,) = sentence_facts("Marisco shares fell 9% at the open.")
    assert not disputes(a, b) and "times" in (why_not_comparable(a, b) or "")
    assert disputes(a, c)
    assert not disputes(c, d) and "entities" in (why_not_comparable(c, d) or "")


def test_enrich_stores_the_facts_of_each_outlet_report(tmp_path, monkeypatch):
    room = make_newsroom(tmp_path / "room", '\n[write]\nmin_tier = "brief"\n')
    texts = [
        "Velora Systems will cut 1,800 jobs in Tallin, the company said.",
        "Velora Systems is laying off 1,800 workers in Tallin.",
        "Velora Systems is laying off workers in Tallin, its union said.",  # no figure: read once all the same
    ]
    add_outlet_reports(room, texts, "Velora cuts jobs")
    run(room, ("stories",))
    (story,) = room.store.stories(status="open")
    assert read_sentence_facts(room.store, room.settings, Scope()) == 2
    stored = room.store.item_facts_of_story(story.id)
    assert sorted((f.subject, f.measure, f.value) for _, f in stored) == [("Velora Systems", "jobs cut", 1800.0)] * 2
    items = {i.id: i for i in room.store.stories(status="open")[0].items}
    assert all(items[item_id].text[f.start : f.end] == "1,800" for item_id, f in stored)  # provenance: the exact span
    import newsdesk.facts

    reads: list[str] = []
    real = newsdesk.facts.text_facts
    monkeypatch.setattr(newsdesk.facts, "text_facts", lambda text: reads.append(text) or real(text))
    assert read_sentence_facts(room.store, room.settings, Scope()) == 0
    assert reads == []  # each item is read once, the one without figures too
    assert len(room.store.items_read_for_facts(story.id)) == 3
    room.close()


def test_facts_export_and_the_sources_panel(tmp_path):
    """`newsdesk facts --format json` holds to its schema, each fact's span is its figure in the
    item's text, and the article page lists the facts of the sentences it cites."""
    import json
    from pathlib import Path

    import jsonschema
    from typer.testing import CliRunner

    from newsdesk.cli import app

    room = published_demo(tmp_path / "room")
    runner = CliRunner()
    result = runner.invoke(app, ["facts", "--format", "json", "--dir", str(room)], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    schema = json.loads((Path(__file__).resolve().parent.parent / "docs" / "schemas" / "facts.schema.json").read_text())
    jsonschema.validate(out, schema)
    facts = [(s["story_id"], f) for s in out for f in s["facts"]]
    assert facts and any(f["cited"] for _, f in facts)
    for _, f in facts:
        assert f["sentence"][f["start"] - f["sentence_start"] : f["end"] - f["sentence_start"]] == f["text"]
    # The Velora story's job cuts, named and measured, with the page listing them by source.
    story_id, cut = next((sid, f) for sid, f in facts if f["cited"] and f["measure"] == "jobs cut")
    page = (room / "site" / "articles" / f"story-{story_id}.html").read_text()
    assert "Figures in the cited sentences" in page and f"<td>{cut['text']}" in page
    one = runner.invoke(app, ["facts", "--story", str(story_id), "--format", "json", "--dir", str(room)])
    assert [s["story_id"] for s in json.loads(one.stdout)] == [story_id]
    missing = runner.invoke(app, ["facts", "--story", "99999", "--dir", str(room)])
    assert missing.exit_code != 0 and "no story 99999" in missing.output


def test_numbers_inside_names_and_addresses_are_no_facts():
    """ "a Class 4 storm", "Chapter 11", "the 300 block of", "4Sight Radio": the number is part of
    a name or an address, never a quantity to chart or dispute."""
    assert rows("The Class 4 storm drifted east of the Tarrow Islands.") == []
    assert rows("Brimley filed for Chapter 11 protection on Friday.") == []
    assert rows("Officers were called to the 300 block of Quarry Lane.") == []
    assert rows("Hosts at 4Sight Radio apologised.") == []
    assert [r[0] for r in rows("The runner covered 5km in the heat.")] == ["5"]  # a unit glued on still counts


def test_a_figure_takes_a_list_measure_only_inside_the_list():
    # "five" follows a speed, but not as the list's next entry: it is no speed.
    (speed, calls) = sentence_facts("The ferry sails at 14 knots and the crew said it stopped five times.")
    assert speed.measure == "speed" and calls.measure != "speed"


def test_a_firm_subject_is_the_figures_actor():
    from newsdesk.facts import firm_subject

    def firm(sentence: str) -> list[tuple[str, str | None, bool]]:
        return [(f.text, f.subject, firm_subject(sentence, f)) for f in sentence_facts(sentence)]

    assert firm("Velora Systems said on Tuesday it will cut 1,800 jobs.") == [("1,800", "Velora Systems", True)]
    assert firm("Nvidia shares fell 13% at the open and closed down 17%.") == [("13%", "Nvidia", True), ("17%", "Nvidia", True)]
    assert all(ok for _, _, ok in firm("Halden Robotics cut 1,600 jobs, Marisco Foods 1,100 and Pell Ardent 700."))
    assert firm("Mayor Orla Penn said the city expects 4,000 evacuees.")[0][2] is False  # the speaker
    assert firm("The Tern cheerleaders won a $325,000 settlement.")[0][2] is False  # "Tern" modifies another noun
    assert firm("Marl Foods' four Dunmore stores saw sales drop 30 percent.")[-1][2] is False  # "Dunmore" modifies "stores"
    assert firm("Police arrested Jon Ode, 29, of Barre.")[0][2] is False  # behind a comma


def test_a_firm_subject_past_an_appositive_or_before_its_own_premiere():
    """ "Dana Holt, an investor, has …": a lower-case appositive only re-describes the name; "the
    Harbor Nights premiere drew …": a title's airing is the title's figure. A speaker behind an
    appositive, a party qualifying another noun and an age appositive stay refused."""
    from newsdesk.facts import firm_subject

    def firm(sentence: str) -> list[tuple[str, str | None, bool]]:
        return [(f.text, f.subject, firm_subject(sentence, f)) for f in sentence_facts(sentence)]

    assert firm("Dana Holt, an investor, has a net worth of about $2.4bn.") == [("$2.4bn", "Dana Holt", True)]
    assert firm("Brannock, the chipmaker, lost $600 billion in market value.") == [("$600 billion", "Brannock", True)]
    assert firm("The Harbor Nights premiere drew nearly 5.1 million viewers.") == [("5.1 million", "Harbor Nights", True)]
    assert firm("Mayor Orla Penn, the city's leader, said the city expects 4,000 evacuees.")[0][2] is False
    assert firm("The Tern cheerleaders won a $325,000 settlement.")[0][2] is False
    assert firm("Jon Ode, 29, of Barre, raised $3 million.")[-1][2] is False  # not a lower-case appositive
    assert firm("Dana Holt, an investor, and Ivo Brandt, raised $3 million.")[-1][2] is False  # another name between


def test_a_past_level_at_no_time_is_marked():
    from newsdesk.facts import past_level

    (then,) = sentence_facts("Back then the magazine listed her net worth at $1.2 billion.")
    (now,) = sentence_facts("Her net worth is about $2 billion.")
    assert past_level("Back then the magazine listed her net worth at $1.2 billion.", then)
    assert not past_level("Her net worth is about $2 billion.", now)


def test_a_figure_joined_to_its_noun_counts_that_noun():
    (beds,) = sentence_facts("Officials opened a new 2,400-bed prison outside Marlow.")
    (pages,) = sentence_facts("The agency released a 31-page report on Tuesday.")
    assert (beds.value, beds.measure) == (2400, "bed")
    assert (pages.value, pages.measure) == (31, "page")
    (age,) = sentence_facts("A 7-year-old boy was found safe.")
    assert age.measure != "year-old"


def test_a_possessor_before_the_figure_is_its_subject():
    (novels,) = sentence_facts("Adapted by Cal Omer from Rhea Lund's three novels, the series runs long.")
    assert novels.subject == "Rhea Lund"


def test_a_place_gives_way_to_the_actor_earlier_in_the_sentence():
    facts = sentence_facts("Tomas Rell, who grew up in Ostrava and moved to Brno at 14, won $2 million.")
    assert {f.value: f.subject for f in facts}.get(2_000_000) == "Tomas Rell"
    moved = [f for f in facts if f.value == 14]
    assert not moved or moved[0].subject != "Brno"


def test_money_verbs_say_what_a_sum_is_and_leave_counts_alone():
    # Sentences written for this test, not taken from the labelled set.
    assert [f.measure for f in sentence_facts("Orvane Labs lost $212 million last year.")] == ["loss"]
    assert [f.measure for f in sentence_facts("The county owes $48,120 in back taxes.")] == ["debt"]
    assert [f.measure for f in sentence_facts("In all, the founder made an estimated $90 million.")] == ["income"]
    assert [f.measure for f in sentence_facts("The city spent $3.2 million on the bridge.")] == ["spending"]
    # A share move with the same verb stays a share move.
    assert [f.measure for f in sentence_facts("Orvane Labs shares lost 5% on Tuesday.")] == ["shares"]
    assert [f.measure for f in sentence_facts("Tariffs now cover $18 billion in steel imports.")] == ["import"]
    assert [f.measure for f in sentence_facts("The plan brings a 4 percent cut in all state spending.")] == ["spending"]


def test_settlements_ages_injuries_and_parenthetical_counts():
    assert [f.measure for f in sentence_facts("The league also settled -- for $2.4 million in May.")] == ["settlement"]
    assert [f.measure for f in sentence_facts("The trial enrolled children from the age of 9.")] == ["age"]
    assert [f.measure for f in sentence_facts("Four passengers died; the other two had minor injuries.")] == ["deaths", "injured"]
    assert next((f.value, f.measure) for f in sentence_facts("Nine (12%) patients had a fever.")) == (9, "patient")
    assert [f.measure for f in sentence_facts("Jobless rates were 6 percent in the north.")] == ["rate"]


def test_datelines_records_decades_and_phone_numbers_are_not_facts():
    (seven,) = sentence_facts("TROY, NY (WXYZ 7) – Five students were charged on Monday.")
    assert (seven.value, seven.subject) == (5, None)
    assert sentence_facts("She had been 1-4 against her rival before the final.") == []
    assert sentence_facts("The band's sound recalls the '60s-'70s club scene.") == []
    assert sentence_facts("(Press contact: J. Doe, 212-555-0143)") == []


def test_an_appositive_figure_describes_its_name_and_a_place_after_it_is_not_its_subject():
    (beds,) = sentence_facts("The singer spent a night at Harlow Ridge, a new 1,200-bed county jail near the river.")
    assert beds.subject == "Harlow Ridge" and beds.measure == "bed"
    (meeting,) = sentence_facts("They hosted at least one meeting in Portland.")
    assert meeting.subject is None
    (stake,) = sentence_facts("The fund bought a 5% stake in Orvane Labs.")
    assert stake.subject == "Orvane Labs"


def test_a_compared_name_a_fronted_clause_and_a_price_compared_with_give_the_right_subject():
    (ratio,) = sentence_facts("Venus holds far more sulphur in its clouds than Jupiter does, nine times as much.")
    assert ratio.subject == "Venus"
    (bail,) = sentence_facts("After posting bail of $500, Morrow left the county courthouse.")
    assert (bail.subject, bail.measure) == ("Morrow", "bail")
    (premium,) = sentence_facts("The offer is a premium of 22 percent to Halvard Oil's closing price on Tuesday.")
    assert (premium.subject, premium.measure, premium.time_text) == ("Halvard Oil", "premium", "on Tuesday")
    (fall,) = sentence_facts("Shares of Halvard Oil fell 4% at the close.")
    assert (fall.subject, fall.time) == ("Halvard Oil", "close")
    (bank,) = sentence_facts("Bank of Tarrow shares fell 3%.")
    assert bank.subject == "Bank of Tarrow"


def test_ages_subsets_likelihoods_versus_pairs_and_dash_ranges():
    assert [f.measure for f in sentence_facts("In May 2019, Mira — then 6 — fell ill at school.")] == ["age"]
    assert [f.measure for f in sentence_facts("Okafor, who moved to Leeds at 14, signed on Friday.")] == ["age"]
    assert [f.measure for f in sentence_facts("Adults under 40 were 20 percent more likely to recover.")] == ["age", "likelihood"]
    assert [f.measure for f in sentence_facts("Of 60 patients tested, 45 (75%) had a cough.")] == ["patient", "patient", "share"]
    assert [f.measure for f in sentence_facts("Survival was higher for younger patients (64 percent versus 51 percent).")] == [
        "share",
        "share",
    ]
    (walk,) = sentence_facts("The flint was carried from 10-40 km away.")
    assert (walk.value, walk.high, walk.measure) == (10, 40, "distance")
    # Not ages: a price the market opened at, a figure with a noun after it.
    assert [f.measure for f in sentence_facts("The index closed at 85 in Tokyo.")] == [None]


def test_nationalities_modifiers_and_tags_are_no_subjects():
    (award,) = sentence_facts("A Peruvian fisherman who sued the port authority won $30,000 in damages.")
    assert award.subject is None
    (theft,) = sentence_facts("Police seek a man posing as a Corvane employee who took $9,000 worth of phones.")
    assert theft.subject is None
    (deaths,) = sentence_facts("In the town of Arvel just outside Monterra, two people died.")
    assert deaths.subject == "Arvel"


def test_fines_donations_compared_risks_and_quoted_shares():
    assert [f.measure for f in sentence_facts("The firm will pay a civil penalty of $25,000.")] == ["fine"]
    assert [f.measure for f in sentence_facts("He pledged to donate $10,000 to the shelter.")] == ["donation"]
    assert [f.measure for f in sentence_facts("Smokers had a 40 percent higher risk of stroke.")] == ["risk"]
    assert [f.measure for f in sentence_facts("The ridge accounts for “about 20 per cent” of rescues.")] == ["share"]


def test_calendar_dates_and_periods_date_a_figure_but_a_statement_day_does_not():
    (lions,) = sentence_facts("Seven lions died on March 9 in the reserve.")
    assert (lions.time, lions.time_text) == ("date:03-09", "on March 9")
    (eclipse,) = sentence_facts("There was a 6 percent eclipse on Nov. 3, 2013, and none since.")
    assert eclipse.time == "date:2013-11-03"
    (fall,) = sentence_facts("Output fell 5% from June 2005 through March 2006.")
    assert (fall.subject, fall.time) == (None, "years:2005-2006")
    (award,) = sentence_facts("The club won $80,000 in compensation, its lawyer said Monday.")
    assert award.time is None
    (cut,) = sentence_facts("Velora cut 1,800 jobs on Monday.")
    assert cut.time == "day:monday"


def test_a_range_takes_the_unit_and_noun_written_after_its_last_number():
    (share,) = sentence_facts("Sixty to 70% of Corvane's customers renewed.")
    assert (share.value, share.high, share.unit, share.measure) == (60, 70, "percent", "share")
    (level,) = sentence_facts("Her readings stayed between 95 and 99%.")
    assert (level.value, level.high, level.unit) == (95, 99, "percent")


def test_a_wire_dateline_an_age_in_a_park_and_a_sum_won():
    (award,) = sentence_facts("Lisbon (AFP) - A farmer has won more than $20,000 in compensation.")
    assert (award.subject, award.measure) == (None, "compensation")
    (age,) = sentence_facts("Rangers in Arvel Park said a ranger's three-year-old son was hurt.")
    assert (age.subject, age.measure) == (None, "age")
    (prize,) = sentence_facts("The quiz champion won $500 on Friday.")
    assert prize.measure == "prize"
    (damages,) = sentence_facts("She won $2 million in damages.")
    assert damages.measure == "damage"


def test_a_speaker_is_not_the_subject_of_the_figure_they_report_unless_it_is_their_own():
    (odds,) = sentence_facts(
        "Ranger Mila Orsk said that if one fox tests positive, it is 90 percent certain others are infected."
    )
    assert odds.subject is None
    (angle,) = sentence_facts("Vexwire reports that researchers found the arm was held out at about 45 degrees.")
    assert angle.subject is None
    # The report is about the speaker: "it", "he", "the company" point back to them.
    (sold,) = sentence_facts("Halvard Oil said it sold 400 barrels last week.")
    assert sold.subject == "Halvard Oil"
    (hired,) = sentence_facts("Corrin told the unions he would hire back 3,500 workers.")
    assert hired.subject == "Corrin"
    # A name inside the report still owns its figure.
    (fine,) = sentence_facts("Ranger Mila Orsk said Tarrow Mills paid $20,000 in fines.")
    assert fine.subject == "Tarrow Mills"


def test_deaths_after_have_been_killed_and_more_of_a_noun():
    assert [f.measure for f in sentence_facts("In Arvel three people have been killed and nine injured.")] == [
        "deaths",
        "injured",
    ]
    assert [f.measure for f in sentence_facts("Heavy drinkers had 40 percent more strokes.")] == ["stroke"]
    assert [f.measure for f in sentence_facts("The crew worked three straight days and drove 40 more miles.")] == [
        "duration",
        "distance",
    ]


def test_a_name_that_only_renames_an_object_is_not_the_actor():
    (gift,) = sentence_facts("Marlow apologized to the reporter, Iva Lent, and pledged to donate $5,000 to a press charity.")
    assert (gift.subject, gift.measure) == ("Marlow", "donation")


def test_a_name_between_a_count_and_its_noun_says_whose_they_are():
    (guards,) = sentence_facts("The man was in the custody of two uniformed Secret Service officers.")
    assert (guards.subject, guards.measure) == ("Secret Service", "officer")


def test_a_figure_in_an_appositive_takes_no_time_from_the_main_clause():
    (town,) = sentence_facts("The families fled to Orvel, a town 30km from Tarrow, on Thursday.")
    assert (town.subject, town.measure, town.time_text) == ("Orvel", "distance", None)
    (troops,) = sentence_facts("Early Thursday, a group of around 20 soldiers were shown on television.")
    assert troops.time_text == "Thursday"


def test_a_percent_of_certainty_is_a_likelihood():
    (sure,) = sentence_facts('Officer Ana Kell said it is "almost 100 percent" certain that other foxes carry it.')
    assert sure.measure == "likelihood"


def test_an_age_is_dated_only_by_a_time_in_its_own_aside():
    (died,) = sentence_facts("Orlov, who died in December at the age of 94, wrote the letter in April.")
    assert (died.measure, died.time_text) == ("age", "in December")
    (aged,) = sentence_facts("In 2019 the clinic treated Mira, 6, for a cough.")
    assert (aged.measure, aged.time) == ("age", None)


def test_a_time_of_day_dates_a_figure_and_keeps_its_relation():
    (shared,) = sentence_facts("The first 10 episodes of the season were shared shortly before 6 a.m.")
    assert (shared.time, shared.time_text) == ("clock:before 6:00a", "shortly before 6 a.m.")
    (found,) = sentence_facts("Police found 3 bags around 10:40 p.m. on Wednesday.")
    assert found.time == "clock:10:40p"
    # "before 6 a.m." and "at 6 a.m." are different moments: two such figures are no dispute.
    (at,) = sentence_facts("The first 12 episodes of the season were shared at 6 a.m.")
    assert at.time != shared.time


def test_a_passage_of_two_sentences_is_read_a_sentence_at_a_time():
    from newsdesk.facts import passage_facts, sentence_facts

    first = "Calder Ferries will cut 240 jobs at its Norland yard, chief executive Ilse Brandt said on Monday."
    second = "Its rival Wend Lines said bookings rose 12% in May."
    passage = f"{first} {second}"
    facts = passage_facts(passage)
    assert [f.text for f in facts] == ["240", "12%"]
    # Each figure's sentence is its own, not the whole passage.
    assert facts[0].sentence_end <= len(first) and facts[1].sentence_start == len(first) + 1
    assert passage_facts(first) == sentence_facts(first)
