"""An event-labelled set: topics that each hold two different events of one kind.

Built from the Multi-News full-text test clusters (``../shared/datasets/multi_news/
test_longbench200_fulltext.jsonl``; each cluster is one event reported by several outlets,
original casing). Two clusters make a topic when their summaries' leads name the same kind
of event (a shooting, a court case, a launch, a storm: the lexicon ``KINDS`` below, written
for this bench) and the events share no name that two of their documents use (different
people, companies, places) — the hard case for a clusterer: many shared words, different
actors. Pairs are chosen greedily, most similar summaries first, so each topic is as
confusable as the data allows. A cluster that looks like the same event as another one (a
near-identical summary, or most of its names shared) is left out, so the gold labels do not
separate one event's two clusters.

Only ids and labels are stored (``bench/data/event_topics.tsv``, written by ``python
bench/events.py``); the bench reads the text from the shared dataset at run time.
Split: a topic whose id hashes even is dev (for tuning), the rest test.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dataset

LABELS = Path(__file__).resolve().parent / "data" / "event_topics.tsv"
SOURCE = ("multi_news", "test_longbench200_fulltext.jsonl")

# Kind of event -> word patterns in a summary's lead. Written for this bench, not taken from the data.
KINDS: dict[str, str] = {
    "shooting": r"shot|shoot\w*|gunman|gunfire|opened fire|gunpoint",
    "killing": r"murder\w*|killed|homicide|stabb\w*|slain|assassin\w*",
    "arrest": r"arrest\w*|charged|suspect\w*|police say|cops",
    "court": r"judge|court|trial|sentenc\w*|jury|verdict|plea|parole|lawsuit|sued|suit|convicted",
    "death": r"died|dies|dead at|death of|obituar\w*|tributes",
    "crash": r"crash\w*|plane|flight|airline\w*",
    "disaster": r"hurricane|storm|earthquake|flood\w*|wildfire|fires?|tornado",
    "science": r"scientists|researchers|archaeolog\w*|dinosaur\w*|nasa|planet|species|fossil\w*",
    "study": r"study|patients|cancer|drug|obes\w*|health",
    "screen": r"film|movie|critics|tv|episode\w*|season|series|host|sitcom",
    "launch": r"unveil\w*|iphone|console|launch\w*|smartphone|app",
    "politics": r"president|senate|congress|campaign|election|vot\w*|white house|gop|democrat\w*|republican\w*",
    "conflict": r"troops|military|coup|bomb\w*|ceasefire|protest\w*|rebels|regime",
    "business": r"company|billion|ceo|deal|shares|bonus\w*|tariff\w*|buy",
    "celebrity": r"pregnant|divorce|baby|wedding|star|actress|singer",
    "hacking": r"hack\w*|data|privacy|tracking",
}
_KIND_RE = {k: re.compile(rf"\b(?:{v})\b", re.I) for k, v in KINDS.items()}


def _clean(doc: str) -> str:
    return doc.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n").strip()


def clusters() -> dict[int, tuple[str, list[str]]]:
    """test_index -> (summary, documents of more than 40 words)."""
    out = {}
    for line in dataset(*SOURCE).open(encoding="utf-8"):
        c = json.loads(line)
        docs = [d for d in (_clean(d) for d in c["documents"]) if len(d.split()) > 40]
        if len(docs) >= 2:
            out[int(c["test_index"])] = (c["summary"], docs)
    return out


def kind_of(summary: str) -> str | None:
    lead = " ".join(summary.split()[:60])
    hits = {k: len(r.findall(lead)) for k, r in _KIND_RE.items()}
    best = max(hits, key=lambda k: hits[k])
    return best if hits[best] >= 1 else None


def _names(docs: list[str]) -> set[str]:
    from newsdesk.text.names import names

    counts = Counter(n.lower() for d in docs for n in set(names(d[:3000])) if len(n) > 3)
    return {n for n, k in counts.items() if k >= 2}


def build() -> list[tuple[str, int, int]]:
    """(topic, kind, test_index) rows: topics of two events of one kind with different actors."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    data = clusters()
    ids = sorted(data)
    summaries = [data[i][0] for i in ids]
    sims = (lambda X: (X @ X.T).toarray())(TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(summaries))
    names = {i: _names(data[i][1]) for i in ids}
    # Leave out one of any two clusters that look like one event (so gold never splits an event).
    dropped: set[int] = set()
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            ia, ib = ids[a], ids[b]
            if ia in dropped or ib in dropped:
                continue
            shared = names[ia] & names[ib]
            small = min(len(names[ia]), len(names[ib])) or 1
            if sims[a, b] > 0.45 or (len(shared) >= 2 and len(shared) / small > 0.4):
                dropped.add(ib)
    kinds = {i: kind_of(data[i][0]) for i in ids if i not in dropped}
    pairs = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            ia, ib = ids[a], ids[b]
            if kinds.get(ia) and kinds.get(ia) == kinds.get(ib) and not (names[ia] & names[ib]):
                pairs.append((float(sims[a, b]), ia, ib))
    used: set[int] = set()
    rows = []
    for _, ia, ib in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if ia in used or ib in used:
            continue
        used |= {ia, ib}
        topic = f"{kinds[ia]}-{ia}-{ib}"
        rows += [(topic, kinds[ia] or "", ia), (topic, kinds[ia] or "", ib)]
    return rows


def is_dev(topic: str) -> bool:
    return int(hashlib.sha1(topic.encode()).hexdigest(), 16) % 2 == 0


def load(split: str) -> list[dict]:
    """Items of one split ("dev", "test" or "all"): text, event (gold) and topic."""
    if not LABELS.exists():
        raise SystemExit(f"{LABELS} not found: run `python bench/events.py` to build it")
    data = clusters()
    items = []
    for line in LABELS.read_text(encoding="utf-8").splitlines()[1:]:
        topic, kind, index = line.split("\t")
        if split != "all" and (split == "dev") != is_dev(topic):
            continue
        if int(index) not in data:
            raise SystemExit(f"{LABELS}: Multi-News test_index {index} is not in {SOURCE[1]}")
        for doc in data[int(index)][1]:
            items.append({"text": doc, "event": int(index), "topic": topic, "kind": kind})
    return items


def main() -> None:
    rows = build()
    LABELS.parent.mkdir(exist_ok=True)
    LABELS.write_text("topic\tkind\ttest_index\n" + "".join(f"{t}\t{k}\t{i}\n" for t, k, i in rows), encoding="utf-8")
    topics = sorted({t for t, _, _ in rows})
    dev = [t for t in topics if is_dev(t)]
    print(f"{len(topics)} topics ({len(dev)} dev, {len(topics) - len(dev)} test), {len(rows)} events -> {LABELS}")
    print(Counter(k for _, k, _ in rows[::2]))


if __name__ == "__main__":
    main()
