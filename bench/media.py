"""Media: charts per second, and the share of demo stories (with a published article) that get
a chart and, for major ones, a video prompt.

    python bench/media.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_newsroom
from newsdesk.media.charts import bar_chart
from newsdesk.media.figures import check_whole, comparable_series
from newsdesk.records import ArticleSentence, Citation


def main() -> None:
    with demo_newsroom() as (room, report):
        published = [v.published for v in room.store.publishable() if v.published]
        made = [room.store.media_of(a.story_id, a.version) for a in published]
        media = [m.to_dict() if m else {} for m in made]
        stories = len(room.store.stories())
    charts = sum(1 for m in media if m.get("chart"))
    majors = sum(1 for a in published if a.tier == "major")
    videos = sum(1 for m in media if m.get("video"))
    print(f"Demo: {stories} stories, {len(published)} published articles ({majors} major)")
    print(
        f"  charts: {charts} of {len(published)} articles ({100 * charts / max(1, len(published)):.0f}%), "
        f"{100 * charts / stories:.0f}% of all stories; media stage {report.seconds['media']:.2f} s"
    )
    print(f"  video prompts: {videos} of {majors} major stories")
    skipped = [m["chart_skipped"] for m in media if m.get("chart_skipped") and not m.get("chart")]
    if skipped:
        print(f"  charts not drawn because parts did not add up: {len(skipped)}")
    # Rendering speed: the demo's chartable series, drawn repeatedly (matplotlib, SVG).
    claims = [
        ArticleSentence("In total, 4,100 factory jobs were lost in the region.", [Citation(1, 1, 0, 1)]),
        ArticleSentence("Halden Robotics cut 1,600 jobs, Marisco Foods 1,100 and Pell Ardent 700.", [Citation(2, 2, 0, 1)]),
    ]
    (series,) = comparable_series(claims)
    points, _ = check_whole(series)
    bar_chart(series, points, "warm-up")
    n = 30
    started = time.perf_counter()
    for _ in range(n):
        bar_chart(series, points, "Region lost 4,100 factory jobs")
    seconds = time.perf_counter() - started
    print(f"\nChart rendering: {n / seconds:.1f} charts/s ({1000 * seconds / n:.0f} ms a chart, SVG via matplotlib)")


if __name__ == "__main__":
    main()
