"""Would a reader finish it? Defects per 100 published sentences of the extractive writer's
articles, with the publishability filter (``newsdesk.text.quality``) off ("before") and on
("after"), on the Multi-News full-text sample and on the demo.

    python bench/readability.py               # Multi-News held-out half (odd test_index) + the demo
    python bench/readability.py --half dev    # the half the filter's word lists were written against
    python bench/readability.py --half all

The detectors below are this script's own, written separately from the filter (different
patterns, different word lists), so the filter is not graded by itself; they are still rules,
and what they miss is not counted. Multi-News items carry no titles, so "headline as sentence"
is only measured on the demo. "weak_lead" counts per 100 articles: a dek (the first sentence a
reader sees) that is a quotation, a question, a caption, a page notice, under ten words, or that
points back (a pronoun with nobody named before it, "this …" early on). "cut_headline" counts
per 100 articles too: a headline that opens a subordinate clause, stops on a verb waiting for
what it says, an auxiliary or a dangling word, leaves a quotation open or keeps a dateline (a
subset of what the writer's rule refuses: a headline with no verb of its own is not counted).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dataset, demo_newsroom
from newsdesk.config import WriteSettings
from newsdesk.records import Article, Item, Story
from newsdesk.write.extractive import ExtractiveWriter, SelectionWeights

DEFECTS = (
    "boilerplate",
    "fragment",
    "headline",
    "unresolved_opening",
    "repeated_fact",
    "surname_first",
    "conflicting_figures",
    "first_person",
    "fact_dispute",
    "weak_lead",
    "cut_headline",
)

# Page furniture as a reader would point it out (written for this script).
FURNITURE = [
    r"https?://|www\.|\.com/\S",
    r"\b(?:credit|courtesy)\s*:",
    r"\bmins? read\b|\bminutes? read\b",
    r"\bshare\b.*\b(?:facebook|twitter|email|whatsapp)\b|\b(?:facebook|twitter|email)\b.*\bshare\b",
    r"\bsubscri|\bnewsletter|\bcookie|\bsign (?:up|in)\b|\blog in\b|\bbrowser\b|\bjavascript\b",
    r"\u00a9|\bcopyright\b|\brights reserved\b|\bterms of (?:use|service)\b|\bprivacy\b",
    r"\bskip to\b|\bmain content\b|\bmenu\b|\bnavigation\b|\bhome page\b|\bsearch\b.*\bclose\b",
    r"\bclick\b|\btap here\b|\bread more\b|\bmore stories\b|\brelated\b.*\bstor(?:y|ies)\b",
    r"\bwayback machine\b|\bcrawl data\b|\binternet archive\b|\bhas been archived\b",
    r"\bphoto\b.*\b(?:getty|ap|reuters|afp)\b|\bgetty images\b",
    r"\badvertis",
]
FURNITURE_RE = re.compile("|".join(FURNITURE), re.I)
GLUED_CELLS = re.compile(r"[a-z]{2}[A-Z][a-z]+\s?[A-Z][a-z]+[A-Z][a-z]")  # "ModelTotal ParamsActive"
ENDS = re.compile(r"""[.?!]['"\u2019\u201d)]*$""")
PRONOUN_START = re.compile(r"^(?:He|She|They|It|His|Her|Their|Its|This|These|Those|But|However|Also)\b")
FIRST_PERSON = re.compile(r"\b(?:I|my|we|our|us|me)\b")
QUOTE = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]")
FULL_NAME = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z]{2,})\b")
# A dek a reader cannot start from (written for this script, apart from the writer's rule):
# a quotation, a question, a caption, a pronoun with nobody named before it, a reference back.
WEAK_LEAD = re.compile(
    r"^[\"\u201c']|\?[\"\u201d']?$|\([1-9]?[a-z]{0,2} ?[LR]\)|\bpictured\b|\bin this (?:photo|image|picture)\b"
    r"|^(?:[A-Z][a-z]*|[a-z]+)(?: [a-z]+){0,3},? (?:he|she|they|him|her|them)\b|^\S+(?: \S+){0,4} (?:this|these|those) (?!week|year|month|morning)[a-z]{3,}"
)
LEAD_WORDS = 10
# A headline cut where it cannot stop (written for this script, apart from the writer's rule in
# text.headlines): it opens a subordinate clause, ends on a verb waiting for what it says or an
# auxiliary or a dangling word, leaves a quotation open, or keeps a wire dateline.
CUT_HEADLINE = re.compile(
    r"^(?:After|As|When|While|Since|Before|Because|Although|Though|If|Once|Until|Unless|Shortly after|\w+ days after)\b"
    r"|^[A-Z][a-z]+ing\b [a-z]+ (?:his|her|their|its|the|a)\b"
    r"|\b(?:said|says|told|announced|explained|explaining|revealed|searching|noted|wrote|believes|thinks|think|"
    r"determined|predicted|emphasizes|created|ousted|driven|resulted|ruled)(?: (?:on )?(?:Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|today|yesterday))?$"
    r"|\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|now|just|ever|even|only)$"
    r"|\b(?:of|the|a|an|to|for|with|by|in|on|at|that|which|who|and|or|but|--)$"
    r"|^[A-Z][A-Za-z ,.]+\((?:AP|CNN|Reuters|AFP)\)"
)


def cut_headline(headline: str) -> bool:
    text = headline.strip().rstrip(".")
    if re.search(r",\s+(?:[\w'-]+\s+){1,3}(?:says?|said)$", text):
        return False  # "…, labour office says": the attribution tail a headline may carry
    straight_open = text.count('"') % 2 == 1
    return bool(CUT_HEADLINE.search(text)) or straight_open or text.count("\u201c") != text.count("\u201d")


FIGURE = re.compile(r"(\$|\u00a3|\u20ac)?(\d[\d,.]*)\s*(%|percent|million|billion|people|jobs|workers|dead|killed)?")


def sentences_of(article: Article) -> list[tuple[int, str]]:
    """(paragraph number, sentence) for the dek and every quoted body sentence (the writer's
    frames are checked apart: they are what attributes conflicting figures)."""
    out = [(0, article.dek.text)] if article.dek else []
    p = 1
    for section in article.sections:
        for paragraph in section.paragraphs:
            out += [(p, s.text) for s in paragraph if not s.frame]
            p += 1
    return out


def attributed_figures(article: Article) -> set[str]:
    """Figures a frame attributes to their outlets, as the bench's detector writes them."""
    out = set()
    for s in article.sentences():
        for a in s.attributions:
            out |= set(measures(a.figure).values()) | {m.group(2).rstrip(".,") for m in FIGURE.finditer(a.figure)} | {a.figure}
    return out


def measures(text: str) -> dict[str, str]:
    """unit → value for figures with a unit, e.g. {"%": "3"}; bare numbers and years are left out."""
    out = {}
    for m in FIGURE.finditer(text):
        unit = (m.group(1) or "") + (m.group(3) or "")
        value = m.group(2).rstrip(".,")
        if unit and value:
            out[unit.lower()] = value
    return out


def count_defects(article: Article, titles: list[str], flagged: list[tuple[str, str]] | None = None) -> dict[str, int]:
    """Defect counts; ``flagged`` (when given) collects (defect, sentence) for boilerplate and fragments."""
    found = dict.fromkeys(DEFECTS, 0)
    flagged = [] if flagged is None else flagged
    sents = sentences_of(article)
    normal_titles = {re.sub(r"\W+", " ", t).strip().lower() for t in titles if t}
    seen_para: set[int] = set()
    seen_measures: dict[tuple[str, str], str] = {}
    earlier_text = ""
    attributed = attributed_figures(article)
    for para, text in sents:
        if FURNITURE_RE.search(text) or GLUED_CELLS.search(text):
            found["boilerplate"] += 1
            flagged.append(("boilerplate", text))
        if not ENDS.search(text.strip()):
            found["fragment"] += 1
            flagged.append(("fragment", text))
        if re.sub(r"\W+", " ", text).strip().lower() in normal_titles:
            found["headline"] += 1
        if para not in seen_para and PRONOUN_START.match(text.strip()):
            found["unresolved_opening"] += 1
        seen_para.add(para)
        if FIRST_PERSON.search(QUOTE.sub(" ", text)):
            found["first_person"] += 1
        for first, last in FULL_NAME.findall(text):
            # "Oskar" alone earlier (not "North Carolina", not "President Trump"), "Pavel Oskar" only now
            alone = re.search(rf"(?:^|[.!?]\s+|\b[a-z]+[,;:]?\s+|[\"\u201c(]\s*){last}\b", earlier_text.strip())
            if alone and f"{first} {last}" not in earlier_text:
                found["surname_first"] += 1
                flagged.append(("surname_first", text))
                break
        ms = measures(text)
        for unit, value in ms.items():
            # the same measure of the same thing: a sentence sharing most of its words
            words = set(re.findall(r"[a-z]{4,}", text.lower()))
            for (u, v), other in seen_measures.items():
                if u != unit:
                    continue
                overlap = len(words & set(re.findall(r"[a-z]{4,}", other.lower()))) / max(1, len(words))
                if v == value and overlap > 0.3:
                    found["repeated_fact"] += 1
                elif v != value and overlap > 0.3 and not {v, value} <= attributed:
                    found["conflicting_figures"] += 1
                    flagged.append(("conflicting_figures", f"{text}  <>  {other}"))
            seen_measures[(unit, value)] = text
        earlier_text += " " + text
    found["fact_dispute"] = fact_disputes(article, attributed)
    dek = article.dek.text.strip() if article.dek else ""
    if dek and (len(dek.split()) < LEAD_WORDS or WEAK_LEAD.search(dek) or FURNITURE_RE.search(dek)):
        found["weak_lead"] = 1
        flagged.append(("weak_lead", dek))
    if cut_headline(article.headline):
        found["cut_headline"] = 1
        flagged.append(("cut_headline", article.headline))
    return found


def fact_disputes(article: Article, attributed: set[str]) -> int:
    """Unattributed conflicts as typed facts see them (``newsdesk.facts``): a quoted sentence
    whose fact an earlier quoted sentence of another source gives differently — the same
    subject, measure, unit, direction and time, both stated as fact, values beyond rounding
    apart — with no "Sources disagree" note attributing both figures. Composed sentences and
    frames are left out (they state the facts they reconcile or attribute)."""
    from newsdesk.facts import sentence_facts
    from newsdesk.facts.compare import disputes

    seen: list[tuple[int, object]] = []
    count = 0
    for s in article.sentences():
        if s.frame or getattr(s, "composed", False) or not s.citations:
            continue
        source = s.citations[0].item_id
        facts = [f for f in sentence_facts(s.text) if f.subject and f.measure and f.modality == "asserted"]
        if any(
            other != source and disputes(f, g) and not ({f.text, g.text} <= attributed)  # type: ignore[arg-type]
            for f in facts
            for other, g in seen
        ):
            count += 1
        seen += [(source, f) for f in facts]
    return count


def multi_news(half: str, limit: int | None) -> list[tuple[Story, list[str]]]:
    path = dataset("multi_news", "test_longbench200_fulltext.jsonl")
    stories = []
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for line in path.open(encoding="utf-8"):
        cluster = json.loads(line)
        if half != "all" and (cluster["test_index"] % 2 == 0) != (half == "dev"):
            continue
        docs = [d.replace(" NEWLINE_CHAR ", "\n").replace("NEWLINE_CHAR", "\n").strip() for d in cluster["documents"]]
        items = [
            Item(
                id=k + 1,
                source_id=k + 1,
                guid=f"mn-{cluster['test_index']}-{k}",
                url=f"https://outlet{k}.example/a",
                canonical_url=f"https://outlet{k}.example/a",
                outlet=f"Outlet {k}",
                title="",
                text=d,
                published_at=now,
                fetched_at=now,
            )
            for k, d in enumerate(docs)
            if d
        ]
        if items:
            stories.append((Story(cluster["test_index"], "open", "", now, now, 0.0, "standard", None, items), []))
        if limit and len(stories) >= limit:
            break
    return stories


PER_ARTICLE = ("weak_lead", "cut_headline")  # one dek and one headline per article
SHOW: list[str] = []  # --show DEFECT: print what the detector flagged after the filter


def score(stories: list[tuple[Story, list[str]]], clean: bool) -> tuple[dict[str, int], int, int]:
    writer = ExtractiveWriter(WriteSettings(), weights=SelectionWeights(clean=clean))
    totals = dict.fromkeys(DEFECTS, 0)
    n = articles = 0
    for story, titles in stories:
        article = writer.write(story)
        if article is None:
            continue
        n += len(sentences_of(article))
        articles += 1
        flagged: list[tuple[str, str]] = []
        for k, v in count_defects(article, titles, flagged).items():
            totals[k] += v
            if clean and v and k in SHOW and k not in ("boilerplate", "fragment", "weak_lead", "cut_headline"):
                print(f"  [{k}] story {story.id}:", " | ".join(t[:160] for _, t in sentences_of(article))[:1500])
        for k, text in flagged:
            if clean and k in SHOW:
                print(f"  [{k}] story {story.id}: {text[:300]!r}")
    return totals, n, articles


def report(name: str, stories: list[tuple[Story, list[str]]]) -> None:
    rows = []
    for label, clean in (("before (no filter)", False), ("after (filter)", True)):
        totals, n, articles = score(stories, clean)
        rows.append((label, totals, n, articles))
    print(f"\n{name}: {len(stories)} stories")
    print(f"{'defects per 100 sentences':28}" + "".join(f"{d[:12]:>13}" for d in DEFECTS) + f"{'sentences':>11}")
    print(f"{'':28}" + " " * 13 * (len(DEFECTS) - 2) + f"{'(per 100':>13}{'articles)':>13}")
    for label, totals, n, articles in rows:
        per = [100.0 * totals[d] / max(1, articles if d in PER_ARTICLE else n) for d in DEFECTS]
        print(f"{label:28}" + "".join(f"{p:13.1f}" for p in per) + f"{n:11d}  ({articles} articles)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--show", action="append", default=[], choices=DEFECTS)
    args = parser.parse_args()
    SHOW.extend(args.show)
    report(f"Multi-News full text, {args.half} half", multi_news(args.half, args.limit))
    if not args.no_demo:
        with demo_newsroom() as (room, _):
            stories = [s for s in room.store.stories(with_items=True) if s.tier != "brief"]
            report("Demo (standard and major stories)", [(s, [i.title for i in s.items]) for s in stories])
            # Tags that connect: the demo's tag pages and how many list two or more articles.
            pages = list((room.site_dir / "tags").glob("*.html"))
            linked = sum(1 for p in pages if p.read_text().count('<li class="story') >= 2)
            tags = {t for a in room.store.latest_articles() for t in a.tags}
            print(
                f"\nDemo tags: {len(tags)} distinct tags on articles; {len(pages)} tag pages, {linked} listing two or more articles"
            )


if __name__ == "__main__":
    main()
