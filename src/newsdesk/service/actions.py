"""What an editor's action does to the newsroom. Each records who and when (the audit log),
then re-checks and re-publishes through the stage contract (verify → media → publish for the
story): the site never shows a rejected claim, and a correction appears on the page, in its
JSON-LD and in the feeds as an updated entry."""

from __future__ import annotations

from datetime import UTC

from newsdesk.pipeline import Newsroom, NewsroomBusy, run
from newsdesk.stages import Scope
from newsdesk.store import utcnow

REPUBLISH = ("verify", "media", "publish")
# What readers are told of a rejected claim unless the editor says otherwise.
DEFAULT_REJECT_REASON = "which its sources do not support"
REASON_MAX_CHARS = 300


def republish(newsroom: Newsroom, story_id: int) -> str:
    """Re-check the story's newest version and publish the site; a message for the editor."""
    newsroom.store.forget_verification(story_id)
    try:
        report = run(newsroom, REPUBLISH, scope=Scope.for_story(story_id))
    except NewsroomBusy:
        return "A newsroom run is in progress: the change is saved and the next run publishes it."
    held = report.verify is not None and report.verify.held
    return "Saved; the article was re-checked and held (too little remains)." if held else "Saved and published."


def _day() -> str:
    now = utcnow().astimezone(UTC)
    return f"{now.day} {now.strftime('%B %Y')}"


def public_reason(text: str) -> str:
    """The editor's reason as it reads in the correction (one clause; the default when empty)."""
    clause = " ".join(text.split())[:REASON_MAX_CHARS].strip(" ;.,")
    return clause or DEFAULT_REJECT_REASON


def decide_claim(
    newsroom: Newsroom, story_id: int, claim: str, verdict: str, editor: str, reason: str = DEFAULT_REJECT_REASON
) -> str:
    """An editor confirms (PASS) or rejects (FAIL) a claim of the story's newest version; a
    rejection published on the page says why in the editor's words (``reason``, a clause)."""
    store = newsroom.store
    published = {s.text for v in store.publishable() if v.story_id == story_id and v.published for s in v.published.sentences()}
    with store.begin() as conn:
        store.set_editor_verdict(story_id, claim, verdict, editor, conn=conn)
        store.resolve_reports(story_id, claim, conn=conn)
        if verdict == "FAIL" and claim in published:
            text = (
                f"Correction, {_day()}: an earlier version of this article said \u201c{claim}\u201d, "
                f"{public_reason(reason)}; it has been removed."
            )
            store.add_correction(story_id, text, editor, conn=conn)
        detail = {"claim": claim} if verdict == "PASS" else {"claim": claim, "reason": public_reason(reason)}
        store.log_action(editor, "confirm" if verdict == "PASS" else "reject", story_id, detail, conn=conn)
    return republish(newsroom, story_id)


def hold(newsroom: Newsroom, story_id: int, editor: str, held: bool) -> str:
    store = newsroom.store
    with store.begin() as conn:
        if held:
            store.hold(story_id, editor, conn=conn)
        else:
            store.release(story_id, conn=conn)
        store.log_action(editor, "hold" if held else "release", story_id, {}, conn=conn)
    return republish(newsroom, story_id)


def correct(newsroom: Newsroom, story_id: int, text: str, editor: str) -> str:
    store = newsroom.store
    with store.begin() as conn:
        store.add_correction(story_id, f"Correction, {_day()}: {text}", editor, conn=conn)
        store.log_action(editor, "correction", story_id, {"text": text}, conn=conn)
    return republish(newsroom, story_id)
