"""Story clustering and ranking on a real SQLite store."""

from datetime import UTC, datetime, timedelta

from newsdesk.pipeline import run
from newsdesk.records import NewItem
from newsdesk.stories.rank import tier_for

NOW = datetime.now(UTC)

ROUND_ONE = [
    (
        "Orrin Motors to cut 2,000 jobs at Delft Road plant",
        "Orrin Motors will cut 2,000 jobs at its Delft Road plant, the carmaker said, blaming weak demand for its petrol saloons. "
        "The layoffs will be completed by June. Chief executive Aldo Brenner said the plant would switch to building parts.",
    ),
    (
        "Carmaker Orrin announces 2,000 layoffs",
        "Orrin Motors is laying off 2,000 workers at the Delft Road factory as sales of petrol saloons fall. "
        "Aldo Brenner, the chief executive, told staff the layoffs would be finished by June.",
    ),
    (
        "Delft Road workers stunned by Orrin job cuts",
        "Workers at Orrin Motors' Delft Road plant said they were stunned by the loss of 2,000 jobs. "
        "The union said it would fight the layoffs, which the carmaker blamed on falling demand for petrol saloons.",
    ),
]
ROUND_TWO = [
    (
        "Orrin Motors lays off 1,500 more staff in software unit",
        "Orrin Motors will lay off 1,500 employees in its software unit, its second round of job cuts this year. "
        "The carmaker said its in-car navigation project would be cancelled. Chief executive Aldo Brenner called the decision painful.",
    ),
    (
        "Orrin cuts 1,500 software jobs as navigation project scrapped",
        "The carmaker Orrin Motors is cutting 1,500 jobs in software after cancelling its in-car navigation project. "
        "It is the company's second round of layoffs this year.",
    ),
    (
        "Second wave of layoffs at Orrin hits engineers",
        "Software engineers at Orrin Motors are the target of a second round of layoffs, with 1,500 jobs going "
        "after the in-car navigation project was cancelled.",
    ),
]
RECALL = [
    (
        "Orrin Motors recalls 40,000 SUVs over brake fault",
        "Orrin Motors is recalling 40,000 Tundra SUVs because a faulty brake hose can leak fluid, the road safety agency said. "
        "Owners will be contacted by letter and repairs are free.",
    ),
    (
        "Brake hose defect prompts Orrin Tundra recall",
        "A brake hose that can leak fluid has led Orrin Motors to recall 40,000 Tundra sport utility vehicles. "
        "The safety agency said no crashes had been linked to the defect.",
    ),
]


def add_items(store, batch, when, source_prefix="src"):
    ids = []
    for n, (title, text) in enumerate(batch):
        source, _ = store.add_source(f"https://{source_prefix}{n}.example/feed", name=f"{source_prefix.title()} Outlet {n}")
        ids.append(
            store.insert_item(
                NewItem(
                    source_id=source.id,
                    guid=f"{title}",
                    url=f"https://{source_prefix}{n}.example/{abs(hash(title))}",
                    canonical_url=f"https://{source_prefix}{n}.example/{abs(hash(title))}",
                    outlet=source.name,
                    title=title,
                    summary="",
                    text=text,
                    text_origin="feed",
                    author=None,
                    published_at=when + timedelta(minutes=10 * n),
                    fetched_at=NOW,
                ),
                minhash=None,
                duplicate_of=None,
            )
        )
    return ids


def story_titles(store):
    return sorted(sorted(i.title for i in s.items) for s in store.stories())


def test_two_layoff_rounds_months_apart_are_two_stories(newsroom):
    add_items(newsroom.store, ROUND_ONE, NOW - timedelta(days=120))
    add_items(newsroom.store, ROUND_TWO, NOW - timedelta(hours=5), "later")
    run(newsroom, ("stories",))
    assert story_titles(newsroom.store) == sorted([sorted(t for t, _ in ROUND_ONE), sorted(t for t, _ in ROUND_TWO)])


def test_later_round_does_not_join_a_closed_story(newsroom):
    add_items(newsroom.store, ROUND_ONE, NOW - timedelta(days=120))
    first = run(newsroom, ("stories",)).stories
    assert first.created == 1
    add_items(newsroom.store, ROUND_TWO, NOW - timedelta(hours=5), "later")
    second = run(newsroom, ("stories",)).stories
    assert second.created == 1 and second.updated == 0
    statuses = sorted(s.status for s in newsroom.store.stories())
    assert statuses == ["closed", "open"]


def test_different_events_same_company_same_week_stay_apart(newsroom):
    add_items(newsroom.store, ROUND_TWO, NOW - timedelta(hours=30))
    add_items(newsroom.store, RECALL, NOW - timedelta(hours=20), "recall")
    run(newsroom, ("stories",))
    assert story_titles(newsroom.store) == sorted([sorted(t for t, _ in ROUND_TWO), sorted(t for t, _ in RECALL)])


def test_new_items_join_the_open_story(newsroom):
    add_items(newsroom.store, ROUND_TWO[:1], NOW - timedelta(hours=10))
    add_items(newsroom.store, RECALL, NOW - timedelta(hours=9), "recall")
    first = run(newsroom, ("stories",)).stories
    assert first.created == 2
    add_items(newsroom.store, ROUND_TWO[1:], NOW - timedelta(hours=2), "more")
    second = run(newsroom, ("stories",)).stories
    assert second.created == 0 and second.updated == 1
    assert story_titles(newsroom.store) == sorted([sorted(t for t, _ in ROUND_TWO), sorted(t for t, _ in RECALL)])


def test_clustering_twice_changes_nothing(newsroom):
    add_items(newsroom.store, ROUND_TWO + RECALL, NOW - timedelta(hours=3))
    run(newsroom, ("stories",))
    before = [(s.id, sorted(i.id for i in s.items)) for s in newsroom.store.stories()]
    again = run(newsroom, ("stories",)).stories
    assert again.created == 0 and again.items_assigned == 0
    assert [(s.id, sorted(i.id for i in s.items)) for s in newsroom.store.stories()] == before


def test_demo_stories_group_outlets_and_count_copies_once(newsroom, demo_server):
    for name, url in demo_server.feed_urls():
        newsroom.store.add_source(url, name=name)
    run(newsroom)
    stories = newsroom.store.stories()
    velora = next(s for s in stories if any("Velora" in i.title for i in s.items))
    outlets = {i.outlet for i in velora.items}
    assert outlets == {"The Northwire", "Harbor Ledger", "Meridian Daily", "Civic Signal", "Patchwork Tech", "Open Circuit"}
    # Open Circuit only republished The Northwire: five independent outlets, not six.
    assert velora.breakdown.independent_outlets == 5
    assert velora.tier == "major"
    singles = [s for s in stories if len(s.items) == 1]
    assert len(singles) >= 8 and all(s.tier == "brief" for s in singles)
    multi = [s for s in stories if s.breakdown.independent_outlets >= 3]
    assert len(multi) >= 8
    assert stories == sorted(stories, key=lambda s: -s.score)


def test_score_breakdown_is_explained_and_adds_up(newsroom):
    add_items(newsroom.store, ROUND_TWO, NOW - timedelta(hours=1))
    run(newsroom, ("stories",))
    (story,) = newsroom.store.stories()
    b = story.breakdown
    assert b.independent_outlets == 3
    assert abs(b.outlets_score + b.recency_score + b.source_score + b.engagement_score - b.total) < 1e-3
    assert story.score == b.total and story.tier == tier_for(b.total, newsroom.settings.rank)
    assert "3 independent outlet(s)" in b.explain()


def test_recency_decays(newsroom):
    add_items(newsroom.store, ROUND_TWO, NOW - timedelta(hours=1))
    add_items(newsroom.store, RECALL, NOW - timedelta(hours=60), "recall")
    run(newsroom, ("stories",))
    fresh, old = sorted(newsroom.store.stories(), key=lambda s: s.breakdown.recency_hours)
    assert fresh.breakdown.recency_score > 0.9 > 0.3 > old.breakdown.recency_score


def test_readers_votes_nudge_the_score_by_a_small_documented_weight():
    from datetime import UTC, datetime

    from newsdesk.config import RankSettings
    from newsdesk.records import Item, Story
    from newsdesk.stories.rank import score_story

    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    item = Item(1, 1, "g", "https://a.example/1", "https://a.example/1", "Wire", "t", "text", now, now)
    story = Story(1, "open", "t", now, now, 0.0, "brief", None, [item])
    settings = RankSettings()
    plain = score_story(story, {}, settings, now)
    liked = score_story(story, {}, settings, now, (9, 1))
    disliked = score_story(story, {}, settings, now, (0, 4))
    assert liked.helpfulness_score == round(settings.helpfulness_weight * 0.8, 4)
    assert disliked.total == round(plain.total - settings.helpfulness_weight, 4)
    assert liked.helpful_votes == (9, 1) and "readers 9 helpful, 1 not" in liked.explain()


def test_copies_and_stories_do_not_depend_on_the_order_items_arrived_in(tmp_path):
    """Near-copying is not transitive (Y copies X, Z copies Y, Z does not copy X): ingest, deciding
    as items arrive, makes different originals for different arrival orders; clustering decides
    again in publication order, so the stories come out the same."""
    from conftest import make_newsroom
    from newsdesk.dedup import NearDuplicateIndex

    words = (
        "the harbour council in eskerby approved a new winter ferry timetable on monday after a long public "
        "consultation that drew more than four hundred written responses from island residents and local traders "
        "who had asked for an earlier morning crossing and a later evening return during the coldest months"
    ).split()
    x = " ".join(words)
    y = " ".join(words[:-6] + "coldest weeks of the coming year".split())
    z = " ".join("officials in the port town of eskerby said".split() + words[8:-6] + "coldest weeks of the coming year".split())
    probe = NearDuplicateIndex(make_newsroom(tmp_path / "probe").settings.dedup)
    sx, sy, sz = (probe.signature(t) for t in (x, y, z))
    threshold = probe.settings.threshold
    assert sx.jaccard(sy) >= threshold and sy.jaccard(sz) >= threshold and sx.jaccard(sz) < threshold  # the setup
    texts = {"x": (x, 0), "y": (y, 30), "z": (z, 60)}  # minutes after 09:00: X first, Z last

    def newsroom_fed(order: str):  # type: ignore[no-untyped-def]
        room = make_newsroom(tmp_path / order)
        index = NearDuplicateIndex(room.settings.dedup)
        for key in order:  # as ingest decides: against the originals stored so far, on arrival
            text, minutes = texts[key]
            source, _ = room.store.add_source(f"https://{key}.example/feed", name=f"Outlet {key.upper()}")
            signature = index.signature(text)
            original = index.find(signature)
            item_id = room.store.insert_item(
                NewItem(
                    source_id=source.id,
                    guid=key,
                    url=f"https://{key}.example/ferry",
                    canonical_url=f"https://{key}.example/ferry",
                    outlet=source.name,
                    title=f"Eskerby ferry timetable approved ({key})",
                    summary="",
                    text=text,
                    text_origin="feed",
                    author=None,
                    published_at=NOW.replace(hour=9) + timedelta(minutes=minutes),
                    fetched_at=NOW,
                ),
                minhash=NearDuplicateIndex.to_bytes(signature),
                duplicate_of=original,
            )
            if original is None:
                index.add(item_id, signature)
        stored = {i.id: i.guid for i in room.store.items_without_story()}
        before = {i.guid: stored.get(i.duplicate_of) for i in room.store.items_without_story()}
        run(room, ("stories",))
        items = {i.id: i for s in room.store.stories() for i in s.items}
        copies = {i.guid: (items[i.duplicate_of].guid if i.duplicate_of else None) for i in items.values()}
        groups = sorted(sorted(i.guid for i in s.items) for s in room.store.stories())
        room.close()
        return before, copies, groups

    arrived_last_first, copies_a, groups_a = newsroom_fed("zyx")
    arrived_in_order, copies_b, groups_b = newsroom_fed("xyz")
    assert arrived_last_first != arrived_in_order  # ingest's decisions did depend on arrival
    assert copies_a == copies_b == {"x": None, "y": "x", "z": None}  # decided in publication order
    assert groups_a == groups_b


QUAKES = [
    (
        "Magnitude 6.1 earthquake shakes Varnholm",
        "A magnitude 6.1 earthquake struck near Varnholm on Tuesday, killing at least 12 people and damaging the old "
        "harbour district, the Kessia civil protection agency said. Mayor Ilse Dorrant said rescue teams were searching collapsed homes.",
    ),
    (
        "Varnholm quake kills 12, rescuers search rubble",
        "Rescuers in Varnholm dug through rubble after the 6.1 magnitude earthquake killed 12 people, Kessia's civil "
        "protection agency said. Ilse Dorrant, the town's mayor, said the harbour district was worst hit.",
    ),
    (
        "Aftershocks rattle Varnholm after deadly earthquake",
        "Aftershocks rattled Varnholm a day after the magnitude 6.1 earthquake that killed 12 people. Mayor Ilse Dorrant "
        "asked residents of the harbour district to stay out of damaged homes, Kessia's agency said.",
    ),
]
OTHER_QUAKE = [
    (
        "Magnitude 5.4 earthquake hits Teroa valley",
        "A magnitude 5.4 earthquake hit the Teroa valley in Ostrava province on Thursday, injuring 30 people and cutting "
        "power to the town of Pelmar, governor Rafe Anwick said. Rescue teams were searching damaged homes.",
    ),
    (
        "Pelmar without power after Teroa valley quake",
        "The town of Pelmar was without power after a 5.4 magnitude earthquake struck the Teroa valley, injuring 30 people, "
        "Ostrava governor Rafe Anwick said. Rescue teams were checking damaged homes.",
    ),
    (
        "Teroa valley earthquake injures 30",
        "Thirty people were injured when a magnitude 5.4 earthquake hit the Teroa valley, Ostrava's governor Rafe Anwick "
        "said, and Pelmar lost power. Rescuers were searching damaged homes for survivors.",
    ),
]
TRIAL = [
    (
        "Trial of Corvin Ashdale opens over Halbrook pension fraud",
        "The fraud trial of former Halbrook Mutual chief Corvin Ashdale opened at Lindqvist Crown Court, where prosecutors "
        "said he moved 48 million from the Halbrook pension fund into his own companies.",
    ),
    (
        "Ashdale trial hears from Halbrook Mutual auditor",
        "An auditor told the Lindqvist Crown Court trial of Corvin Ashdale that the 48 million taken from the Halbrook "
        "pension fund was hidden in invoices from his own companies.",
    ),
    (
        "Corvin Ashdale denies Halbrook pension fraud in court",
        "Corvin Ashdale told Lindqvist Crown Court he never took money from the Halbrook Mutual pension fund, denying "
        "the 48 million fraud prosecutors say he carried out through his companies.",
    ),
    (
        "Jury finds Ashdale guilty of Halbrook fraud",
        "A jury at Lindqvist Crown Court found former Halbrook Mutual chief Corvin Ashdale guilty of the 48 million "
        "pension fraud after a trial of more than a week.",
    ),
]


def test_stories_do_not_depend_on_the_order_items_were_stored_in(tmp_path):
    from conftest import make_newsroom

    batches = [(QUAKES, 40, "a"), (OTHER_QUAKE, 30, "b"), (TRIAL, 20, "c")]
    results = []
    for name, order in (("forward", batches), ("reverse", batches[::-1])):
        room = make_newsroom(tmp_path / name)
        for batch, hours, prefix in order:
            add_items(room.store, batch[::-1] if name == "reverse" else batch, NOW - timedelta(hours=hours), prefix)
        run(room, ("stories",))
        results.append(story_titles(room.store))
        room.close()
    assert results[0] == results[1]


def test_two_earthquakes_in_one_week_are_two_stories(newsroom):
    """Two events of one kind share every word of that kind ("magnitude", "earthquake",
    "rescue teams", "damaged homes"); their places, figures and officials tell them apart."""
    add_items(newsroom.store, QUAKES, NOW - timedelta(hours=40), "a")
    add_items(newsroom.store, OTHER_QUAKE, NOW - timedelta(hours=30), "b")
    run(newsroom, ("stories",))
    assert story_titles(newsroom.store) == sorted([sorted(t for t, _ in QUAKES), sorted(t for t, _ in OTHER_QUAKE)])


def test_two_earthquakes_stay_apart_when_one_is_already_a_story(newsroom):
    add_items(newsroom.store, QUAKES, NOW - timedelta(hours=40), "a")
    run(newsroom, ("stories",))
    add_items(newsroom.store, OTHER_QUAKE, NOW - timedelta(hours=30), "b")
    second = run(newsroom, ("stories",)).stories
    assert second.created == 1 and second.updated == 0
    assert story_titles(newsroom.store) == sorted([sorted(t for t, _ in QUAKES), sorted(t for t, _ in OTHER_QUAKE)])


def test_a_trial_over_more_than_the_quiet_window_stays_one_story(newsroom):
    """A trial runs longer than the 72 hours after which a quiet story closes: its later days
    name the same accused, court and sum, so they continue the closed story."""
    for day, item in zip((11, 7, 3, 0), TRIAL):
        add_items(newsroom.store, [item], NOW - timedelta(days=day, hours=1), f"day{day}")
        run(newsroom, ("stories",))
    assert story_titles(newsroom.store) == [sorted(t for t, _ in TRIAL)]
    assert [s.status for s in newsroom.store.stories()] == ["open"]


def test_a_later_event_of_the_same_company_does_not_continue_its_closed_story(newsroom):
    add_items(newsroom.store, ROUND_ONE, NOW - timedelta(days=10))
    run(newsroom, ("stories",))
    add_items(newsroom.store, ROUND_TWO, NOW - timedelta(hours=5), "later")
    second = run(newsroom, ("stories",)).stories
    assert second.created == 1 and second.reopened == 0
    assert sorted(s.status for s in newsroom.store.stories()) == ["closed", "open"]


# Furniture a site or an archive prints on every page (written for this test): each sentence
# names what it is, and none says anything about the event.
PAGE_FURNITURE = (
    "Skip to main content.\n"
    "This copy was captured by the Wayback Machine from the publisher's site.\n"
    "Crawl data for this capture was donated by an archiving partner.\n"
    "Sign up for our newsletter and get the morning briefing every day.\n"
    "Share this on Facebook, email it or print this page.\n"
    "We use cookies to improve your experience of the site.\n"
    "Read more: the most popular stories from the last week.\n"
)


def test_pages_that_share_only_furniture_are_not_one_story(newsroom):
    """Issue 24: an archive's notice or a site's share bar is the same on pages about different
    events; clustering reads the report, not the furniture around it."""
    recall = [(t, PAGE_FURNITURE * 3 + text) for t, text in RECALL]
    layoffs = [(t, PAGE_FURNITURE * 3 + text) for t, text in ROUND_ONE[:2]]
    add_items(newsroom.store, recall, NOW - timedelta(hours=5), "a")
    add_items(newsroom.store, layoffs, NOW - timedelta(hours=4), "b")
    run(newsroom, ("stories",))
    assert story_titles(newsroom.store) == sorted([sorted(t for t, _ in recall), sorted(t for t, _ in layoffs)])


def test_cluster_text_keeps_the_lead_and_leaves_out_furniture():
    from newsdesk.stories import cluster_text

    text = cluster_text("Orrin recalls SUVs", PAGE_FURNITURE + RECALL[0][1], 30)
    assert text.startswith("Orrin recalls SUVs\n")
    assert text.split("\n", 1)[1].split() == RECALL[0][1].split()[:30]


# Written for these tests: a report on the Varnholm quake in other words than its event's
# reports (what fell and why, what comes next), and a round-up of both quakes.
EXPLAINER = (
    "Why the old quarter crumbled",
    "Engineers say the stone warehouses by the water were built on silt that turns to slurry when shaken, "
    "which is why so many fell in Varnholm while newer streets stood. Mayor Dorrant has promised a Varnholm inquiry into the "
    "building codes once the search is over, and geologists expect the fault to stay restless for weeks. Insurers "
    "are sending assessors, a charity has opened a fund for families who lost their shops, and schools on the "
    "hill will host those who cannot sleep at home until inspectors clear each street.",
)
ROUND_UP = (
    "Two quakes in one week test the region's rescuers",
    "Rescue teams stretched between Varnholm and the Teroa valley this week, and engineers say the stone warehouses "
    "and farm sheds that fell were built before modern codes. Insurers are sending assessors to both towns, a charity "
    "has opened a fund for families who lost their shops, and geologists expect the faults to stay restless for weeks "
    "while inspectors clear each street and school on the hill.",
)


def _undated_stories(items, params=None):
    import numpy as np

    from newsdesk.stories import cluster_text
    from newsdesk.stories.cluster import NEW, ClusterParams, incremental

    texts = [cluster_text(t, x, 120) for t, x in items]
    fixed = np.full(len(texts), NEW)
    return incremental(texts, np.zeros(len(texts)), fixed, params or ClusterParams(), dated=np.zeros(len(texts), bool)).tolist()


def test_a_report_told_in_other_words_joins_the_event_it_is_clearly_closest_to():
    """Issue 24: an explainer shares too few words with its event's reports to be linked to
    them, yet is far closer to them than to the other quake: it joins its event's story."""
    from dataclasses import replace

    from newsdesk.stories.cluster import ClusterParams

    items = [*QUAKES, *OTHER_QUAKE, EXPLAINER]
    labels = _undated_stories(items)
    assert labels[:3] == [labels[0]] * 3 and labels[3:6] == [labels[3]] * 3 and labels[0] != labels[3]
    assert labels[6] == labels[0]
    # Without the adoption rule it is left alone: the rule, not the agglomeration, placed it.
    alone = _undated_stories(items, replace(ClusterParams(), adopt_min=1.0))
    assert alone[6] not in (alone[0], alone[3])


def test_a_round_up_of_two_events_joins_neither():
    labels = _undated_stories([*QUAKES, *OTHER_QUAKE, ROUND_UP])
    assert labels[6] not in labels[:6]


def test_a_report_told_in_other_words_joins_its_stored_story_a_run_later(newsroom):
    """The same explainer fetched after its event's reports were clustered joins their stored
    story (its centroid stands for them): a run later or in one run, the same stories."""
    add_items(newsroom.store, QUAKES, NOW - timedelta(hours=40), "a")
    add_items(newsroom.store, OTHER_QUAKE, NOW - timedelta(hours=30), "b")
    run(newsroom, ("stories",))
    add_items(newsroom.store, [EXPLAINER], NOW - timedelta(hours=20), "c")
    second = run(newsroom, ("stories",)).stories
    assert second.created == 0 and second.updated == 1
    assert story_titles(newsroom.store) == sorted(
        [sorted([*(t for t, _ in QUAKES), EXPLAINER[0]]), sorted(t for t, _ in OTHER_QUAKE)]
    )
