"""Settings of one newsroom, read from its ``newsdesk.toml``.

Every knob has a default, so an empty file is a valid newsroom. Environment variables
``NEWSDESK_<SECTION>__<KEY>`` override the file (for example ``NEWSDESK_STORE__URL``).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any, ClassVar, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from newsdesk import USER_AGENT

CONFIG_NAME = "newsdesk.toml"


class Section(BaseModel):
    """A [section] of newsdesk.toml: a key it does not know is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class StoreSettings(Section):
    # A relative SQLite path is taken relative to the newsroom folder.
    url: str = "sqlite:///newsdesk.db"

    @field_validator("url")
    @classmethod
    def _supported(cls, url: str) -> str:
        if not url.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                f"{redact(url)!r} is not a store newsdesk can use: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB"
            )
        return url


def redact(url: str) -> str:
    """A URL with any password replaced by ***, for messages."""
    import re

    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class HttpSettings(Section):
    user_agent: str = USER_AGENT
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    # Whole-request deadline: catches servers that trickle bytes forever.
    total_timeout: float = Field(default=60.0, gt=0)
    max_concurrency: int = Field(default=16, ge=1, le=256)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    # Requests per second allowed per host (APIs that publish limits); hosts not listed: no pacing.
    host_rate_limits: dict[str, float] = Field(
        default_factory=lambda: {
            "www.reddit.com": 1.0,
            "oauth.reddit.com": 1.0,
            "api.github.com": 5.0,
            "huggingface.co": 5.0,
            "hacker-news.firebaseio.com": 20.0,
        }
    )
    max_retries: int = Field(default=3, ge=0, le=10)
    backoff_base: float = Field(default=1.0, ge=0)
    # A Retry-After longer than this is not waited for; the fetch is recorded as failed.
    max_retry_after: float = Field(default=120.0, ge=0)
    max_bytes: int = Field(default=5_000_000, ge=1_000)
    respect_robots: bool = True
    # Private, loopback and link-local addresses a source may lead to anyway (the egress guard
    # refuses them otherwise): host names, "host:port" or CIDR ranges, e.g. ["127.0.0.0/8"].
    allow_private: list[str] = Field(default_factory=list)
    # Keep article pages in the RFC 9111 cache too (robots.txt always is). A stored item's page is
    # never fetched again, so this mostly helps a run that crashed between fetching and storing.
    cache_pages: bool = False


class ExtractSettings(Section):
    # Fetch the article page when the feed carries fewer words than this.
    min_feed_words: int = Field(default=150, ge=0)
    fetch_pages: bool = True
    # One article page may take this long (fetch and extraction); a slower one is skipped and the
    # entry keeps its feed text. All of one source's pages share sources_pages_deadline, so one
    # slow host cannot hold a run.
    page_timeout: float = Field(default=20.0, gt=0)
    source_pages_deadline: float = Field(default=120.0, gt=0)


class DedupSettings(Section):
    shingle_words: int = Field(default=4, ge=1, le=20)
    num_perm: int = Field(default=128, ge=16, le=1024)
    # Estimated Jaccard similarity above which an item is a copy of an earlier one.
    threshold: float = Field(default=0.6, gt=0, le=1)


class StorySettings(Section):
    # Neighbours looked at per item when building the similarity graph.
    neighbours: int = Field(default=15, ge=1, le=200)
    # Weakest TF-IDF cosine similarity kept as an edge of that graph.
    edge_min: float = Field(default=0.10, ge=0, le=1)
    # Louvain resolution: higher splits stories finer.
    resolution: float = Field(default=1.5, gt=0)
    # Centroid similarity at which a story of new items joins another (an open one, or a
    # fragment of the same event that the graph split off).
    merge_min: float = Field(default=0.40, ge=0, le=1)
    # An item less similar than this to the rest of its story is split off to stand alone
    # (two items alone in a story need 0.15; see stories/cluster.py).
    detach_min: float = Field(default=0.10, ge=0, le=1)
    # A story with no new item for this long is closed; later items start a new story, unless
    # they continue it (the same names and figures: a trial's verdict) within reopen_days.
    quiet_hours: float = Field(default=72.0, gt=0)
    reopen_days: float = Field(default=21.0, ge=0)
    # Mean pairwise similarity at which two groups of full-text items are one event (headlines
    # need less; see stories/cluster.py), and the relative rules: a weaker link still joins
    # when it is `contrast` times any rival's, and two close-knit groups stay apart when their
    # link is under `cohesion` times their own mean similarity.
    link_min: float = Field(default=0.15, ge=0, le=1)
    contrast: float = Field(default=1.35, ge=1)
    cohesion: float = Field(default=0.5, ge=0, le=1)
    # Words of item text (after the title) that go into its vector.
    text_words: int = Field(default=120, ge=1)


class RankSettings(Section):
    recency_half_life_hours: float = Field(default=24.0, gt=0)
    outlet_weight: float = 1.0
    recency_weight: float = 1.0
    source_weight: float = 0.5
    engagement_weight: float = 0.5
    # Readers' "Was this article helpful?" votes: weight × (yes − no) / (yes + no). Small by default.
    helpfulness_weight: float = Field(default=0.1, ge=0, le=5)
    major_score: float = 5.0
    standard_score: float = 3.75


class SourceEntry(Section):
    url: str
    name: str = ""
    weight: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    # The publisher its items count as when independent outlets are counted; empty: the
    # registrable domain of each item's link (sources/outlets.py).
    outlet: str = ""


class SourcesSettings(Section):
    """Sources listed in newsdesk.toml are added to the newsroom before each ingest (besides
    those added with `newsdesk sources add`). Entries: a URL, or {url, name, weight, outlet}."""

    Entry: ClassVar[type[SourceEntry]] = SourceEntry
    urls: list[str | SourceEntry] = Field(default_factory=list)
    # Local feed files (a path or file:// source) are read only when this is true: a source list
    # from elsewhere must not make newsdesk read files on this machine.
    allow_files: bool = False


class CommunitySettings(Section):
    # Base URLs, so the same code can talk to a mirror or a test server.
    reddit_base_url: str = "https://www.reddit.com"
    hn_base_url: str = "https://hacker-news.firebaseio.com/v0"
    # Posts or stories taken per source per run, and listing pages followed to get them.
    limit: int = Field(default=30, ge=1, le=100)
    max_pages: int = Field(default=2, ge=1, le=10)
    # Top comments stored per Reddit post (0 = none), for this many of the best-scored new posts.
    reddit_comments: int = Field(default=3, ge=0, le=20)
    reddit_comment_posts: int = Field(default=5, ge=0, le=50)


class EnrichSettings(Section):
    enabled: bool = True
    # Base URLs, so the same code can talk to a mirror or a test server.
    hf_base_url: str = "https://huggingface.co"
    github_api_url: str = "https://api.github.com"
    # Tokens are optional and read from these environment variables (never from this file).
    hf_token_env: str = "HF_TOKEN"
    github_token_env: str = "GITHUB_TOKEN"
    # Mentions looked up per story (each costs one or two requests).
    max_lookups_per_story: int = Field(default=8, ge=0, le=50)


class LLMSettings(Section):
    """The LLM writer ([write] backend = "llm"): any OpenAI-compatible chat-completions endpoint."""

    base_url: str = "http://127.0.0.1:11434/v1"  # Ollama's; vLLM, llama.cpp server and OpenAI work alike
    model: str = "llama3.1:8b"
    # The key is read from this environment variable; it is never stored here or logged.
    api_key_env: str = "OPENAI_API_KEY"
    # "editorial" (third person, analytical), "columnist" (first person), or a template file
    # (relative to the newsroom folder): `newsdesk persona editorial > mine.txt` to start one.
    persona: str = "editorial"
    timeout: float = Field(default=120.0, gt=0)
    # Retries of one request after a timeout, a 429 (honouring Retry-After) or a 5xx.
    max_retries: int = Field(default=2, ge=0, le=10)
    max_concurrency: int = Field(default=2, ge=1, le=64)
    temperature: float = Field(default=0.3, ge=0, le=2)
    max_completion_tokens: int = Field(default=1800, ge=64)
    # "json_schema" (structured output: OpenAI, vLLM, llama.cpp's own server, Ollama),
    # "json_object_schema" (JSON mode with a schema: llama-cpp-python's server), or "json_object"
    # (plain JSON mode, for servers that know nothing else; the answer is still validated).
    response_format: Literal["json_schema", "json_object_schema", "json_object"] = "json_schema"
    # Budget per run (0 = none): the run stops writing, loudly, once it is spent.
    max_tokens_per_run: int = Field(default=0, ge=0)
    max_cost_per_run: float = Field(default=0.0, ge=0)
    # Prices per million tokens, [prompt, completion], by model name: cost is reported when known.
    prices: dict[str, list[float]] = Field(default_factory=dict)
    # What to do when the endpoint cannot be reached: "none" (write nothing, exit 1) or "extractive".
    fallback: Literal["none", "extractive"] = "none"
    # Source passages shown to the model: at most this many items, this many characters each.
    max_sources: int = Field(default=12, ge=1)
    source_chars: int = Field(default=2500, ge=200)
    # Sentences the verifier would hold for wording (words no cited sentence has) are sent back
    # once, in one more call per article naming the words and the nearest evidence, to be rewritten.
    repair_wording: bool = True


class WriteSettings(Section):
    # "extractive" (no model, no key), "llm" (see [llm]), or a plugin: "package.module:factory", where the factory
    # takes the Settings and returns an object with ``name`` and ``write(story) -> Article | None``.
    backend: str = "extractive"
    # Stories of this tier or above get an article: "major", "standard" or "brief".
    min_tier: Literal["major", "standard", "brief"] = "standard"
    budget_words: int = Field(default=400, ge=50)
    # Length fits the story: a major story that five or more outlets report gets a long-form
    # budget (used only as far as the sources carry distinct material); a brief stays brief.
    long_budget_words: int = Field(default=1000, ge=50)
    long_min_outlets: int = Field(default=5, ge=1)
    brief_budget_words: int = Field(default=150, ge=50)
    byline: str = "newsdesk extractive desk"


class VerifySettings(Section):
    # A claim that fails a hard check: "remove" it (and re-check the article) or "hold" the article.
    on_fail: Literal["remove", "hold"] = "remove"
    # A claim left in doubt: publish it with a visible "unconfirmed" marker, or "queue" it for an
    # editor (it is left out of the page until then). "auto": "mark" with the extractive writer
    # (every sentence is a source's own), "queue" with the LLM writer or any plugin writer.
    on_review: Literal["auto", "mark", "queue"] = "auto"
    # Best evidence similarity below which a claim goes to review.
    review_support: float = Field(default=0.35, ge=0, le=1)
    # Relative difference allowed between a claim's figure and the source's (0 = exact, unless the
    # claim itself says "about", "nearly", … or uses a scale word such as "million").
    number_tolerance: float = Field(default=0.0, ge=0, le=0.2)
    # How far an approximate figure ("about 2,000", "1.2 million") may stand from the source's.
    approximation: float = Field(default=0.05, ge=0, le=0.2)
    # A figure computed from two cited figures ("a combined 3,000") fails unless this is true and
    # the claim shows both operands, each found in its sources.
    allow_derived: bool = False
    # An article with fewer supported sentences than this is held, not published.
    min_sentences: int = Field(default=3, ge=1)
    # "llm": claims left in doubt go, once each, to the [llm] endpoint as an entailment judge.
    judge: Literal["none", "llm"] = "none"
    # Which findings the judge may settle either way: "wording" (ordinary words no cited sentence
    # has, a paraphrase). The default [] lets it only fail them: a judge that agrees with anything
    # would otherwise publish a wrongly cited sentence (bench/adversary.py). A figure, name, quote,
    # date, negation, modality, direction or never-free word finding is never put to a judge.
    judge_settles: list[Literal["wording"]] = Field(default_factory=list)


class MediaSettings(Section):
    # A chart needs at least this many comparable figures (same measure and unit).
    min_points: int = Field(default=3, ge=2)
    # Added to the video prompt's negative constraints (e.g. "no city skylines").
    extra_negative: list[str] = Field(default_factory=list)


class PublishSettings(Section):
    # Relative to the newsroom folder.
    out_dir: str = "site"
    site_title: str = "newsdesk"
    # Absolute base used in feeds and the sitemap; pages themselves link relatively.
    base_url: str = "http://127.0.0.1:8000/"
    # Articles on each page of the index and of a tag (page 2 on: page/2.html, tags/<tag>/page/2.html).
    page_size: int = Field(default=50, ge=1)
    # Show a cited page's own image (og:image, JSON-LD) by its address: only with the publishers' consent.
    show_source_images: bool = False


class WatchSettings(Section):
    """``newsdesk watch``: each source on its own schedule, within these bounds."""

    # A source that says nothing (no ttl, no sy:updatePeriod, no Cache-Control) is read this often.
    default_interval_minutes: float = Field(default=30.0, gt=0)
    min_interval_minutes: float = Field(default=5.0, gt=0)
    max_interval_minutes: float = Field(default=360.0, gt=0)
    # A failing source waits twice as long after each failure in a row, up to this.
    max_backoff_hours: float = Field(default=24.0, gt=0)
    # How often the loop looks for due sources at most (seconds).
    tick_seconds: float = Field(default=30.0, gt=0, le=3600)
    # No host is read more often than this (feeds a minute, across rounds and processes); the
    # sources over it wait for the next round.
    per_host_per_minute: int = Field(default=30, ge=1, le=100000)


class NewsletterSettings(Section):
    """``newsdesk newsletter``: the daily digest by email."""

    from_address: str = "newsdesk <newsroom@localhost>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    # "starttls", "ssl" or "none" (a local relay).
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    # Credentials come from the environment, under these names (never from the file).
    smtp_username_env: str = "NEWSDESK_SMTP_USERNAME"
    smtp_password_env: str = "NEWSDESK_SMTP_PASSWORD"
    # TLS checks the server's certificate against the system's authorities, or this PEM file
    # (a private relay's own authority; relative to the newsroom folder).
    smtp_ca_file: str = ""
    messages_per_second: float = Field(default=10.0, gt=0, le=10000)
    # A refused or failed send is tried again on later runs, this many times in all.
    max_attempts: int = Field(default=3, ge=1, le=20)
    # A confirmation link is good for this long.
    confirm_hours: float = Field(default=48.0, gt=0)
    # A sign-up's confirmation email gives up on an SMTP server silent for this long (seconds);
    # it is sent off the request path, so readers never wait for it.
    confirm_timeout: float = Field(default=10.0, gt=0, le=300)
    # `watch` (or `newsdesk schedule` with workers) builds and sends an issue once a day at this
    # local time ("07:00"); empty: only when you run `newsdesk newsletter build` / `send`.
    daily_at: str = ""
    timezone: str = "UTC"
    # Where the static site's sign-up form posts (the app's /newsletter/subscribe, on another
    # host); empty: the form appears only on the site the app serves.
    signup_action: str = ""
    # DKIM signing (needs `pip install dkimpy`): a PEM private key file, its selector and domain.
    dkim_key_file: str = ""
    dkim_selector: str = ""
    dkim_domain: str = ""

    @field_validator("daily_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        import re

        if value and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f'{value!r} is not a time of day: write it as HH:MM, such as "07:00"')
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'{value!r} is not a time zone name: use one such as "Europe/Paris" or "UTC"') from None
        return value


class WebhookTarget(Section):
    # Where each signed event is POSTed, and the environment variable holding its HMAC secret.
    url: str
    secret_env: str = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _web(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"a webhook url must start with http:// or https://, not {value[:40]!r}")
        return value


class IntegrationsSettings(Section):
    """The read-only JSON API (``/api/v1``), signed webhooks and posting plug-ins (``newsdesk.integrations``)."""

    api: bool = True
    # The API's stories carry their items' stored text only when true (it is the sources' text).
    api_item_text: bool = False
    webhooks: list[WebhookTarget] = Field(default_factory=list)
    # Posting new stories: "mastodon", "chat", or a plug-in "package.module:factory". None by default.
    posters: list[str] = Field(default_factory=list)
    mastodon_url: str = ""
    mastodon_token_env: str = "NEWSDESK_MASTODON_TOKEN"
    mastodon_visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    chat_url_env: str = "NEWSDESK_CHAT_WEBHOOK_URL"
    chat_style: Literal["slack", "discord"] = "slack"
    # New stories posted per poster and publish, newest first (the rest are marked as skipped).
    max_posts_per_run: int = Field(default=10, ge=1, le=1000)
    timeout: float = Field(default=10.0, gt=0, le=120)
    max_attempts: int = Field(default=3, ge=1, le=10)


class QueueSettings(Section):
    """Workers on PostgreSQL (``newsdesk worker``, ``newsdesk schedule``)."""

    # "none": one process (`newsdesk run` / `watch`); "procrastinate": jobs in PostgreSQL.
    backend: Literal["none", "procrastinate"] = "none"
    # A job whose worker sent no heartbeat for this long is retried by another (kill -9, lost machine).
    stalled_seconds: float = Field(default=30.0, gt=0)
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    # Clustering waits while fetches are still queued or running, at most this long: a burst is
    # clustered together, as one process would.
    cluster_max_wait_seconds: float = Field(default=120.0, ge=0)


class ServiceSettings(Section):
    """``newsdesk serve``: the site, readers' feedback and the editor's desk."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Behind a reverse proxy: the path the app is mounted at ("/news"), and the proxies whose
    # X-Forwarded-For/-Proto headers are believed: addresses or CIDR ranges. Empty: none is, and
    # the client (for the rate limit, the Secure cookie and the scheme) is the socket's peer.
    base_path: str = ""
    trusted_proxies: list[str] = Field(default_factory=list)
    # Deprecated (before trusted_proxies): uvicorn's comma-separated form, read into trusted_proxies.
    forwarded_allow_ips: str | None = None
    # Feedback forms in `newsdesk publish`'s static export too (when the app answers on the same origin).
    forms_in_export: bool = False
    feedback_per_minute: int = Field(default=10, ge=1, le=1_000_000)  # per client
    comment_max_chars: int = Field(default=2000, ge=0, le=8000)  # a form is at most 16 KB
    failed_logins_to_lock: int = Field(default=5, ge=1, le=100)
    lock_minutes: float = Field(default=15.0, gt=0)
    session_hours: float = Field(default=12.0, gt=0)
    # Public pages show editors' names on corrections only when this is true.
    show_editor_names: bool = False
    # Processes answering requests (one listening socket): more use more cores. Each has its own
    # rate limits and search cache, so a client may get up to this many times feedback_per_minute.
    workers: int = Field(default=1, ge=1, le=64)

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or CIDR range: list the reverse proxies' addresses,"
                    ' such as ["127.0.0.1"] or ["10.0.0.0/8"]'
                ) from None
        return [entry.strip() for entry in value]

    @model_validator(mode="after")
    def _old_proxy_key(self) -> ServiceSettings:
        if self.forwarded_allow_ips is not None:
            if self.trusted_proxies:
                raise ValueError("set trusted_proxies only: forwarded_allow_ips is its deprecated old name")
            old = [p.strip() for p in self.forwarded_allow_ips.split(",") if p.strip()]
            self.trusted_proxies = self._addresses(["0.0.0.0/0", "::/0"] if old == ["*"] else old)
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", env_nested_delimiter="__", extra="forbid")

    store: StoreSettings = Field(default_factory=StoreSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    stories: StorySettings = Field(default_factory=StorySettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    community: CommunitySettings = Field(default_factory=CommunitySettings)
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
    rank: RankSettings = Field(default_factory=RankSettings)
    write: WriteSettings = Field(default_factory=WriteSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    verify: VerifySettings = Field(default_factory=VerifySettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    watch: WatchSettings = Field(default_factory=WatchSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    newsletter: NewsletterSettings = Field(default_factory=NewsletterSettings)
    integrations: IntegrationsSettings = Field(default_factory=IntegrationsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file is named by load_settings through model_config["toml_file"].
        return init_settings, _EnvWithoutFiles(settings_cls), TomlConfigSettingsSource(settings_cls)


class _EnvWithoutFiles(EnvSettingsSource):
    """The environment, less the ``…_FILE`` variables load_settings reads as files (else each
    would be refused as an unknown key)."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        for section, keys in values.items():
            model = getattr(Settings.model_fields.get(section), "annotation", None)
            if isinstance(keys, dict) and isinstance(model, type) and issubclass(model, BaseModel):
                for key in [k for k in keys if k.endswith("_file") and k not in model.model_fields]:
                    if key[: -len("_file")] in model.model_fields:
                        del keys[key]
        return values


class ConfigError(Exception):
    """The newsroom's configuration cannot be used; the message says what to fix."""


def describe(exc: ValidationError) -> str:
    """Each problem with where it is; an unknown key names its section and the nearest known key."""
    import difflib

    problems = []
    for e in exc.errors():
        loc = [str(p) for p in e["loc"]]
        if e["type"] == "extra_forbidden":
            known = _fields_at(loc[:-1])
            near = difflib.get_close_matches(loc[-1], known, n=1)
            where = f"[{'.'.join(loc[:-1])}]" if len(loc) > 1 else "the top level"
            hint = f"; did you mean {near[0]!r}?" if near else f"; known keys: {', '.join(known)}"
            problems.append(f"unknown key {loc[-1]!r} in {where}{hint}")
        else:
            problems.append(f"{'.'.join(loc)}: {e['msg']}")
    return "; ".join(problems)


def _fields_at(loc: list[str]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return sorted(model.model_fields)


def load_settings(newsroom: Path) -> Settings:
    """Read ``newsroom/newsdesk.toml``; raise ConfigError naming the file and the bad key."""
    path = newsroom / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(f"{path} not found: create a newsroom with `newsdesk init {newsroom}` or pass --dir.")
    bound = type("NewsroomSettings", (Settings,), {"model_config": {**Settings.model_config, "toml_file": path}})
    import os

    from_files = settings_from_files(os.environ)
    try:
        settings = cast(Settings, bound(**from_files))
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe(exc)}") from None
    except Exception as exc:  # tomllib.TOMLDecodeError and friends
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    credentials_from_files(settings, os.environ)
    return settings


FILE_SUFFIX = "_FILE"


def _read_secret(variable: str, name: str) -> str:
    """The file's text without its final newline (``echo secret > file`` adds one)."""
    try:
        return Path(name).read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(
            f"{variable} names {name!r}, which cannot be read ({reason}): mount the secret there or unset {variable}"
        ) from None


def settings_from_files(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Settings whose value is a file's content (Docker and Kubernetes secrets):
    ``NEWSDESK_<SECTION>__<KEY>_FILE=/run/secrets/x`` sets ``[section] key``. A key that itself
    ends in ``_file`` (``smtp_ca_file``) is an ordinary variable; an empty value counts as unset."""
    found: dict[str, dict[str, str]] = {}
    upper = {name.upper(): name for name in environ}
    for variable, name in sorted(environ.items()):
        head = variable.upper()
        if not (head.startswith("NEWSDESK_") and head.endswith(FILE_SUFFIX) and "__" in head) or not name:
            continue
        section, _, key = head[len("NEWSDESK_") : -len(FILE_SUFFIX)].lower().partition("__")
        model = getattr(Settings.model_fields.get(section), "annotation", None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or key + "_file" in model.model_fields:
            continue
        if key not in model.model_fields:
            raise ConfigError(f"{variable}: [{section}] has no key {key!r}; known keys: {', '.join(sorted(model.model_fields))}")
        direct = head[: -len(FILE_SUFFIX)]
        if environ.get(upper.get(direct, direct)):
            raise ConfigError(f"both {direct} and {variable} are set: set one of them")
        found.setdefault(section, {})[key] = _read_secret(variable, name)
    return found


def credentials_from_files(settings: Settings, environ: MutableMapping[str, str]) -> None:
    """Credentials newsdesk reads from variables it names (``[newsletter] smtp_password_env``,
    ``[llm] api_key_env``, the enrichment tokens) may come from a file too: ``NAME_FILE`` fills
    ``NAME`` in this process's environment, as a container's entrypoint would."""
    names = {
        settings.newsletter.smtp_username_env,
        settings.newsletter.smtp_password_env,
        settings.llm.api_key_env,
        settings.enrich.hf_token_env,
        settings.enrich.github_token_env,
        settings.integrations.mastodon_token_env,
        settings.integrations.chat_url_env,
        *(hook.secret_env for hook in settings.integrations.webhooks),
    }
    for name in sorted(n for n in names if n):
        file_name = environ.get(name + FILE_SUFFIX)
        if not file_name:
            continue
        if environ.get(name):
            raise ConfigError(f"both {name} and {name}{FILE_SUFFIX} are set: set one of them")
        environ[name] = _read_secret(name + FILE_SUFFIX, file_name)


DEFAULT_TOML = """\
# newsdesk newsroom configuration. Every key is optional; the values shown are the defaults.

[store]
# SQLite file in this folder; for PostgreSQL: "postgresql+psycopg://user:pass@host/db"
url = "sqlite:///newsdesk.db"

[http]
per_host_concurrency = 2
max_concurrency = 16
# Requests per second per host for APIs with published limits (others are not paced).
host_rate_limits = { "www.reddit.com" = 1.0, "oauth.reddit.com" = 1.0, "api.github.com" = 5.0, "huggingface.co" = 5.0, "hacker-news.firebaseio.com" = 20.0 }
read_timeout = 20.0
total_timeout = 60.0
max_retries = 3
max_retry_after = 120.0
max_bytes = 5000000
respect_robots = true
# Sources never reach private networks (loopback, 10.x, 169.254.x, …) unless listed here:
# host names, "host:port" or CIDR ranges, e.g. ["127.0.0.0/8", "intranet.example:8080"].
allow_private = []

[extract]
# Fetch an item's page when its feed entry carries fewer words than this.
min_feed_words = 150
# Seconds for one article page, and for all of one source's pages; past them the feed's text is kept.
page_timeout = 20.0
source_pages_deadline = 120.0

[dedup]
# Estimated Jaccard similarity (word shingles) above which an item is a copy.
threshold = 0.6

[stories]
neighbours = 15
edge_min = 0.10
resolution = 1.5
merge_min = 0.40
detach_min = 0.10
# A story with no new item for this many hours is closed (reopened within reopen_days by
# items that name its actors and figures).
quiet_hours = 72.0
reopen_days = 21.0

[rank]
recency_half_life_hours = 24.0
# Readers' helpful / not helpful votes nudge the score: weight × (yes − no) / (yes + no).
helpfulness_weight = 0.1
major_score = 5.0
standard_score = 3.75

[sources]
# Sources added before each ingest, besides those added with `newsdesk sources add`: feed URLs or
# files, reddit:r/NAME (reddit:r/NAME/top?t=week), hn:top|new|best, web:https://site/section, or
# tables such as { url = "https://example.org/feed.xml", name = "Example", weight = 1.5 }.
# Independent outlets are counted by publisher: the registrable domain of each item's link
# (two feeds of example.co.uk are one outlet); outlet = "Example Group" on a table overrides it.
urls = []
# Read local feed files (path or file:// sources) only when true.
allow_files = false

[community]
# Posts or stories taken per Reddit / Hacker News source per run.
limit = 30
# Top comments stored per new Reddit post, for this many of the best-scored new posts.
reddit_comments = 3
reddit_comment_posts = 5

[enrich]
# Hugging Face Hub and GitHub figures for the models, datasets and repositories stories mention.
enabled = true
# Optional tokens are read from these environment variables, never from this file.
hf_token_env = "HF_TOKEN"
github_token_env = "GITHUB_TOKEN"
max_lookups_per_story = 8

[write]
# "extractive" (no model, no key) or "llm" (see [llm]).
backend = "extractive"
# Stories of this tier or above get an article: "major", "standard" or "brief".
min_tier = "standard"
budget_words = 400
# Major stories reported by long_min_outlets or more outlets get up to long_budget_words; briefs brief_budget_words.
long_budget_words = 1000
long_min_outlets = 5
brief_budget_words = 150

[llm]
# Used when [write] backend = "llm": any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp, OpenAI).
base_url = "http://127.0.0.1:11434/v1"
model = "llama3.1:8b"
# The API key is read from this environment variable, never written here.
api_key_env = "OPENAI_API_KEY"
# "editorial", "columnist", or a template file of your own (`newsdesk persona editorial > mine.txt`).
persona = "editorial"
timeout = 120.0
max_retries = 2
max_concurrency = 2
# Budget per run (0 = unlimited); the run stops writing, and says so, once it is spent.
max_tokens_per_run = 0
max_cost_per_run = 0.0
# Prices per million tokens by model, [prompt, completion], e.g. prices = { "gpt-4o-mini" = [0.15, 0.6] }
prices = {}
# When the endpoint is unreachable: "none" (write nothing, exit 1) or "extractive".
fallback = "none"

[verify]
# A claim its cited sources do not support: "remove" it, or "hold" the whole article.
on_fail = "remove"
# A claim in doubt: "mark" it visibly on the page, or "queue" it for an editor; "auto" marks with
# the extractive writer and queues with the LLM writer (or any plugin writer).
on_review = "auto"
review_support = 0.35
# 0 = figures must match exactly unless the claim says "about", "nearly", "1.2 million", …
number_tolerance = 0.0
# How far "about 2,000" or "1.2 million" may stand from the source's figure (0.05 = 5%).
approximation = 0.05
# true: "a combined N" may pass when the sentence also states both sourced operands.
allow_derived = false
min_sentences = 3
# "llm": claims left in doubt go, once each, to the [llm] endpoint as an entailment judge.
judge = "none"

[media]
# A chart needs at least this many comparable figures from verified claims.
min_points = 3
extra_negative = []

[publish]
out_dir = "site"
site_title = "newsdesk"
# Absolute address the site will be served from (used in feeds and the sitemap).
base_url = "http://127.0.0.1:8000/"
# Articles on each page of the index and of each tag page (then page/2.html, page/3.html, …).
page_size = 50
# true: an article may show a cited page's own image, linked from that page's site (the image is
# never copied). Only with the publishers' consent; otherwise only newsdesk's own charts are shown.
show_source_images = false

[service]
# `newsdesk serve`: the site with readers' feedback, and the editor's desk at /desk.
host = "127.0.0.1"
port = 8000
# Behind a reverse proxy: the path it mounts the app at, and the proxy addresses (or CIDR
# ranges) whose X-Forwarded-For / -Proto are believed; none by default, e.g. ["127.0.0.1"].
base_path = ""
trusted_proxies = []
forms_in_export = false
feedback_per_minute = 10
comment_max_chars = 2000
failed_logins_to_lock = 5
lock_minutes = 15.0
session_hours = 12.0
show_editor_names = false

[watch]
# `newsdesk watch`: each source is read as often as it asks (RSS ttl, sy:updatePeriod, HTTP
# Cache-Control/Expires), within these bounds; a failing source backs off, doubling each time.
default_interval_minutes = 30.0
min_interval_minutes = 5.0
max_interval_minutes = 360.0
max_backoff_hours = 24.0
tick_seconds = 30.0
per_host_per_minute = 30                # feeds read from one host in any minute, at most

[queue]
# "procrastinate" (with a postgresql+psycopg:// store) spreads the work over `newsdesk worker`
# processes on any machine; `newsdesk schedule` enqueues fetches when sources are due.
backend = "none"
stalled_seconds = 30.0
heartbeat_seconds = 5.0
cluster_max_wait_seconds = 120.0       # clustering waits for a burst of fetches to end, at most this long

[newsletter]
# `newsdesk newsletter build` / `send`: the digest by email to confirmed subscribers.
from_address = "newsdesk <newsroom@localhost>"
smtp_host = "127.0.0.1"
smtp_port = 25
smtp_security = "starttls"             # "starttls", "ssl" or "none" (a local relay)
smtp_username_env = "NEWSDESK_SMTP_USERNAME"   # credentials come from these environment variables
smtp_password_env = "NEWSDESK_SMTP_PASSWORD"
smtp_ca_file = ""                      # a PEM authority for a private relay's certificate (TLS is always verified)
messages_per_second = 10.0
max_attempts = 3
confirm_hours = 48.0
confirm_timeout = 10.0                 # seconds a sign-up's confirmation waits for a silent SMTP server
daily_at = ""                          # "07:00": watch / schedule send an issue daily at this local time
timezone = "UTC"
signup_action = ""                     # the app's /newsletter/subscribe URL, for the static site's form
dkim_key_file = ""                     # DKIM: a PEM key file (pip install dkimpy), selector and domain
dkim_selector = ""
dkim_domain = ""

[integrations]
# The read-only JSON API at /api/v1 (stories, articles, corrections), as `newsdesk serve` runs it.
api = true
api_item_text = false                  # true: the API's stories carry their items' full source text
# Signed webhooks on publish and correction, e.g. [{ url = "https://hooks.example/newsdesk", secret_env = "NEWSDESK_WEBHOOK_SECRET" }]
webhooks = []
# Post each new story once: "mastodon", "chat" (a Slack or Discord incoming webhook) or "package.module:factory".
posters = []
mastodon_url = ""                      # https://mastodon.example
mastodon_token_env = "NEWSDESK_MASTODON_TOKEN"
mastodon_visibility = "public"
chat_url_env = "NEWSDESK_CHAT_WEBHOOK_URL"   # the webhook's address is a secret: read from this variable
chat_style = "slack"                   # "slack" or "discord"
max_posts_per_run = 10
timeout = 10.0
max_attempts = 3
"""
