"""Media stage: a chart from a story's verified figures, a short-video prompt for major
stories, a social post and a newsletter blurb.

Contract: ``build_media(store, settings)`` reads each publishable (verified) article version
that has no media yet, uses only its PASS claims, and stores the media (``media`` table):
a chart only where at least ``media.min_points`` comparable figures exist, and for a
part-of-whole series only when the parts add up (the reason is kept when they do not).
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from newsdesk.config import Settings
from newsdesk.progress import NullProgress, Progress
from newsdesk.records import Article, ArticleSentence, ClaimCheck, MediaRecord
from newsdesk.stages import Context, Scope, StageReport
from newsdesk.store import Store, utcnow

log = logging.getLogger(__name__)


@dataclass
class MediaReport(StageReport):
    articles: int = 0
    charts: int = 0
    videos: int = 0
    skipped_charts: int = 0

    def lines(self) -> list[str]:
        return [
            f"Media: {self.charts} charts, {self.videos} video prompts for {self.articles} articles"
            + (f" ({self.skipped_charts} charts not drawn: parts did not add up)" if self.skipped_charts else "")
            + "."
        ]


class MediaStage:
    name = "media"

    def run(self, ctx: Context) -> MediaReport:
        return build_media(ctx.store, ctx.settings, progress=ctx.progress, scope=ctx.scope)


def media_for(article: Article, claims: list[ClaimCheck], settings: Settings) -> MediaRecord:
    from newsdesk.media.charts import bar_chart
    from newsdesk.media.figures import check_whole, comparable_series
    from newsdesk.media.video import newsletter_blurb, social_post, video_prompt
    from newsdesk.site import article_url

    passed = {c.text for c in claims if c.verdict == "PASS"}
    # Frames restate figures the article already carries, with outlet names: not chart material.
    verified = [s for s in article.sentences() if s.text in passed and s.frame is None]
    url = article_url(article, settings.publish.base_url)
    out = MediaRecord(social=social_post(article, url), newsletter=newsletter_blurb(article, url))
    for series in sorted(comparable_series(verified, settings.media.min_points), key=lambda s: -len(s.points)):
        points, reason = check_whole(series)
        if reason:
            out.chart_skipped = reason
            log.info("story %s: no chart: %s", article.story_id, reason)
            continue
        chart = bar_chart(series, points, article.headline)
        out.chart = {
            "title": chart.title,
            "caption": chart.caption,
            "source_line": chart.source_line,
            "svg": chart.svg,
            "png": base64.b64encode(chart.png).decode("ascii"),
            "unit": chart.unit,
            "over_time": series.over_time,
            "points": [
                {"label": p.label, "value": p.value, "text": p.text, "refs": list(p.refs), "claim": p.claim} for p in points
            ],
        }
        break
    if article.tier == "major" and verified:
        prompt = video_prompt(article, verified, settings.media.extra_negative)
        out.video = {**prompt.to_dict(), "text": prompt.text()}
    return out


def build_media(store: Store, settings: Settings, progress: Progress | None = None, scope: Scope | None = None) -> MediaReport:
    progress = progress or NullProgress()
    scope = scope or Scope()
    pending = [
        (v.published, v.claims) for v in store.publishable_without_media() if v.published and scope.wants_story(v.story_id)
    ]
    report = MediaReport(articles=len(pending))
    task = progress.task("Charts and video prompts", total=len(pending))
    for article, claims in pending:
        media = media_for(article, claims, settings)
        store.save_media(article.story_id, article.version, utcnow(), media)
        report.charts += media.chart is not None
        report.videos += media.video is not None
        report.skipped_charts += media.chart_skipped is not None and media.chart is None
        task.advance()
    return report


__all__ = ["ArticleSentence", "MediaReport", "build_media", "media_for"]
