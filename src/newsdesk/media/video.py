"""A short-video prompt for text-to-video models, filled from the verified article only:
on-screen text is a figure quoted from a verified claim or a generic label, spoken lines are
verified sentences, and the negative constraints are always attached."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from newsdesk.records import Article, ArticleSentence
from newsdesk.text.lexicon import MONTHS, STOPWORDS, WEEKDAYS, tokens
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


# Nouns too abstract to film.
_ABSTRACT = frozenset(
    "percent per cent year years month months week weeks day days time times number numbers figure figures "
    "amount total share part rest people person thing things way statement report reports official officials "
    "company firm decision news plan plans case issue issues result results level levels rate rates "
    "chief executive director minister president spokesman spokeswoman spokesperson staff analyst analysts "
    "memo end start close deal talks told said".split()
)
_PLACE = re.compile(r"\b(?:in|at|near|across|outside|around|from)\s+(?:its\s+|the\s+)?([A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+)?)")


def _concrete_nouns(sentence: str, limit: int = 4) -> list[str]:
    """Things a camera can show, as the sentence names them: lower-case nouns, no verbs."""
    from lemminflect import getAllLemmas

    out: list[str] = []
    last = -2
    for index, word in enumerate(tokens(sentence)):
        low = word.lower()
        if not word.islower() or len(low) < 4 or low in STOPWORDS or low in _ABSTRACT or low in out:
            continue
        if "NOUN" in getAllLemmas(low) and not low.endswith("ed"):
            if index == last + 1 and out:  # "assembly lines": one thing
                out[-1] = f"{out[-1]} {low}"
            else:
                out.append(low)
            last = index
    return out[:limit]


def _place(sentence: str) -> str | None:
    for m in _PLACE.finditer(sentence):
        name = m.group(1)
        if name.split()[0].lower() not in WEEKDAYS + MONTHS:
            return name
    return None


def scene_for(sentence: str) -> str | None:
    """A scene built from a verified sentence's own things and place; None when it names none."""
    nouns = _concrete_nouns(sentence)
    if not nouns or (len(nouns) < 2 and " " not in nouns[0]):
        return None
    place = _place(sentence)
    listed = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]
    return f"{listed.capitalize()}{' in ' + place if place else ''}, seen as a documentary camera would; no faces, no readable signs or logos."


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
    # Scenes from the story itself: the dek first, then the sentences behind each figure, then the rest.
    sources = [article.dek.text] + [s.text for s in facts[:3]] + [s.text for s in verified]
    scenes: list[str] = []
    for text in sources:
        scene = scene_for(text)
        if scene and scene not in scenes:
            scenes.append(scene)
    shots = []
    for n in range(count):
        camera, lighting = CAMERAS[n % len(CAMERAS)]
        scene = scenes[n] if n < len(scenes) else "The same place at dusk, from a distance; no faces, no signs."
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
