"""The ASGI app: the published site (with readers' feedback forms), the feedback endpoint, and
the editor's desk. Build it with ``create_app(newsroom)``; ``newsdesk serve`` runs it with uvicorn.

Every ``/desk`` route but the login page needs a session; every POST there needs the session's
CSRF token. Readers need no account: feedback is rate-limited per client (a salted hash of the
address, never the address), size-limited, and a honeypot field catches robots.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
import secrets
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from importlib import resources
from typing import Any
from urllib.parse import quote, urljoin

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from newsdesk import logs
from newsdesk.pipeline import Newsroom
from newsdesk.service import actions, api, follow, ops, params, search
from newsdesk.service.auth import COOKIE, Sessions, check_login, newsroom_secret
from newsdesk.service.pages import SitePages
from newsdesk.site import base as site_base
from newsdesk.store.newsletter import mailbox_of

REASONS = {
    "wrong_figure": "A wrong figure",
    "wrong_attribution": "Wrong attribution",
    "outdated": "Outdated",
    "other": "Something else",
}
MAX_FORM_BYTES = 16_384
log = logging.getLogger("newsdesk.service")
# At most one confirmation email per address in this time, whoever asks (no mail-bombing a stranger).
CONFIRMATION_EVERY = timedelta(hours=1)
# A sign-up waits this long for its confirmation email: a relay that refuses at once (none
# configured, or down) is said plainly; a slow one is left to finish off the request path.
SIGNUP_ANSWER_SECONDS = 0.5
VOTER_COOKIE = "newsdesk_voter"
VOTER_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
VOTER_COOKIE_SECONDS = 365 * 86400
# Votes a client address may cast on one article in an hour without a voter cookie (readers
# sharing an address each vote once; a script dropping the cookie gets no more than this).
COOKIELESS_VOTES = 3


class RateLimiter:
    """At most ``per_minute`` requests per client in any 60 seconds, remembering at most
    ``max_clients`` clients: a client whose window has expired is forgotten, and when the table
    is full the least recently seen client with a single request in its window goes first (it
    loses one counted request), so a flood of one-off addresses cannot flush an active one."""

    WINDOW = 60.0
    SCAN = 32  # how far into the least recently seen a full table looks for a one-off client

    def __init__(self, per_minute: int, max_clients: int = 20_000, clock: Any = time.monotonic):
        self.per_minute, self.max_clients, self.clock = per_minute, max(1, max_clients), clock
        self.seen: OrderedDict[str, deque[float]] = OrderedDict()  # least recently seen first

    def retry_after(self, client: str) -> int:
        """0 when the request may go ahead (and is counted), else seconds to wait."""
        now = self.clock()
        start = now - self.WINDOW
        window = self.seen.get(client)
        if window is None:
            self._make_room(start)
            window = self.seen[client] = deque()
        else:
            self.seen.move_to_end(client)
        while window and window[0] <= start:
            window.popleft()
        if len(window) >= self.per_minute:
            return max(1, int(self.WINDOW - (now - window[0])) + 1)
        window.append(now)
        return 0

    def _make_room(self, start: float) -> None:
        seen = self.seen
        while seen:  # least recently seen first: once one is still in its window, all after are
            oldest = next(iter(seen.values()))
            if oldest and oldest[-1] > start:
                break
            seen.popitem(last=False)
        if len(seen) < self.max_clients:
            return
        victim = next(iter(seen))
        for scanned, (name, window) in enumerate(seen.items()):
            if scanned >= self.SCAN:
                break
            if len(window) <= 1:
                victim = name
                break
        del seen[victim]


def _templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    folder = resources.files("newsdesk.service").joinpath("templates")
    return Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(default=True))


SERVE_DIRECTORY = "NEWSDESK_SERVE_DIRECTORY"  # app_from_environment's newsroom (newsdesk serve --workers)


def app_from_environment() -> Starlette:
    """The app of the newsroom named by $NEWSDESK_SERVE_DIRECTORY: what each of ``newsdesk serve
    --workers N``'s processes builds for itself (uvicorn starts them by import path)."""
    import os
    from pathlib import Path

    from newsdesk.pipeline import open_newsroom

    return create_app(open_newsroom(Path(os.environ[SERVE_DIRECTORY])))


def create_app(newsroom: Newsroom) -> Starlette:
    settings = newsroom.settings.service
    sessions = Sessions(newsroom_secret(newsroom.path), settings.session_hours * 3600, newsroom.store)
    limiter = RateLimiter(settings.feedback_per_minute)
    env = _templates()
    env.globals["site_title"] = newsroom.settings.publish.site_title
    env.globals.update(default_reason=actions.DEFAULT_REJECT_REASON, reason_max=actions.REASON_MAX_CHARS)
    logs.configure()  # operators' log lines on stderr (NEWSDESK_LOG_FORMAT=json for JSON lines)
    import email_validator  # noqa: F401  (now, not on the event loop at the first sign-up)

    # Slow work off the event loop, so one request never holds up the others: confirmation
    # emails (a silent SMTP server waits out its timeout in a thread), and store writes (one
    # thread: SQLite takes one writer at a time anyway).
    mailer = ThreadPoolExecutor(max_workers=4, thread_name_prefix="newsdesk-mail")
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-store")
    sending: set[asyncio.Future[None]] = set()  # confirmations still in flight after their answer
    voter_key = hashlib.sha256(b"newsdesk-voter:" + newsroom_secret(newsroom.path)).digest()
    base = settings.base_path.rstrip("/")

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(base=base, **context), status_code=status)

    def session_of(request: Request) -> dict[str, Any] | None:
        return sessions.read(request.cookies.get(COOKIE))

    async def form_of(request: Request) -> dict[str, str] | None:
        """The request's form, checked by params.RULES. The body is read as it comes, at most
        MAX_FORM_BYTES of it, declared or chunked: past that a 413 at once, the rest unread."""
        if "newsdesk.form" in request.scope:
            return dict(request.scope["newsdesk.form"])
        # No "Connection: close": a client still sending would get a reset instead of this answer;
        # uvicorn drops the rest of the body as it comes, holding none of it.
        too_large = HTTPException(413, f"That form is too large: {MAX_FORM_BYTES} bytes at most.")
        declared = params.whole(request.headers.get("content-length", ""), 10**15)
        if declared is not None and declared > MAX_FORM_BYTES:
            raise too_large
        chunks, size = [], 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_FORM_BYTES:
                    raise too_large
                chunks.append(chunk)
        except ClientDisconnect:
            raise HTTPException(400, "The request ended before its form did.") from None
        body = b"".join(chunks)

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        parsed = await Request(request.scope, replay).form()
        items = parsed.multi_items()
        if any(not isinstance(value, str) for _, value in items):
            raise HTTPException(400, "These forms take no files.")
        params.check_items(items, "form field")  # type: ignore[arg-type]  # all str, checked above
        form = {name: str(value) for name, value in items}
        request.scope["newsdesk.form"] = form
        return dict(form)

    def client_of(request: Request) -> str:
        return sessions.client_hash(request.client.host if request.client else "unknown")

    # --- readers ---
    async def feedback(request: Request) -> Response:
        story_id = int(request.path_params["story_id"])
        htmx = request.headers.get("hx-request") == "true"
        wait = limiter.retry_after(client_of(request))
        if wait:
            return PlainTextResponse(
                f"Too many messages from you just now: try again in {wait} seconds.", 429, headers={"Retry-After": str(wait)}
            )
        form = await form_of(request)
        if form is None:
            return PlainTextResponse("That message is too long.", 413)
        thanks = f"{base}/feedback/thanks?story={story_id}"
        if form.get("website"):  # the honeypot: a robot filled a field people cannot see
            return HTMLResponse("<p>Thank you: your feedback was received.</p>") if htmx else RedirectResponse(thanks, 303)
        # The article is read in the store's thread too: a query on the loop holds up every page,
        # and more threads than one take the loop's share of the interpreter.
        check = partial(_feedback_row, newsroom, story_id, form, settings.comment_max_chars)
        problem, row = await asyncio.get_running_loop().run_in_executor(writer, check)
        if problem:
            return PlainTextResponse(problem, 400)
        row["client"] = client_of(request)
        # One helpful vote per reader and article: the reader's random voter cookie, stored only
        # as a keyed hash. A reader without one is given one (and its client's votes are capped).
        new_token = None
        if row["kind"] == "helpful":
            token = request.cookies.get(VOTER_COOKIE, "")
            if not VOTER_TOKEN.fullmatch(token):
                token = new_token = secrets.token_urlsafe(18)
            row["voter"] = hmac.new(voter_key, token.encode(), "sha256").hexdigest()[:32]
        store = partial(newsroom.store.add_feedback, row, cookieless_cap=COOKIELESS_VOTES if new_token else None)
        await asyncio.get_running_loop().run_in_executor(writer, store)  # off the loop: pages go on meanwhile
        log.info("feedback stored", extra={"event": "feedback_stored", "story": story_id, "kind": row["kind"]})
        answer: Response = (
            HTMLResponse("<p>Thank you: your feedback was received.</p>") if htmx else RedirectResponse(thanks, 303)
        )
        if new_token:
            answer.set_cookie(
                VOTER_COOKIE,
                new_token,
                max_age=VOTER_COOKIE_SECONDS,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                path=f"{base}/feedback",
            )
        return answer

    async def feedback_thanks(request: Request) -> Response:
        story = request.query_params.get("story", "")
        back = f"{base}/articles/story-{int(story)}.html" if story.isdigit() else f"{base}/"
        return page("thanks.html", back=back)

    # --- the desk ---
    def need_session(request: Request) -> dict[str, Any] | Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse(f"{base}/desk/login?next={quote(request.url.path)}", 303)
        return session

    async def need_csrf(request: Request) -> tuple[dict[str, Any], dict[str, str]] | Response:
        session = need_session(request)
        if isinstance(session, Response):
            return session
        form = await form_of(request)
        if form is None:
            return PlainTextResponse("That form is too large.", 413)
        if not Sessions.csrf_ok(session, form.get("csrf")):
            return PlainTextResponse("This form has expired or did not come from the desk: reload it and try again.", 403)
        return session, form

    async def login_page(request: Request) -> Response:
        return page("login.html", message="", next=request.query_params.get("next", f"{base}/desk"))

    async def login(request: Request) -> Response:
        form = await form_of(request) or {}
        name, password = form.get("name", "")[:64], form.get("password", "")[:1024]
        result = check_login(newsroom.store, name, password, settings.failed_logins_to_lock, settings.lock_minutes)
        if not result.ok:
            return page("login.html", status=401, message=result.message, next=form.get("next", f"{base}/desk"))
        target = form.get("next", "")
        if not target.startswith(f"{base}/desk"):  # never an open redirect
            target = f"{base}/desk"
        response = RedirectResponse(target, 303)
        response.set_cookie(
            COOKIE,
            sessions.issue(name),
            max_age=int(settings.session_hours * 3600),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=f"{base}/desk" if base else "/desk",
        )
        newsroom.store.log_action(name, "login", None, {})
        return response

    async def logout(request: Request) -> Response:
        checked = await need_csrf(request)
        if isinstance(checked, Response):
            return checked
        session, _ = checked
        newsroom.store.log_action(session["user"], "logout", None, {})
        response = RedirectResponse(f"{base}/desk/login", 303)
        response.delete_cookie(COOKIE, path=f"{base}/desk" if base else "/desk")
        return response

    async def queue(request: Request) -> Response:
        session = need_session(request)
        if isinstance(session, Response):
            return session
        from newsdesk.exports import review_export

        claims = review_export(newsroom.store)
        reports = newsroom.store.open_reports()
        votes = newsroom.store.helpfulness()
        latest = {a.story_id: a for a in newsroom.store.latest_articles()}
        # Per source: the votes of every article that cites it.
        by_source: dict[str, list[int]] = {}
        for story_id, (yes, no) in votes.items():
            if story_id in latest:
                for outlet in {r.outlet for r in latest[story_id].references}:
                    tally = by_source.setdefault(outlet, [0, 0])
                    tally[0] += yes
                    tally[1] += no
        return page(
            "queue.html",
            session=session,
            claims=claims,
            reports=reports,
            reasons=REASONS,
            votes=votes,
            by_source=sorted(by_source.items()),
            latest=latest,
            message=request.query_params.get("message", ""),
        )

    async def article_history(request: Request) -> Response:
        session = need_session(request)
        if isinstance(session, Response):
            return session
        story_id = int(request.path_params["story_id"])
        store = newsroom.store
        articles = [a for a in store.latest_articles() if a.story_id == story_id]
        if not articles:
            return PlainTextResponse(f"No article for story {story_id}.", 404)
        article = articles[0]
        versions = []
        for version in range(article.version, 0, -1):
            checked = store.verification_of(story_id, version)
            versions.append((version, checked))
        return page(
            "article.html",
            session=session,
            article=article,
            versions=versions,
            feedback=store.feedback_rows(story_id),
            reasons=REASONS,
            verdicts=store.editor_verdicts(story_id),
            corrections=store.corrections().get(story_id, []),
            held=story_id in store.held_story_ids(),
            message=request.query_params.get("message", ""),
        )

    async def desk_action(do: Any, *args: Any) -> str:
        """An editor's action re-verifies and re-publishes (seconds): on the store's thread, so
        readers' pages go on being served meanwhile."""
        return str(await asyncio.get_running_loop().run_in_executor(writer, partial(do, *args)))

    async def act(request: Request) -> Response:
        checked = await need_csrf(request)
        if isinstance(checked, Response):
            return checked
        session, form = checked
        story_id = int(request.path_params["story_id"])
        if not newsroom.store.story_exists(story_id):
            return PlainTextResponse(f"No story {story_id}.", 404)
        action = request.path_params["action"]
        editor = session["user"]
        if action in ("confirm", "reject"):
            claim = form.get("claim", "")
            if not claim:
                return PlainTextResponse("Which claim? The form named none.", 400)
            verdict = "PASS" if action == "confirm" else "FAIL"
            reason = form.get("public_reason", "")  # what readers are told; actions.public_reason trims it
            message = await desk_action(actions.decide_claim, newsroom, story_id, claim, verdict, editor, reason)
        elif action in ("hold", "release"):
            message = await desk_action(actions.hold, newsroom, story_id, editor, action == "hold")
        elif action == "correction":
            text = " ".join(form.get("text", "").split())[:2000]
            if not text:
                return PlainTextResponse("A correction needs its text.", 400)
            message = await desk_action(actions.correct, newsroom, story_id, text, editor)
        else:
            return PlainTextResponse(f"Unknown action {action!r}.", 404)
        return RedirectResponse(f"{base}/desk/articles/{story_id}?message={quote(message)}", 303)

    # --- the newsletter: double opt-in, one-click unsubscribe (RFC 8058) ---
    from itsdangerous import BadSignature, URLSafeTimedSerializer

    confirmations = URLSafeTimedSerializer(newsroom_secret(newsroom.path), salt="newsdesk-newsletter-confirm")

    async def subscribe(request: Request) -> Response:
        wait = limiter.retry_after(client_of(request))
        if wait:
            return PlainTextResponse(f"Too many requests: try again in {wait} seconds.", 429, headers={"Retry-After": str(wait)})
        form = await form_of(request) or {}
        if form.get("website"):
            return page("subscribe.html", message="Check your inbox to confirm.")
        from email_validator import EmailNotValidError, validate_email

        try:
            email = validate_email(form.get("email", "")[:320], check_deliverability=False).normalized
        except EmailNotValidError as exc:
            return page("subscribe.html", status=400, problem=f"That address does not look right: {exc}")
        # A tag or keyword to follow (the tag pages' form, the keyword field): added only when the
        # address's owner follows the confirmation link, as a new subscription is.
        topics, problem = follow.topics_of(form)
        if problem:
            return page("subscribe.html", status=400, problem=problem)
        loop = asyncio.get_running_loop()
        subscriber, _ = await loop.run_in_executor(writer, newsroom.store.add_subscriber, email, "pending")
        # An address that unsubscribed may come back, by the same double opt-in as a new one.
        if subscriber["status"] in ("pending", "unsubscribed") or (topics and subscriber["status"] == "confirmed"):
            # At most one confirmation an hour per mailbox; a second sign-up within it sends nothing.
            claim = newsroom.store.claim_confirmation
            stamp = await loop.run_in_executor(writer, claim, subscriber["id"], mailbox_of(email), CONFIRMATION_EVERY)
            if stamp is not None:
                token = confirmations.dumps([subscriber["id"], topics] if topics else subscriber["id"])
                # The site's configured address, never the request's Host header (a forged Host
                # would put an attacker's link in a stranger's inbox).
                link = urljoin(site_base(newsroom.settings.publish.base_url), f"newsletter/confirm?token={token}")
                if not await confirm_off_the_loop(subscriber["id"], stamp, email, link, [label for _, label in topics]):
                    return page(
                        "subscribe.html",
                        status=503,
                        problem="Sign-up by email is not working on this site just now: no confirmation email could be "
                        "sent, and you are not subscribed. Please try again later.",
                    )
        # The same answer whatever the address's state: nothing about subscribers is shown.
        return page("subscribe.html", message="Check your inbox: a confirmation link is on its way.")

    async def confirm_off_the_loop(subscriber_id: int, stamp: datetime, email: str, link: str, topics: list[str]) -> bool:
        """Send the confirmation in a thread; False when it failed within the answer's wait."""
        from newsdesk.newsletter import send_confirmation

        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(mailer, send_confirmation, newsroom.settings, email, link, newsroom.path, topics)
        smtp = f"{newsroom.settings.newsletter.smtp_host}:{newsroom.settings.newsletter.smtp_port}"

        released: list[Any] = []

        def finished(done: asyncio.Future[None]) -> bool:
            sending.discard(done)
            error = done.exception()
            if error is None:
                log.info("confirmation email sent", extra={"event": "confirmation_sent", "subscriber": subscriber_id})
                return True
            # The reader may try again: the hour is given back.
            released.append(writer.submit(newsroom.store.release_confirmation, subscriber_id, stamp))
            log.warning(
                "confirmation email not sent: SMTP server %s: %s: %s; check [newsletter] smtp_host, smtp_port, smtp_security",
                smtp,
                type(error).__name__,
                error,
                extra={"event": "smtp_failure", "smtp": smtp, "subscriber": subscriber_id, "error": type(error).__name__},
            )
            return False

        done, _ = await asyncio.wait({job}, timeout=SIGNUP_ANSWER_SECONDS)
        if done:
            sent = finished(job)
            if released:  # given back before the reader is told to try again
                await asyncio.wrap_future(released[0])
            return sent
        sending.add(job)  # kept until it ends; its outcome goes to the log
        job.add_done_callback(finished)
        return True

    async def confirm(request: Request) -> Response:
        try:
            confirmed = confirmations.loads(
                request.query_params.get("token", ""), max_age=int(newsroom.settings.newsletter.confirm_hours * 3600)
            )
        except BadSignature:
            return page(
                "subscribe.html", status=400, problem="This confirmation link is invalid or has expired: subscribe again."
            )
        # A link that also follows topics carries them: [subscriber id, [[kind, label], ...]].
        subscriber_id, topics = (confirmed, []) if isinstance(confirmed, int) else (int(confirmed[0]), confirmed[1])
        newsroom.store.set_subscriber_status(subscriber_id, "confirmed")
        if topics:
            chosen = [(str(kind), str(label)) for kind, label in topics]
            await asyncio.get_running_loop().run_in_executor(writer, newsroom.store.add_follows, subscriber_id, chosen)
            named = ", ".join(label for _, label in chosen)
            return page("subscribe.html", message=f"Subscribed: the newsletter brings you the verified articles on {named}.")
        return page("subscribe.html", message="Subscribed: the next issue comes to your inbox.")

    async def unsubscribe(request: Request) -> Response:
        token = request.query_params.get("token", "")
        subscriber = newsroom.store.subscriber_by_token(token) if token else None
        if subscriber is None:
            return page("subscribe.html", status=404, problem="This unsubscribe link is not valid.")
        if request.method == "GET":  # a link opened in a browser: one button, no login
            return page("unsubscribe.html", token=token)
        newsroom.store.set_subscriber_status(subscriber["id"], "unsubscribed")
        return page("subscribe.html", message="Unsubscribed: no more issues will be sent to you.")

    site = newsroom.site_dir
    pages = SitePages(site)
    ok = params.checked  # every route's path and query pass params.RULES first (its form, as read)
    routes = [
        Route("/newsletter/subscribe", ok(subscribe), methods=["POST"]),
        Route("/newsletter/confirm", ok(confirm), methods=["GET"]),
        Route("/newsletter/unsubscribe", ok(unsubscribe), methods=["GET", "POST"]),
        Route("/feedback/thanks", ok(feedback_thanks), methods=["GET"]),
        Route("/feedback/{story_id}", ok(feedback), methods=["POST"]),
        Route("/desk/login", ok(login_page), methods=["GET"]),
        Route("/desk/login", ok(login), methods=["POST"]),
        Route("/desk/logout", ok(logout), methods=["POST"]),
        Route("/desk", ok(queue), methods=["GET"]),
        Route("/desk/articles/{story_id}", ok(article_history), methods=["GET"]),
        Route("/desk/articles/{story_id}/{action}", ok(act), methods=["POST"]),
        *ops.routes(newsroom, ok),  # /healthz, /metrics
        *search.routes(newsroom, page, ok),  # /search
        *api.routes(newsroom, ok),  # /api/v1: the read-only JSON API
        *follow.routes(newsroom, page, ok, writer, form_of),  # /follow/keyword/{slug}.xml, /newsletter/follows
        Mount("/", app=pages, name="site"),  # type: ignore[arg-type]
    ]
    middleware = [Middleware(PagesFirst, pages=pages)]
    if settings.trusted_proxies:  # only then is a forwarded client or scheme believed, and only from them
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        middleware.insert(0, Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies)))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        # Stopping (Ctrl-C, SIGTERM): confirmations already accepted are sent, stored writes land,
        # within the mail timeout; then the threads end with the process.
        if sending:
            await asyncio.wait(set(sending), timeout=newsroom.settings.newsletter.confirm_timeout)
        for pool in (mailer, writer):
            pool.shutdown(wait=False, cancel_futures=False)

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


DYNAMIC_GETS: tuple[str, ...] = ("/desk", "/feedback/", "/newsletter/confirm", "/newsletter/unsubscribe", *ops.PATHS, "/search")
DYNAMIC_GETS += ("/newsletter/follows", "/follow/")  # service/follow.py
DYNAMIC_GETS += api.PATHS  # service/api.py


class PagesFirst:
    """Site pages straight from memory, before routing (most requests are readers reading);
    everything else goes on to the routes."""

    def __init__(self, app: Any, pages: Any):
        self.app, self.pages = app, pages

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            root = scope.get("root_path", "")
            route = scope["path"][len(root) :] if root and scope["path"].startswith(root) else scope["path"]
            if not params.could_name_a_file(route):  # the file system would refuse it (ENAMETOOLONG)
                await PlainTextResponse("Not found.", 404)(scope, receive, send)
                return
            if not route.startswith(DYNAMIC_GETS):
                await self.pages(scope, receive, send)
                return
        await self.app(scope, receive, send)


_PUBLISHED: weakref.WeakKeyDictionary[Any, dict[int, tuple[float, Any]]] = weakref.WeakKeyDictionary()
PUBLISHED_SECONDS = 5.0


def _published_of(store: Any, story_id: int) -> Any:
    """The story's published article, remembered for a few seconds: a burst of feedback on an
    article reads and decodes it once (a reader answers the page they loaded, which may be older)."""
    known = _PUBLISHED.setdefault(store, {})
    now = time.monotonic()
    hit = known.get(story_id)
    if hit is not None and now - hit[0] < PUBLISHED_SECONDS:
        return hit[1]
    if len(known) > 1000:
        known.clear()
    article = store.published_of(story_id)
    known[story_id] = (now, article)
    return article


def _feedback_row(newsroom: Newsroom, story_id: int, form: dict[str, str], comment_max: int) -> tuple[str, dict[str, Any]]:
    """(problem, row): a one-line problem for a bad form, else the row to store."""
    published = _published_of(newsroom.store, story_id)
    if published is None:
        return f"No published article for story {story_id}.", {}
    comment = form.get("comment", "")
    if len(comment) > comment_max:
        return f"The comment is longer than {comment_max} characters.", {}
    version = form.get("version", "")
    row: dict[str, Any] = {
        "story_id": story_id,
        "version": int(version) if version.isdigit() else published.version,
        "comment": comment,
    }
    kind = form.get("kind")
    if kind == "helpful":
        if form.get("helpful") not in ("0", "1"):
            return "Say yes or no.", {}
        row.update(kind="helpful", helpful=int(form["helpful"]))
    elif kind == "report":
        sentences = published.sentences()
        index = form.get("sentence", "")
        if not index.isdigit() or int(index) >= len(sentences):
            return "Which sentence? Choose one from the list.", {}
        if form.get("reason") not in REASONS:
            return "What is wrong? Choose a reason from the list.", {}
        row.update(kind="report", sentence=int(index), sentence_text=sentences[int(index)].text, reason=form["reason"])
    else:
        return "Unknown kind of feedback.", {}
    return "", row
