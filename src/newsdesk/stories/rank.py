"""Importance of a story, with a stored breakdown a person can check.

score = outlet_weight · 1.5·log2(1 + independent outlets)
      + recency_weight · 0.5^(hours since the latest item / half-life)
      + source_weight · mean weight of the stories' sources
      + engagement_weight · log10(1 + comments, points and votes the sources report) / 2
      + helpfulness_weight · (yes − no) / (yes + no) of readers' "Was this article helpful?"
Copies (``duplicate_of`` set) never count as outlets: syndication is not corroboration; nor do
replies (comments) or enrichment facts, whose votes and figures are not reports of the event.
"""

from __future__ import annotations

import math
from datetime import datetime

from newsdesk.config import RankSettings, Settings
from newsdesk.records import ScoreBreakdown, Story
from newsdesk.store import Store


def score_story(
    story: Story, weights: dict[int, float], settings: RankSettings, now: datetime, votes: tuple[int, int] = (0, 0)
) -> ScoreBreakdown:
    originals = [i for i in story.items if i.is_outlet_report] or story.items
    outlets = len({i.publisher for i in originals})  # by publisher: two feeds of one site are one outlet
    # Facts are dated when enrichment read them, and comments follow their post: only reports
    # of the event say how recent it is.
    latest = max((i.when for i in story.items if i.is_outlet_report), default=story.last_seen)
    hours = max(0.0, (now - latest).total_seconds() / 3600.0)
    mean_weight = sum(weights.get(i.source_id, 1.0) for i in originals) / max(1, len(originals))
    engagement = sum(sum(i.engagement.values()) for i in story.items if i.parent_id is None and i.origin != "fact")
    outlets_score = settings.outlet_weight * 1.5 * math.log2(1 + outlets)
    recency_score = settings.recency_weight * 0.5 ** (hours / settings.recency_half_life_hours)
    source_score = settings.source_weight * mean_weight
    engagement_score = settings.engagement_weight * math.log10(1 + engagement) / 2
    yes, no = votes
    helpfulness_score = settings.helpfulness_weight * (yes - no) / (yes + no) if yes + no else 0.0
    total = outlets_score + recency_score + source_score + engagement_score + helpfulness_score
    return ScoreBreakdown(
        independent_outlets=outlets,
        outlets_score=round(outlets_score, 4),
        recency_hours=round(hours, 2),
        recency_score=round(recency_score, 4),
        source_weight=round(mean_weight, 4),
        source_score=round(source_score, 4),
        engagement=engagement,
        engagement_score=round(engagement_score, 4),
        total=round(total, 4),
        helpful_votes=(yes, no),
        helpfulness_score=round(helpfulness_score, 4),
    )


def tier_for(score: float, settings: RankSettings) -> str:
    if score >= settings.major_score:
        return "major"
    if score >= settings.standard_score:
        return "standard"
    return "brief"


def rank_open_stories(store: Store, settings: Settings, now: datetime) -> int:
    weights = store.source_weights()
    votes = store.helpfulness()
    open_stories = store.stories(status="open")
    with store.begin() as conn:
        for story in open_stories:
            breakdown = score_story(story, weights, settings.rank, now, votes.get(story.id, (0, 0)))
            store.set_score(story.id, breakdown, tier_for(breakdown.total, settings.rank), conn=conn)
    return len(open_stories)
