"""Publish stage: a static news site from the latest version of every article.

Contract: ``build_site(store, settings, out_dir)`` reads verified articles — for each story the
newest version its verification lets through, failed claims already removed — and
writes index, article and tag pages, RSS 2.0, Atom, JSON Feed 1.1 and sitemap.xml. Source
text reaches pages only through Jinja2's escaping (never as HTML), links to sources only
when they are http(s) URLs, and JSON-LD is escaped against ``</script>``. The site is built
in a scratch folder and swapped in whole, so a failed publish leaves the last site up.
"""

from __future__ import annotations

import base64
import html
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsdesk.config import CONFIG_NAME, ConfigError, Settings
from newsdesk.records import Article, ClaimCheck, Item, MediaRecord
from newsdesk.site import FORMS_DIR, FORMS_END, NOT_FOUND_PAGE, article_path, forms_file, slug, take_out_forms
from newsdesk.site import base as site_base
from newsdesk.stages import Context, StageReport
from newsdesk.store import Store


@dataclass
class PublishReport(StageReport):
    out_dir: Path
    articles: int
    tags: int
    written: list[str] = field(default_factory=list)  # files new or changed in this build
    removed: list[str] = field(default_factory=list)

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"

    def as_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "articles": self.articles,
            "tags": self.tags,
            "files_written": len(self.written),
            "files_removed": len(self.removed),
        }

    def lines(self) -> list[str]:
        changed = f"; {len(self.written)} files new or changed, {len(self.removed)} removed"
        return [
            f"Publish: {self.articles} articles, {self.tags} tag pages (tags two or more articles share){changed} → {self.index}"
        ]


class PublishStage:
    """The whole site is rebuilt and swapped in at once: the scope does not narrow it."""

    name = "publish"

    def run(self, ctx: Context) -> PublishReport:
        check_out_dir(ctx.site_dir, ctx.path, [ctx.path / CONFIG_NAME, *_database_files(ctx)])
        # The index first: the app remembers search results per site build, so a build must never
        # be served before the index holds what it shows (a moment of results ahead of pages is harmless).
        ctx.store.sync_search()  # the app's /search finds what the site shows
        report = build_site(ctx.store, ctx.settings, ctx.site_dir, with_forms=ctx.settings.service.forms_in_export)
        from newsdesk.integrations import announce

        announce(ctx.store, ctx.settings)  # webhooks and posters, delivered off this run (none by default)
        return report


def _database_files(ctx: Context) -> list[Path]:
    url = ctx.store.url
    return [Path(url[len("sqlite:///") :])] if url.startswith("sqlite:///") and url != "sqlite:///:memory:" else []


def is_web_url(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC") if value else ""


def _json_for_script(data: Any) -> str:
    # "</script>" or "<!--" inside a title must not end the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _related(articles: list[Article], limit: int = 3) -> dict[int, list[Article]]:
    if len(articles) < 2:
        return {a.story_id: [] for a in articles}
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [a.headline + " " + " ".join(s.text for s in a.sentences()) for a in articles]
    X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    sims = (X @ X.T).toarray()
    out = {}
    for i, a in enumerate(articles):
        order = [j for j in sims[i].argsort()[::-1] if j != i and sims[i, j] > 0.05][:limit]
        out[a.story_id] = [articles[j] for j in order]
    return out


class _View:
    """What a template sees of an article: the record plus derived, display-ready fields."""

    def __init__(
        self,
        article: Article,
        base_url: str,
        related: list[Article],
        summary: dict[str, Any] | None = None,
        claims: list[ClaimCheck] | None = None,
        passages: dict[str, Any] | None = None,
    ):
        self._a = article
        self.media: MediaRecord | None = None  # filled by build_site
        self.facts: list[dict[str, object]] = []  # typed facts of the cited sentences (filled by build_site)
        self.forum_only: str | None = None  # "Reddit" when a story rests on forum posts only
        self.linked_tags: set[str] = set()  # tags with a page (shared by two or more articles)
        self.corrections: list[dict[str, Any]] = []  # editors' corrections, oldest first
        self.show_editor_names = False
        self.feedback_action: str | None = None  # where the feedback forms post (the app), or no forms
        self.updated_override: datetime | None = None
        self.publisher: dict[str, Any] = {}  # the site as a NewsMediaOrganization (filled by build_site)
        self.source_image: str | None = None  # a cited page's own image, where the operator allows it
        self.checks = summary or {}
        # Claims as published, in reading order, with their verdicts and evidence.
        published = {c.text: c for c in (claims or []) if c.verdict != "FAIL"}
        self.claims = [published.get(s.text) for s in article.sentences()]
        self.review = {s.text for s, c in zip(article.sentences(), self.claims) if c is not None and c.verdict == "REVIEW"}
        self.passages = passages or {}
        self.path = article_path(article)
        self.url = urljoin(base_url, self.path)
        self.related = [_View(r, base_url, []) for r in related]
        self.published_text = _when(article.first_published)
        # When the event was first reported, and by whom: the cited sources' own dates, not the run's.
        dated = sorted((r.published, r.outlet) for r in article.references if r.published is not None)
        self.first_reported = dated[0] if dated else None
        self.last_reported = dated[-1] if dated else None
        self.first_reported_text = _when(dated[0][0]) if dated else ""
        self.last_reported_text = _when(dated[-1][0]) if dated else ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._a, name)

    @property
    def updated(self) -> datetime | None:
        return self.updated_override or self._a.updated

    @property
    def updated_text(self) -> str:
        return _when(self.updated)

    @property
    def chart_png(self) -> bytes:
        chart = self.media.chart if self.media is not None else None
        return base64.b64decode(chart["png"]) if chart and chart.get("png") else b""

    @property
    def chart_path(self) -> str:
        return self.path.removesuffix(".html") + "-chart.png"

    @property
    def image(self) -> dict[str, Any] | None:
        """The article's image for og:image and JSON-LD: its own chart (a PNG beside the page),
        else a cited page's image when ``[publish] show_source_images`` allows it."""
        png = self.chart_png
        if png:
            width, height = _png_size(png)
            alt = str(self.media.chart.get("title") or self.headline) if self.media and self.media.chart else self.headline
            return {"url": urljoin(self.url, self.chart_path.rsplit("/", 1)[-1]), "width": width, "height": height, "alt": alt}
        if self.source_image:
            return {"url": self.source_image, "width": None, "height": None, "alt": self.headline}
        return None

    @property
    def json_ld(self) -> str:
        a = self._a
        image = self.image
        principles = self.publisher.get("publishingPrinciples")
        return _json_for_script(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": a.headline,
                "description": a.dek.text,
                "datePublished": a.first_published.isoformat() if a.first_published else None,
                "dateModified": self.updated.isoformat() if self.updated else None,
                "author": {"@type": "Organization", "name": a.byline},
                **({"publisher": self.publisher} if self.publisher else {}),
                "mainEntityOfPage": {"@type": "WebPage", "@id": self.url},
                "isAccessibleForFree": True,
                **({"publishingPrinciples": principles} if principles else {}),
                **(
                    {
                        "image": {
                            "@type": "ImageObject",
                            "url": image["url"],
                            **{k: image[k] for k in ("width", "height") if image[k]},
                        }
                    }
                    if image
                    else {}
                ),
                "keywords": a.tags,
                "wordCount": a.word_count,
                "url": self.url,
                "citation": [
                    {
                        "@type": "CreativeWork",
                        "url": r.url,
                        "publisher": r.outlet,
                        "datePublished": r.published.isoformat() if r.published else None,
                    }
                    for r in a.references
                    if is_web_url(r.url)
                ],
                # The time the article is about: when its sources first reported the event.
                "contentReferenceTime": self.first_reported[0].isoformat() if self.first_reported else None,
                "correction": [
                    {"@type": "CorrectionComment", "text": c["text"], "datePublished": c["published_at"].isoformat()}
                    for c in self.corrections
                ],
            }
        )


def _png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its IHDR chunk (always the first)."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _publisher(settings: Settings, base: str) -> dict[str, Any]:
    """The site as schema.org sees it: a news organization whose policies are on the methodology
    page (the Trust Project's best practices, corrections and fact-checking, feedback)."""
    page = urljoin(base, METHODOLOGY_PAGE)
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.publish.site_title,
        "url": base,
        "logo": {"@type": "ImageObject", "url": urljoin(base, "favicon.svg")},
        "publishingPrinciples": page,
        "correctionsPolicy": page + "#corrections",
        "verificationFactCheckingPolicy": page + "#verification",
        "actionableFeedbackPolicy": page + "#feedback",
    }


def _source_image(article: Article, items: dict[int, Item]) -> str | None:
    """The first cited page's own image (its og:image, as extraction found it)."""
    for r in article.references:
        item = items.get(r.item_id)
        url = item.meta.get("image", "") if item is not None else ""
        if url and is_web_url(url) and len(url) <= MAX_IMAGE_URL:
            return url
    return None


def _passages(article: Article, items: dict[int, Item]) -> dict[str, str]:
    """For each sentence, the cited passages, shown when a reader hovers or opens it."""
    out = {}
    for s in article.sentences():
        parts = []
        for c in s.citations:
            item = items.get(c.item_id)
            if item is not None:
                parts.append(f"[{c.ref}] {item.outlet}: \u201c{item.text[c.start : c.end]}\u201d")
        out[s.text] = "\n".join(parts)
    return out


def _environment() -> tuple[Any, Any]:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    templates = resources.files("newsdesk.publish").joinpath("templates")
    env = Environment(
        loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    env.filters["slug"] = slug
    env.filters["is_web_url"] = is_web_url
    return env, templates


def build_site(store: Store, settings: Settings, out_dir: Path, with_forms: bool = False) -> PublishReport:
    """``with_forms``: readers' forms in the exported pages themselves (the app answers them on the
    same origin); without it they are kept beside each page, and ``newsdesk serve`` puts them back."""
    held = store.held_story_ids()  # an editor's hold keeps an article off the site
    verified = [v for v in store.publishable() if v.published is not None and v.story_id not in held]
    articles = [v.published for v in verified if v.published is not None]
    checks = {v.story_id: (v.summary, v.claims) for v in verified}
    cited = store.items_by_id(c.item_id for a in articles for s in a.sentences() for c in s.citations)
    # Major stories first; within a tier the story's current score (the rank stage's), then the
    # most recently updated.
    rank = {"major": 0, "standard": 1, "brief": 2}
    scores = {s.id: s.score for s in store.stories(with_items=False)}
    articles.sort(
        key=lambda a: (
            rank.get(a.tier, 3),
            -scores.get(a.story_id, 0.0),
            -(a.updated or datetime.min.replace(tzinfo=UTC)).timestamp(),
        )
    )
    base = site_base(settings.publish.base_url)
    related = _related(articles)
    views = [_View(a, base, related[a.story_id], *checks[a.story_id], _passages(a, cited)) for a in articles]
    from newsdesk.facts.cited import panel_rows

    corrections = store.corrections()
    publisher = _publisher(settings, base)
    for v in views:
        v.media = store.media_of(v.story_id, v.version)
        v.publisher = publisher
        if settings.publish.show_source_images:  # the publishers' consent, given by the operator
            v.source_image = _source_image(v._a, cited)
        v.facts = panel_rows(v._a, store.item_facts_of_story(v.story_id))
        v.corrections = corrections.get(v.story_id, [])
        v.show_editor_names = settings.service.show_editor_names
        # Always rendered (and marked): a static export keeps them beside the page (site.take_out_forms).
        v.feedback_action = f"{settings.service.base_path.rstrip('/')}/feedback/{v.story_id}"
        if v.corrections:  # a correction updates the article: feeds and pages show it as updated
            latest = max(c["published_at"] for c in v.corrections)
            if v.updated is None or latest > v.updated:
                v.updated_override = latest
        # One community post is weaker evidence than several outlets: say so on the page.
        # Enrichment facts are figures, not reports: they neither confirm nor weaken a forum story.
        kinds = {
            cited[c.item_id].forum or "outlet"
            for s in v.sentences()
            for c in s.citations
            if c.item_id in cited and cited[c.item_id].origin != "fact"
        }
        forums = sorted(kinds - {"outlet"})
        v.forum_only = " and ".join(forums) if forums and "outlet" not in kinds else None
    env, templates = _environment()
    # A sign-up form that posts elsewhere (an external list) is part of every page; the app's is a form.
    signup = settings.newsletter.signup_action or f"{settings.service.base_path.rstrip('/')}/newsletter/subscribe"
    common = {
        "site_title": settings.publish.site_title,
        "signup_action": signup,
        "signup_in_forms": not settings.newsletter.signup_action,
    }
    builds = out_dir.parent / f".{out_dir.name}.builds"
    stamp = str(time.time_ns())
    out = _Output(builds / f"{stamp}.building", _current_build(out_dir), with_forms)
    out.write(SITE_MARKER, "A site built by newsdesk publish; newsdesk replaces this folder whole.\n")
    for asset in ("style.css", "favicon.svg", "htmx.min.js", "htmx.LICENSE"):
        out.write(asset, templates.joinpath(asset).read_bytes())
    size = settings.publish.page_size
    listings = _write_listing(out, env.get_template("index.html"), views, "index.html", "page/{n}.html", size, common)
    # Served for any missing address, at any depth: its links are absolute paths under the site.
    out.write(NOT_FOUND_PAGE, env.get_template("404.html").render(root=urlsplit(base).path or "/", **common))
    by_tag: dict[str, list[_View]] = {}
    for v in views:
        for t in v.tags:
            by_tag.setdefault(t, []).append(v)
    # A tag page connects articles: only tags two or more articles share get one (and a link).
    by_tag = {t: members for t, members in by_tag.items() if len(members) >= 2}
    page = env.get_template("article.html")
    for v in views:
        v.linked_tags = {t for t in v.tags if t in by_tag}
        out.write(v.path, page.render(a=v, root="../", **common))
        if v.chart_png:  # the chart as a file of its own: og:image and JSON-LD point to it
            out.write(v.chart_path, v.chart_png)
    tag_page = env.get_template("tag.html")
    for t, members in by_tag.items():
        name = slug(t)
        listings += _write_listing(
            out, tag_page, members, f"tags/{name}.html", f"tags/{name}/page/{{n}}.html", size, common, tag=t
        )
    _write_feeds(out, views, base, settings.publish.site_title, by_tag)
    _write_newsletter_archive(out, store, base, settings.publish.site_title)
    _write_methodology(out, env, settings, base, common)
    _write_sitemap(out, views, listings, base)
    out.finish()
    _swap_in(out.scratch, out_dir, builds, stamp)
    return PublishReport(
        out_dir=out_dir, articles=len(views), tags=len(by_tag), written=sorted(out.written), removed=sorted(out.removed)
    )


def _write_listing(
    out: _Output, template: Any, views: list[_View], first: str, later: str, size: int, common: dict[str, Any], **extra: Any
) -> list[str]:
    """A list of articles (the index, a tag) in pages of ``size``, so no page grows with the
    archive: ``first``, then ``later`` with {n} = 2, 3, …, each linking to its neighbours
    (rel="prev" / rel="next"). Returns the pages' paths."""
    chunks = [views[i : i + size] for i in range(0, len(views), size)] or [[]]
    paths = [first] + [later.format(n=n) for n in range(2, len(chunks) + 1)]
    for n, (path, chunk) in enumerate(zip(paths, chunks), start=1):
        root = "../" * path.count("/")
        pager = {
            "number": n,
            "count": len(chunks),
            "prev": root + paths[n - 2] if n > 1 else None,
            "next": root + paths[n] if n < len(chunks) else None,
        }
        out.write(path, template.render(articles=chunk, root=root, pager=pager, **extra, **common))
    return paths


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: a copy does the same, slower
        shutil.copy2(source, target)


def _current_build(out_dir: Path) -> Path | None:
    """The finished build the site link points to (what readers see now), if any."""
    if not out_dir.is_symlink():
        return None
    target = out_dir.resolve()
    return target if (target / SITE_MARKER).exists() else None


class _Output:
    """A new site build that starts as a copy of the current one (hard links: no page is copied)
    and rewrites only the files whose content changed, so a change to one story re-publishes the
    pages it affects (its article, the index, feeds, the tag pages and related articles that show
    it) and leaves every other file as it was: the same file, the same modification time."""

    def __init__(self, scratch: Path, current: Path | None, with_forms: bool = True):
        self.scratch = scratch
        self.with_forms = with_forms
        self.written: set[str] = set()
        self.removed: set[str] = set()
        self.seen: set[str] = set()
        self.previous: set[str] = set()
        if current is not None:
            shutil.copytree(current, scratch, symlinks=True, copy_function=_link_or_copy)
            self.previous = {str(p.relative_to(scratch)) for p in scratch.rglob("*") if p.is_file()}
        else:
            scratch.mkdir(parents=True)

    def write(self, name: str, data: str | bytes) -> None:
        if isinstance(data, str) and not self.with_forms and FORMS_END in data:
            data, regions = take_out_forms(data)
            self.write(forms_file(name), json.dumps(regions, ensure_ascii=False).encode("utf-8"))  # bytes: kept whole
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.seen.add(name)
        path = self.scratch / name
        if name in self.previous:
            if path.read_bytes() == raw:
                return
            path.unlink()  # a hard link shared with the live build: replace it, never write into it
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        self.written.add(name)

    def finish(self) -> None:
        """Remove what the new build no longer has (a held article, a tag page no longer shared)."""
        for name in self.previous - self.seen:
            (self.scratch / name).unlink()
            self.removed.add(name)


SITE_MARKER = ".newsdesk-site"
MAX_IMAGE_URL = 2048  # a source's image address longer than this is not used (nor stored: extract)


def check_out_dir(out_dir: Path, newsroom: Path, protected: list[Path]) -> None:
    """Refuse an ``out_dir`` whose replacement would destroy something: the newsroom folder or a
    folder above it, the database or config, any file, or a folder newsdesk did not build."""
    real = Path(os.path.realpath(out_dir))
    room = newsroom.resolve()
    setting = f"publish.out_dir ({out_dir})"
    if real == room or room.is_relative_to(real):
        raise ConfigError(
            f"{setting} is the newsroom folder or a folder above it: publishing replaces its "
            'out_dir whole. Use a folder of its own, such as "site".'
        )
    if any(real == p.resolve() for p in protected) or (real.exists() and not real.is_dir()):
        raise ConfigError(f"{setting} is a file (the database, the config or another file), not a folder for the site.")
    if real.is_dir() and any(real.iterdir()) and not (real / SITE_MARKER).exists() and not _legacy_site(real):
        raise ConfigError(
            f"{setting} is an existing folder newsdesk did not build (it has no {SITE_MARKER} file); "
            "publishing would replace it. Choose another publish.out_dir, or empty that folder."
        )


def _legacy_site(folder: Path) -> bool:
    """A site built before sites carried a marker: newsdesk's own files and nothing else."""
    names = {p.name for p in folder.iterdir()}
    return {"index.html", "style.css", "feed.xml", "sitemap.xml"} <= names and names <= {
        "index.html",
        "style.css",
        "favicon.svg",
        "htmx.min.js",
        "htmx.LICENSE",
        "feed.xml",
        "atom.xml",
        "feed.json",
        "sitemap.xml",
        "articles",
        "tags",
        "newsletter",
        SITE_MARKER,
        # Written by later versions too (a marker-less folder holding them is still newsdesk's).
        NOT_FOUND_PAGE,
        FORMS_DIR,
        "page",
        "methodology.html",
        "robots.txt",
    }


def _swap_in(scratch: Path, out_dir: Path, builds: Path, stamp: str) -> None:
    """Make the finished build the site in one atomic step: ``out_dir`` is a symbolic link that is
    replaced (rename is atomic), so a reader, or a kill at any instant, sees a complete site."""
    final = builds / stamp
    scratch.rename(final)
    link = out_dir.parent / f".{out_dir.name}.link-{stamp}"
    os.symlink(os.path.join(builds.name, stamp), link, target_is_directory=True)
    if out_dir.is_dir() and not out_dir.is_symlink():  # a site from before links: moved aside once
        legacy = builds / "legacy"
        shutil.rmtree(legacy, ignore_errors=True)
        out_dir.rename(legacy)
    os.replace(link, out_dir)
    for old in builds.iterdir():
        if old.name != stamp:
            shutil.rmtree(old, ignore_errors=True)
    for stale in (out_dir.with_name(out_dir.name + ".building"), out_dir.with_name(out_dir.name + ".old")):
        shutil.rmtree(stale, ignore_errors=True)


def _rss_title(text: str) -> str:
    """RSS readers render titles as HTML: no character of a title may open a tag."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


def _rss_description(text: str) -> str:
    """RSS readers render descriptions as HTML: the plain text, HTML-escaped, so it shows as written."""
    return html.escape(text, quote=False)


def _full_html(v: _View) -> str:
    """The whole article as a feed reader shows it: corrections, each section's sentences with
    their citation marks (linked to the page's references), and the references list. Every piece
    of text is HTML-escaped: source text never becomes markup."""
    esc = html.escape
    parts = [f"<p>{esc(_marked(v, v.dek.text))} {_cite_marks(v, v.dek)}</p>"]
    if v.corrections:
        parts.append("<h2>Corrections</h2>" + "".join(f"<p>{esc(c['text'])}</p>" for c in v.corrections))
    for section in v.sections:
        parts.append(f"<h2>{esc(section.heading)}</h2>")
        for paragraph in section.paragraphs:
            parts.append("<p>" + " ".join(f"{esc(_marked(v, s.text))} {_cite_marks(v, s)}" for s in paragraph) + "</p>")
    refs = []
    for r in v.references:
        link = f'<a href="{esc(r.url)}" rel="nofollow noopener">{esc(r.url)}</a>' if is_web_url(r.url) else esc(r.url)
        when = f" ({r.published.strftime('%d %B %Y')})" if r.published else ""
        refs.append(f'<li id="ref-{r.number}">[{r.number}] {esc(r.outlet)} — {esc(r.title)} — {link}{when}</li>')
    parts.append("<h2>References</h2><ol>" + "".join(refs) + "</ol>")
    return "\n".join(parts)


def _cite_marks(v: _View, sentence: Any) -> str:
    refs = sorted({c.ref for c in sentence.citations})
    marks = ", ".join(f'<a href="{html.escape(v.url)}#ref-{n}">{n}</a>' for n in refs)
    return f"<sup>[{marks}]</sup>" if refs else ""


def _feed(views: list[_View], base: str, title: str, name: str, rss: bool, home: str | None = None) -> Any:
    """``name``: the feed's own path under the site; ``home``: the page it follows (the index)."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(urljoin(base, name) if home else base)
    fg.title(_rss_title(title) if rss else title)
    # Self first: feedgen gives RSS's <link> the last link set, which must be the page, not the feed.
    fg.link(href=urljoin(base, name), rel="self")
    fg.link(href=urljoin(base, home) if home else base, rel="alternate")
    fg.description(f"{title}: machine-written, cited news")
    fg.language("en")
    newest = sorted(views, key=lambda v: v.updated or datetime.min.replace(tzinfo=UTC))
    # The feed changes when its newest entry does, not on every build (else readers and the
    # incremental publish see a change that is none).
    latest = next((v.updated for v in reversed(newest) if v.updated), None)
    if latest is not None:
        fg.updated(latest)
        fg.lastBuildDate(latest)
    for v in newest[-50:]:
        entry = fg.add_entry()
        entry.id(v.url)
        entry.guid(v.url, permalink=True)
        entry.title(_rss_title(v.headline) if rss else v.headline)
        entry.link(href=v.url)
        summary = _marked(v, v.dek.text)
        # The dek as the summary (RSS description / Atom summary, plain text), the whole article
        # as the content (RSS content:encoded / Atom content type="html").
        if rss:
            entry.description(_rss_description(summary))
        else:
            entry.summary(summary)
        entry.content(_full_html(v), type="html")
        entry.published(v.first_published)
        entry.updated(v.updated)
        for t in v.tags:
            entry.category(term=t)
    return fg


def tag_feed_paths(tag: str) -> tuple[str, str]:
    """A tag's RSS and Atom feeds, beside its pages (tags/<tag>.html, tags/<tag>/page/2.html)."""
    return f"tags/{slug(tag)}/feed.xml", f"tags/{slug(tag)}/atom.xml"


def _write_feeds(out: _Output, views: list[_View], base: str, title: str, by_tag: dict[str, list[_View]]) -> None:
    # RSS carries text its readers will render as HTML; Atom says which is which (summary
    # type="text", content type="html").
    out.write("feed.xml", _feed(views, base, title, "feed.xml", rss=True).rss_str(pretty=True))
    out.write("atom.xml", _feed(views, base, title, "atom.xml", rss=False).atom_str(pretty=True))
    for tag, members in by_tag.items():
        rss_path, atom_path = tag_feed_paths(tag)
        page = f"tags/{slug(tag)}.html"
        named = f"{title}: {tag}"
        out.write(rss_path, _feed(members, base, named, rss_path, rss=True, home=page).rss_str(pretty=True))
        out.write(atom_path, _feed(members, base, named, atom_path, rss=False, home=page).atom_str(pretty=True))
    newest = sorted(views, key=lambda v: v.updated or datetime.min.replace(tzinfo=UTC))
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": base,
        "feed_url": urljoin(base, "feed.json"),
        "items": [
            {
                "id": v.url,
                "url": v.url,
                "title": v.headline,
                "summary": _marked(v, v.dek.text),
                "content_text": "\n\n".join(_marked(v, s.text) for s in v.sentences()),
                "content_html": _full_html(v),
                "date_published": v.first_published.isoformat() if v.first_published else None,
                "date_modified": v.updated.isoformat() if v.updated else None,
                "tags": v.tags,
            }
            for v in reversed(newest[-50:])
        ],
    }
    out.write("feed.json", json.dumps(feed, indent=2, ensure_ascii=False))


def _marked(v: _View, text: str) -> str:
    """A claim in review carries its marker wherever it is published, feeds included."""
    return f"{text} [unconfirmed]" if text in v.review else text


def _write_newsletter_archive(out: _Output, store: Store, base: str, title: str) -> None:
    """Every newsletter issue as a page ("view in a browser") with its charts as PNG files, the
    newest as latest.html, an index, and an RSS feed of issues. The pages carry no subscriber's
    unsubscribe link."""
    from feedgen.feed import FeedGenerator

    from newsdesk.newsletter import ISSUE_PLACEHOLDER, for_browser, issue_images

    issues = store.newsletter_issues()
    if not issues:
        return
    general = urljoin(base, "newsletter/")
    for issue in issues:
        for cid, png in issue_images(store, issue).items():
            out.write("newsletter/" + cid.split("@")[0] + ".png", png)
        out.write(f"newsletter/issue-{issue['id']}.html", for_browser(issue, general))
    out.write("newsletter/latest.html", for_browser(issues[0], general))
    items = "".join(f'<li><a href="issue-{i["id"]}.html">{html.escape(i["subject"])}</a></li>' for i in issues)
    out.write(
        "newsletter/index.html",
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Newsletter archive</title>'
        f'<link rel="alternate" type="application/rss+xml" title="Newsletter issues" href="feed.xml"></head>'
        f'<body><h1>Newsletter archive</h1><p><a href="feed.xml">RSS feed of issues</a></p><ul>{items}</ul></body></html>',
    )
    feed = FeedGenerator()
    feed.title(_rss_title(f"{title}: newsletter"))
    feed.link(href=urljoin(general, "index.html"), rel="alternate")
    feed.description(f"Every issue of the {title} newsletter")
    feed.language("en")
    feed.lastBuildDate(issues[0]["created_at"])
    for issue in reversed(issues[:50]):  # feedgen lists the last added first
        entry = feed.add_entry()
        url = urljoin(general, f"issue-{issue['id']}.html")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.link(href=url)
        entry.title(_rss_title(issue["subject"]))
        text = issue["text"].replace(ISSUE_PLACEHOLDER, str(issue["id"])).split("Unsubscribe with one click:")[0].strip()
        entry.description(html.escape(text).replace("\n", "<br>"))
        entry.pubDate(issue["created_at"])
    out.write("newsletter/feed.xml", feed.rss_str(pretty=True))


def _write_sitemap(out: _Output, views: list[_View], listings: list[str], base: str) -> None:
    """Every article, the methodology page, and every page of the index and of the tags
    (``listings``, index.html first); robots.txt names the sitemap."""
    from xml.sax.saxutils import escape

    rows = [f"<url><loc>{escape(urljoin(base, listings[0]))}</loc></url>"]
    for v in views:
        # No date, no element: an empty <lastmod> is invalid (the sitemap protocol wants a W3C date).
        lastmod = f"<lastmod>{v.updated.date().isoformat()}</lastmod>" if v.updated else ""
        rows.append(f"<url><loc>{escape(v.url)}</loc>{lastmod}</url>")
    for path in [METHODOLOGY_PAGE, *listings[1:]]:
        rows.append(f"<url><loc>{escape(urljoin(base, path))}</loc></url>")
    out.write(
        "sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n",
    )
    out.write("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {urljoin(base, 'sitemap.xml')}\n")


METHODOLOGY_PAGE = "methodology.html"


def _write_methodology(out: _Output, env: Any, settings: Settings, base: str, common: dict[str, Any]) -> None:
    """How newsdesk writes and checks, and its corrections policy: the page every article's
    JSON-LD names as its publishingPrinciples, linked from every footer."""
    verify = settings.verify
    out.write(
        METHODOLOGY_PAGE,
        env.get_template(METHODOLOGY_PAGE).render(
            root="",
            url=urljoin(base, METHODOLOGY_PAGE),
            on_fail=verify.on_fail,
            on_review=verify.on_review,
            writer=settings.write.backend,
            **common,
        ),
    )
