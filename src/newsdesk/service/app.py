"""The ASGI app: the published site (with readers' feedback forms), the feedback endpoint, and
the editor's desk. Build it with ``create_app(newsroom)``; ``newsdesk serve`` runs it with uvicorn.

Every ``/desk`` route but the login page needs a session; every POST there needs the session's
CSRF token. Readers need no account: feedback is rate-limited per client (a salted hash of the
address, never the address), size-limited, and a honeypot field catches robots.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from importlib import resources
from smtplib import SMTPException
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from newsdesk.pipeline import Newsroom
from newsdesk.service import actions
from newsdesk.service.auth import COOKIE, Sessions, check_login, newsroom_secret
from newsdesk.service.pages import SitePages

REASONS = {
    "wrong_figure": "A wrong figure",
    "wrong_attribution": "Wrong attribution",
    "outdated": "Outdated",
    "other": "Something else",
}
MAX_FORM_BYTES = 16_384


class RateLimiter:
    """At most ``per_minute`` requests per client in any 60 seconds."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.seen: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, client: str) -> int:
        """0 when the request may go ahead (and is counted), else seconds to wait."""
        now = time.monotonic()
        window = self.seen[client]
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return max(1, int(60 - (now - window[0])) + 1)
        window.append(now)
        return 0


def _templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    folder = resources.files("newsdesk.service").joinpath("templates")
    return Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(default=True))


def create_app(newsroom: Newsroom) -> Starlette:
    settings = newsroom.settings.service
    newsroom.settings.service.forms_in_export = True  # the site this app serves carries the forms
    sessions = Sessions(newsroom_secret(newsroom.path), settings.session_hours * 3600)
    limiter = RateLimiter(settings.feedback_per_minute)
    env = _templates()
    base = settings.base_path.rstrip("/")

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(base=base, **context), status_code=status)

    def session_of(request: Request) -> dict[str, Any] | None:
        return sessions.read(request.cookies.get(COOKIE))

    async def form_of(request: Request) -> dict[str, str] | None:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
            return None
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return None
        form = await request.form()
        return {k: str(v) for k, v in form.items()}

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
        problem, row = _feedback_row(newsroom, story_id, form, settings.comment_max_chars)
        if problem:
            return PlainTextResponse(problem, 400)
        row["client"] = client_of(request)
        newsroom.store.add_feedback(row)
        if htmx:
            return HTMLResponse("<p>Thank you: your feedback was received.</p>")
        return RedirectResponse(thanks, 303)

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
            message = actions.decide_claim(newsroom, story_id, claim, "PASS" if action == "confirm" else "FAIL", editor)
        elif action in ("hold", "release"):
            message = actions.hold(newsroom, story_id, editor, action == "hold")
        elif action == "correction":
            text = " ".join(form.get("text", "").split())[:2000]
            if not text:
                return PlainTextResponse("A correction needs its text.", 400)
            message = actions.correct(newsroom, story_id, text, editor)
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
            return page("subscribe.html", status=400, message=f"That address does not look right: {exc}")
        subscriber, _ = newsroom.store.add_subscriber(email, "pending")
        if subscriber["status"] == "pending":
            link = f"{str(request.base_url).rstrip('/')}{base}/newsletter/confirm?token=" + confirmations.dumps(subscriber["id"])
            from newsdesk.newsletter import send_confirmation

            try:
                send_confirmation(newsroom.settings, email, link, newsroom.path)
            except (OSError, SMTPException):
                return page("subscribe.html", status=503, message="The confirmation email could not be sent; try again later.")
        # The same answer whatever the address's state: nothing about subscribers is shown.
        return page("subscribe.html", message="Check your inbox: a confirmation link is on its way.")

    async def confirm(request: Request) -> Response:
        try:
            subscriber_id = confirmations.loads(
                request.query_params.get("token", ""), max_age=int(newsroom.settings.newsletter.confirm_hours * 3600)
            )
        except BadSignature:
            return page(
                "subscribe.html", status=400, message="This confirmation link is invalid or has expired: subscribe again."
            )
        newsroom.store.set_subscriber_status(int(subscriber_id), "confirmed")
        return page("subscribe.html", message="Subscribed: the next issue comes to your inbox.")

    async def unsubscribe(request: Request) -> Response:
        token = request.query_params.get("token", "")
        subscriber = newsroom.store.subscriber_by_token(token) if token else None
        if subscriber is None:
            return page("subscribe.html", status=404, message="This unsubscribe link is not valid.")
        if request.method == "GET":  # a link opened in a browser: one button, no login
            return page("unsubscribe.html", token=token)
        newsroom.store.set_subscriber_status(subscriber["id"], "unsubscribed")
        return page("subscribe.html", message="Unsubscribed: no more issues will be sent to you.")

    site = newsroom.site_dir
    pages = SitePages(site)
    routes = [
        Route("/newsletter/subscribe", subscribe, methods=["POST"]),
        Route("/newsletter/confirm", confirm, methods=["GET"]),
        Route("/newsletter/unsubscribe", unsubscribe, methods=["GET", "POST"]),
        Route("/feedback/thanks", feedback_thanks, methods=["GET"]),
        Route("/feedback/{story_id:int}", feedback, methods=["POST"]),
        Route("/desk/login", login_page, methods=["GET"]),
        Route("/desk/login", login, methods=["POST"]),
        Route("/desk/logout", logout, methods=["POST"]),
        Route("/desk", queue, methods=["GET"]),
        Route("/desk/articles/{story_id:int}", article_history, methods=["GET"]),
        Route("/desk/articles/{story_id:int}/{action:str}", act, methods=["POST"]),
        Mount("/", app=pages, name="site"),  # type: ignore[arg-type]
    ]
    return Starlette(routes=routes, middleware=[Middleware(PagesFirst, pages=pages)])


DYNAMIC_GETS = ("/desk", "/feedback/", "/newsletter/confirm", "/newsletter/unsubscribe")


class PagesFirst:
    """Site pages straight from memory, before routing (most requests are readers reading);
    everything else goes on to the routes."""

    def __init__(self, app: Any, pages: Any):
        self.app, self.pages = app, pages

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            root = scope.get("root_path", "")
            route = scope["path"][len(root) :] if root and scope["path"].startswith(root) else scope["path"]
            if not route.startswith(DYNAMIC_GETS):
                await self.pages(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _feedback_row(newsroom: Newsroom, story_id: int, form: dict[str, str], comment_max: int) -> tuple[str, dict[str, Any]]:
    """(problem, row): a one-line problem for a bad form, else the row to store."""
    store = newsroom.store
    published = store.published_of(story_id)
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
