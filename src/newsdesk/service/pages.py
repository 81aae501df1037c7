"""The published site as the app serves it: the pages ``publish`` rendered from the store, held in
memory per site build and answered without touching the disk.

Publishing swaps the site in whole (a symbolic link to a finished build, ``publish._swap_in``),
so the build a link points to never changes: the cache is keyed by that target and dropped when
the link moves. Pages carry an ETag; a reader's revalidation (If-None-Match) is answered 304.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from pathlib import Path
from typing import Any

from newsdesk.site import NOT_FOUND_PAGE, forms_file, has_form_placeholders, put_back_forms

Scope = dict[str, Any]

MAX_CACHED_BYTES = 64 * 1024 * 1024  # a bigger site is served from disk past this much


class SitePages:
    """An ASGI app serving ``site_dir`` (GET and HEAD), like a static file server."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.build: str | None = None
        self.cache: dict[str, tuple[bytes, str, str]] = {}
        self.cached_bytes = 0

    def _current_build(self) -> str:
        try:
            return os.readlink(self.site_dir) if self.site_dir.is_symlink() else str(self.site_dir.resolve())
        except OSError:
            return ""

    def _load(self, route: str) -> tuple[bytes, str, str] | None:
        parts = [p for p in route.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):  # nothing outside, nothing hidden
            return None
        path = self.site_dir.joinpath(*parts)
        try:
            if path.is_dir():
                path = path / "index.html"
            body = path.read_bytes()
        except (OSError, ValueError):  # absent, a folder, a name too long, a NUL byte: not a page
            return None
        if has_form_placeholders(body):  # published without the forms: the app serves them
            body = self._with_forms(path, body)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/xml", "application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        return body, kind, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'

    def _with_forms(self, path: Path, body: bytes) -> bytes:
        try:
            regions = json.loads((self.site_dir / forms_file(path.relative_to(self.site_dir).as_posix())).read_text("utf-8"))
        except (OSError, ValueError):
            regions = []
        return put_back_forms(body.decode("utf-8"), [str(r) for r in regions]).encode("utf-8")

    def page(self, route: str) -> tuple[bytes, str, str] | None:
        build = self._current_build()
        if build != self.build:  # a new publish: the old build's pages are gone with it
            self.build, self.cache, self.cached_bytes = build, {}, 0
        found = self.cache.get(route)
        if found is None:
            found = self._load(route)
            if found is not None and self.cached_bytes + len(found[0]) <= MAX_CACHED_BYTES:
                self.cache[route] = found
                self.cached_bytes += len(found[0])
        return found

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        method = scope["method"]
        root = scope.get("root_path", "")
        route = scope["path"][len(root) :] if root and scope["path"].startswith(root) else scope["path"]
        if method not in ("GET", "HEAD"):
            await _answer(send, 405, b"Method not allowed.", "text/plain; charset=utf-8", [(b"allow", b"GET, HEAD")])
            return
        found = self.page(route)
        if found is None:
            missing = self.page(NOT_FOUND_PAGE)  # the site's own page, in its layout, with a link home
            if missing is None:
                await _answer(send, 404, b"Not found.", "text/plain; charset=utf-8")
            else:
                await _answer(send, 404, missing[0], missing[1], head=method == "HEAD")
            return
        body, kind, etag = found
        headers = [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]
        asked = dict(scope["headers"]).get(b"if-none-match", b"")
        if etag.encode() in [tag.strip() for tag in asked.split(b",")]:
            await _answer(send, 304, b"", kind, headers, head=True)
            return
        await _answer(send, 200, body, kind, headers, head=method == "HEAD")


async def _answer(
    send: Any, status: int, body: bytes, kind: str, extra: list[tuple[bytes, bytes]] | None = None, head: bool = False
) -> None:
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})
