"""A short-video prompt for text-to-video models, filled from the verified article only:
on-screen text is a figure quoted from a verified claim or a generic label, spoken lines are
verified sentences, and the negative constraints are always attached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from newsdesk.records import Article, ArticleSentence
from newsdesk.text.numbers import figures

NEGATIVE = [
    "no subtitles",
    "do not include captions",
    "no real people's likenesses: show no identifiable faces",
    "no logos of real companies",
    "no on-screen text other than the lines given",
]
GENERIC_LABELS = ["Breaking", "By the numbers", "What comes next"]
CAMERAS = [
    ("slow push-in, wide establishing shot", "cool dawn light"),
    ("low-angle tracking shot", "hard midday light, long shadows"),
    ("top-down drone shot", "overcast, soft diffuse light"),
    ("handheld close-up on hands and documents", "warm practical lamps"),
    ("slow pull-back to a wide shot", "golden hour"),
]


@dataclass
class Shot:
    number: int
    seconds: int
    camera: str
    lighting: str
    scene: str
    on_screen_text: str
    cut: str


@dataclass
class VideoPrompt:
    title: str
    duration_seconds: int
    aspect_ratio: str
    shots: list[Shot]
    narration: list[str]  # one short line per speaker, taken from verified sentences
    music: str
    negative: list[str] = field(default_factory=lambda: list(NEGATIVE))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        lines = [f"{self.title} — {self.duration_seconds}-second video, {self.aspect_ratio}.", ""]
        for s in self.shots:
            lines.append(f"Shot {s.number} ({s.seconds} s): {s.camera}; {s.lighting}. {s.scene}")
            lines.append(f"  On-screen text: \u201c{s.on_screen_text}\u201d")
            lines.append(f"  Cut: {s.cut}")
        lines.append("")
        for line in self.narration:
            lines.append(f"Narration: \u201c{line}\u201d")
        lines.append(f"Music: {self.music}")
        lines.append("Constraints: " + "; ".join(self.negative) + ".")
        return "\n".join(lines)


def _short(sentence: str, words: int = 22) -> bool:
    return len(sentence.split()) <= words


def video_prompt(article: Article, verified: list[ArticleSentence], extra_negative: Sequence[str] = ()) -> VideoPrompt:
    """3–5 shots for a major story; every fact in it is a verified claim of the article."""
    facts = [s for s in verified if figures(s.text)]
    spoken = [s.text for s in verified if _short(s.text)][:2] or [verified[0].text]
    on_screen: list[str] = []
    for s in facts[:3]:
        fig = figures(s.text)[0]
        on_screen.append(fig.text)  # a figure exactly as a verified claim states it
    labels = on_screen + GENERIC_LABELS[len(on_screen) :]
    count = max(3, min(5, len(labels)))
    shots = []
    for n in range(count):
        camera, lighting = CAMERAS[n % len(CAMERAS)]
        scene = (
            "An empty newsroom desk with a single lamp; papers stir."
            if n == 0
            else "Abstract bar shapes rise and settle on a dark background."
            if n < len(on_screen) + 1
            else "A city skyline at dusk, seen from a distance; no faces, no signs."
        )
        shots.append(
            Shot(
                n + 1,
                4 if n < count - 1 else 6,
                camera,
                lighting,
                scene,
                labels[n] if n < len(labels) else GENERIC_LABELS[-1],
                "hard cut" if n < count - 1 else "fade to black",
            )
        )
    duration = sum(s.seconds for s in shots)
    music = "low, steady synth pulse building under the cuts; resolves on the last shot"
    return VideoPrompt(article.headline, duration, "9:16 vertical", shots, spoken, music, list(NEGATIVE) + list(extra_negative))


def social_post(article: Article, url: str, limit: int = 280) -> str:
    text = f"{article.headline} {url}"
    if len(text) > limit:
        room = limit - len(url) - 2
        text = article.headline[:room].rstrip() + "\u2026 " + url
    return text


def newsletter_blurb(article: Article, url: str) -> str:
    return f"{article.headline}. {article.dek.text} Read more: {url}"
