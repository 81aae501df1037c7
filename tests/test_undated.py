"""Items without a date keep events apart: an undated item is dated by its own text, so two
events about one company months apart stay two stories."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import make_newsroom
from newsdesk.pipeline import run
from newsdesk.text.dates import date_in_text

NOW = datetime(2026, 11, 30, tzinfo=UTC)

UNDATED_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Backfill Wire</title>
<item><title>Velora Systems opens plant</title><link>https://bw.example/1</link><guid>b-1</guid>
<description>TALLIN, March 3, 2026 - Velora Systems opened a new memory controller plant in Tallin on Tuesday, adding 400 jobs at the chipmaker, chief executive Marta Quell said.</description></item>
<item><title>Velora Systems plant tour</title><link>https://bw.example/2</link><guid>b-2</guid>
<description>TALLIN, March 4, 2026 - Velora Systems showed the new memory controller plant in Tallin to visitors, a day after the chipmaker opened it with 400 jobs, Marta Quell said.</description></item>
<item><title>Velora Systems cuts jobs</title><link>https://bw.example/3</link><guid>b-3</guid>
<description>TALLIN, November 24, 2026 - Velora Systems will cut 1,800 jobs at the chipmaker and close two memory controller lines in Tallin, chief executive Marta Quell said.</description></item>
<item><title>Velora Systems job cuts</title><link>https://bw.example/4</link><guid>b-4</guid>
<description>TALLIN, November 25, 2026 - Velora Systems confirmed 1,800 job cuts at the chipmaker and the closure of two memory controller lines in Tallin, Marta Quell said.</description></item>
</channel></rss>"""


def test_dates_are_read_from_the_text_not_made_up():
    assert date_in_text("TALLIN, March 3, 2025 - Velora cut jobs.", NOW) == datetime(2025, 3, 3, 12, tzinfo=UTC)
    latest = date_in_text("In this Aug. 15, 2014 file photo, he leaves. On 2 September 2016 the court ruled.", NOW)
    assert latest == datetime(2016, 9, 2, 12, tzinfo=UTC)
    assert date_in_text("On Dec 17 (Reuters) prices rose.", NOW) is None  # no year: no date
    assert date_in_text("The vote is due on January 5, 2030.", NOW) is None  # after the fetch
    assert date_in_text("February 30, 2024 is no day.", NOW) is None


def test_undated_items_about_one_company_months_apart_are_two_stories(tmp_path):
    feed = tmp_path / "backfill.xml"
    feed.write_text(UNDATED_FEED, encoding="utf-8")
    room = make_newsroom(tmp_path / "room", "\n[sources]\nallow_files = true\n[extract]\nfetch_pages = false\n")
    room.store.add_source(str(feed))
    run(room, ("ingest", "stories"))
    items = room.store.items_by_id(range(1, 5))
    assert all(i.published_at is not None and i.meta.get("date_from") == "text" for i in items.values())
    stories = {i.story_id for i in items.values()}
    assert len(stories) == 2
    assert items[1].story_id == items[2].story_id and items[3].story_id == items[4].story_id
    room.close()
