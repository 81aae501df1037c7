"""Writer-made connecting text, built only from stored metadata and figures quoted verbatim.

A frame is the one kind of article sentence whose words are not a source's: it says which
outlet reports which figure when sources disagree. Its text is a pure function of its
attributions, so verification can rebuild it and check each attribution against the cited item
(the outlet) and the cited span (the figure); a frame whose text is anything else fails.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsdesk.records import Attribution

DISAGREEMENT = "disagreement"
DISAGREEMENT_HEADING = "Sources disagree"


def disagreement_text(attributions: Sequence[Attribution]) -> str:
    """'Sources give different figures: 1,800 according to Outlet A, 2,000 according to Outlet B.'"""
    parts = [f"{a.figure} according to {a.outlet}" for a in attributions]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Sources give different figures: {listed}."
