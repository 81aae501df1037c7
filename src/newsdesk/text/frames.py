"""Writer-made connecting text, built only from stored metadata and figures quoted verbatim.

A frame is the one kind of article sentence whose words are not a source's: it says which
outlet reports which figure when sources disagree, and what the figure measures and when (the
typed facts of the cited sentences, ``newsdesk.facts``). Its text is a pure function of its
attributions, so verification can rebuild it and check each attribution against the cited item
(the outlet) and the cited span (the figure, its measure and its time); a frame whose text is
anything else fails.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsdesk.records import Attribution

DISAGREEMENT = "disagreement"
DISAGREEMENT_HEADING = "Sources disagree"


def disagreement_text(attributions: Sequence[Attribution]) -> str:
    """ "Estimates of Velora's job cuts differ: 1,800 according to Outlet A and 2,000 according
    to Outlet B." — with the shared time ("… loss in market value at the close differ: …"), or
    each figure's own where they differ. Frames without a measure keep the older wording."""
    first = attributions[0]
    same_time = all(a.time == first.time for a in attributions)
    parts = [f"{a.figure}{'' if same_time or not a.time else ' ' + a.time} according to {a.outlet}" for a in attributions]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if not first.measure:
        return f"Sources give different figures: {listed}."
    when = f" {first.time}" if same_time and first.time else ""
    return f"Estimates of {first.measure}{when} differ: {listed}."
