"""The app's one check of what a request names: path parameters, query parameters and form
fields, by name, before a handler uses them.

A parameter the app reads as a number must be ASCII digits 0-9 within a bound: Python's
``int()`` also accepts "²" and "١٢" (and fails past 4,300 digits), and the store's INTEGER
columns hold 32 bits on PostgreSQL, so anything else is refused here with a plain 400 (404 for a
path) rather than failing deeper down as a 500. A parameter the app reads as one value must come
once: a repeated key is refused rather than silently choosing one. Names not listed are not
read by any handler and pass untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

MAX_ID = 2**31 - 1  # the store's INTEGER columns on PostgreSQL; SQLite holds more
MAX_SENTENCE = 100_000  # far past any article's sentence count (checked against it after)


@dataclass(frozen=True)
class Rule:
    """What a parameter may hold: ``upper`` set means ASCII digits 0..upper (an empty value
    counts as absent: the handler decides whether it was needed); ``max_chars`` bounds text."""

    upper: int | None = None
    max_chars: int = 16_384
    what: str = ""  # how a path parameter's 404 names the thing ("story")


RULES: dict[str, Rule] = {
    # path
    "story_id": Rule(upper=MAX_ID, what="story"),
    "action": Rule(max_chars=32),
    # query
    "story": Rule(upper=MAX_ID),
    "next": Rule(max_chars=2048),
    "message": Rule(max_chars=4096),
    "token": Rule(max_chars=4096),
    "q": Rule(max_chars=200),  # /search: a search box's worth (store.search.MAX_QUERY_CHARS)
    "page": Rule(upper=100),  # /search result pages (service.search.MAX_PAGE)
    # form
    "version": Rule(upper=MAX_ID),
    "sentence": Rule(upper=MAX_SENTENCE),
    "helpful": Rule(max_chars=8),
    "kind": Rule(max_chars=32),
    "reason": Rule(max_chars=64),
    "csrf": Rule(max_chars=256),
    "name": Rule(max_chars=1024),
    "password": Rule(max_chars=4096),
    "email": Rule(max_chars=1024),
    # following topics (service/follow.py; store.newsletter.MAX_TOPIC_CHARS)
    "slug": Rule(max_chars=200),  # path: /follow/keyword/{slug}.xml
    "tag": Rule(max_chars=100),
    "keyword": Rule(max_chars=100),
    "remove": Rule(max_chars=220),
}


def whole(value: str, upper: int) -> int | None:
    """``value`` as a number when it is ASCII digits 0-9 no greater than ``upper``, else None."""
    if not value or len(value) > len(str(upper)) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= upper else None


def _shown(value: str) -> str:
    return repr(value if len(value) <= 24 else value[:24] + "…")


def check_value(name: str, value: str, where: str) -> None:
    """Raise a 400 naming ``name`` when ``value`` breaks its rule."""
    rule = RULES.get(name)
    if rule is None:
        return
    if rule.upper is not None and value and whole(value, rule.upper) is None:
        raise HTTPException(
            400, f"The {where} {name!r} must be a whole number from 0 to {rule.upper} in digits 0-9, not {_shown(value)}."
        )
    if len(value) > rule.max_chars:
        raise HTTPException(400, f"The {where} {name!r} is longer than {rule.max_chars} characters.")


def check_items(items: Iterable[tuple[str, str]], where: str) -> None:
    """Every known name once, and each value within its rule."""
    seen: set[str] = set()
    for name, value in items:
        if name not in RULES:
            continue
        if name in seen:
            raise HTTPException(400, f"The {where} {name!r} was given more than once: send it once.")
        seen.add(name)
        check_value(name, value, where)


def check_path(request: Request) -> None:
    """Numbers in the path become ints (in ``request.path_params``); anything else is a 404."""
    params = request.path_params
    for name, raw in list(params.items()):
        rule = RULES.get(name)
        if rule is None or not isinstance(raw, str):
            continue
        if rule.upper is not None:
            number = whole(raw, rule.upper)
            if number is None:
                raise HTTPException(
                    404, f"No {rule.what or name} {_shown(raw)}: the address needs a number from 0 to {rule.upper}."
                )
            params[name] = number
        elif len(raw) > rule.max_chars:
            raise HTTPException(404, f"Nothing at this address: {name} {_shown(raw)} is too long.")


def could_name_a_file(path: str) -> bool:
    """False for a path no file can have (a NUL, a name past 255 bytes, a path past 4,096): the
    file system refuses it with an error rather than "not found"."""
    encoded = path.encode("utf-8", "surrogateescape")
    return b"\0" not in encoded and len(encoded) <= 4096 and all(len(part) <= 255 for part in encoded.split(b"/"))


Handler = Callable[[Request], Awaitable[Response]]


def checked(handler: Handler) -> Handler:
    """``handler`` behind the checks of its path and query (its form is checked as it is read)."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        check_path(request)
        check_items(request.query_params.multi_items(), "query parameter")
        return await handler(request)

    return run
