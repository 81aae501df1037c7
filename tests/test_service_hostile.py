"""`newsdesk serve` under hostile requests, over real loopback HTTP: parameters the app did not
expect (Unicode digits, huge numbers, empty values, repeated keys) answer 4xx with a plain
message at every route in the route table, never 5xx; forwarded headers count only from
[service] trusted_proxies; bodies past the limit answer 413 without bloating the server; the
rate limiter's memory stays bounded."""

from __future__ import annotations

import logging
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount, Route

from newsdesk.service.app import MAX_FORM_BYTES, RateLimiter
from test_service import PASSWORD, first_article, free_port, login, room, serving

__all__ = ["room"]  # the fixture, shared with test_service (a published demo newsroom with editor ada)

ODD_DIGITS = "²³¹⁰٣٤५੬໗᠑１２𝟗"  # superscripts and other scripts' digits: Python's int() takes most


@pytest.fixture(scope="module")
def hostile_room(room: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy: the property test's editor actions must not change the shared room."""
    copy = tmp_path_factory.mktemp("hostile") / "room"
    shutil.copytree(room, copy, symlinks=True)
    return copy


# --- the 12 cases the issue found, one by one -------------------------------------------------


def test_numbers_the_app_did_not_expect_answer_400_or_404_with_a_plain_message(hostile_room: Path) -> None:
    with serving(hostile_room, feedback_per_minute=1000) as (client, _, _):
        _, story = first_article(client)
        huge, long_id = "9" * 5000, "1" * 25
        for field in ("sentence", "version"):
            for value in ("²", "1²", huge, "١٢"):
                data = {"kind": "report", "sentence": "1", "reason": "other", field: value}
                answer = client.post(f"/feedback/{story}", data=data)
                assert answer.status_code == 400, (field, value[:10], answer.status_code)
                assert field in answer.text and answer.headers["content-type"].startswith("text/plain")
        for story_id in (long_id, huge, "²", quote("١")):
            answer = client.post(f"/feedback/{story_id}", data={"kind": "helpful", "helpful": "1"})
            assert answer.status_code == 404 and "No story" in answer.text, story_id[:10]
            assert client.get(f"/desk/articles/{story_id}").status_code == 404
        for story in (long_id, huge, "²", ""):
            assert client.get("/feedback/thanks", params={"story": story}).status_code in (200, 400), story[:10]
        assert client.get("/feedback/thanks", params={"story": huge}).status_code == 400
        for path in ("/" + "9" * 300, "/desk/" + "9" * 300, "/articles/" + "x/" * 2100, "/%00", "/desk/a%00"):
            assert client.get(path).status_code == 404, path[:20]
        repeated = client.get("/feedback/thanks?story=1&story=2")
        assert repeated.status_code == 400 and "more than once" in repeated.text
        token = login(client)
        for story_id in (long_id, huge, "²"):
            assert client.get(f"/desk/articles/{story_id}").status_code == 404
            assert client.post(f"/desk/articles/{story_id}/hold", data={"csrf": token}).status_code == 404
        assert client.post("/desk/articles/99999/hold", data={"csrf": token}).status_code == 404
        assert client.post("/desk/logout", data={"csrf": "²"}).status_code == 403  # not a TypeError deep in hmac


# --- every route, thrown anything ---------------------------------------------------------------

FIELDS = [
    "story_id", "story", "version", "sentence", "kind", "helpful", "reason", "comment", "website", "csrf",
    "claim", "text", "name", "password", "next", "email", "token", "message", "action",
]  # fmt: skip


def _numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 2**80).map(str),
        st.integers(16, 6000).map(lambda n: "9" * n),
        st.text(alphabet="0123456789" + ODD_DIGITS, max_size=12),
        st.sampled_from(["", "0", "-1", "+1", " 1", "1.0", "1e3", "0x10", "00000000000000000001", "2147483648"]),
    )


def _values(real: list[str]) -> st.SearchStrategy[str]:
    words = ["helpful", "report", "wrong_figure", "other", "0", "1", "hold", "release", "correction", "reject", "confirm"]
    return st.one_of(_numbers(), st.text(max_size=300), st.sampled_from(words + real))


@st.composite
def _requests(draw: st.DrawFn, routes: list[Any], real: list[str]) -> dict[str, Any]:
    route = draw(st.sampled_from(routes))
    values = _values(real)
    if isinstance(route, Mount):
        path = "/" + "/".join(quote(draw(values), safe="") for _ in range(draw(st.integers(0, 3))))
        methods = ["GET", "HEAD", "POST"]
    else:
        path = route.path
        for name in route.param_convertors:
            path = re.sub(r"\{" + name + r"(:[^}]*)?\}", quote(draw(values), safe=""), path)
        methods = sorted(route.methods or ["GET"])
    method = draw(st.sampled_from(methods * 8 + ["PUT", "DELETE", "PATCH", "OPTIONS"]))
    pair = st.tuples(st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)), values)
    once = st.lists(pair, max_size=6, unique_by=lambda p: p[0])
    pairs = st.one_of(once, once, once, st.lists(pair, max_size=8))  # a repeated key now and then
    query, form = draw(pairs), draw(pairs)
    body = draw(st.sampled_from(["form", "form", "form", "raw", "multipart", "none"]))
    return {
        "method": method,
        "url": path + ("?" + urlencode(query) if query else ""),
        "form": form,
        "body": body,
        "raw": draw(st.binary(max_size=400)),
        "who": draw(st.sampled_from(["anonymous", "editor", "editor", "forged cookie"])),
        "real_csrf": draw(st.booleans()),
    }


class _Errors(logging.Handler):
    """Unhandled errors the server logs (uvicorn's "Exception in ASGI application")."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _throw(requests: st.SearchStrategy[dict[str, Any]], examples: int, hostile_room: Path) -> None:
    errors = _Errors()
    logging.getLogger("uvicorn.error").addHandler(errors)
    try:
        with serving(hostile_room, feedback_per_minute=1_000_000) as (client, app, _):
            _, story = first_article(client)
            routes = [r for r in app.routes if isinstance(r, (Route, Mount))]
            assert len(routes) >= 11
            with httpx2.Client(base_url=client.base_url, follow_redirects=False, timeout=30) as editor:
                token = [login(editor)]
                seen: list[tuple[str, str, int]] = []

                @settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                )
                @given(requests(routes, [str(story), "1"]))
                def one(request: dict[str, Any]) -> None:
                    who = editor if request["who"] == "editor" else client
                    form = list(request["form"])
                    if request["who"] == "editor" and request["real_csrf"] and "/logout" not in request["url"]:
                        form.append(("csrf", token[0]))
                    headers = (
                        {"Cookie": "newsdesk_session=" + quote(request["raw"][:80].hex())}
                        if request["who"] == "forged cookie"
                        else {}
                    )
                    kwargs: dict[str, Any] = {"headers": headers}
                    if request["method"] not in ("GET", "HEAD"):
                        if request["body"] == "form":
                            kwargs["content"] = urlencode(form).encode()
                            headers["Content-Type"] = "application/x-www-form-urlencoded"
                        elif request["body"] == "raw":
                            kwargs["content"] = request["raw"]
                            headers["Content-Type"] = "application/x-www-form-urlencoded"
                        elif request["body"] == "multipart":
                            kwargs["data"] = dict(form)
                            kwargs["files"] = {"upload": ("a.txt", request["raw"])}
                    answer = who.request(request["method"], request["url"], **kwargs)
                    seen.append((request["method"], request["url"][:40], answer.status_code))
                    assert answer.status_code < 500, (request["method"], request["url"][:200], answer.text[:300])
                    if who is editor and not any(c.name == "newsdesk_session" for c in editor.cookies.jar):
                        token[0] = login(editor)  # logged out by a valid logout: log in again

                one()
        assert len(seen) >= examples * 0.9
        statuses = {status for _, _, status in seen}
        assert {400, 404} <= statuses and any(s < 400 for s in statuses)  # the walk reached handlers, not only refusals
        assert not [r.getMessage() for r in errors.records]
    finally:
        logging.getLogger("uvicorn.error").removeHandler(errors)


def test_every_route_survives_arbitrary_parameters_quick(hostile_room: Path) -> None:
    _throw(_requests, 300, hostile_room)


@pytest.mark.slow
def test_every_route_survives_arbitrary_parameters_ten_thousand(hostile_room: Path) -> None:
    _throw(_requests, 10_000, hostile_room)


# --- forwarded headers, bodies and memory, against `newsdesk serve` itself ---------------------


@contextmanager
def newsdesk_serve(path: Path, **env: str) -> Iterator[tuple[httpx2.Client, subprocess.Popen[bytes]]]:
    """`newsdesk serve` in its own process on a free loopback port; ``env`` overrides settings
    (NEWSDESK_SERVICE__…)."""
    port = free_port()
    said = path.parent / f"serve-{port}.log"  # a file, not a pipe: a full pipe would stall the server
    with said.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "newsdesk.cli", "serve", "--dir", str(path), "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False, timeout=30) as client:
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, said.read_text()
                assert time.monotonic() < deadline, "newsdesk serve did not start"
                try:
                    if client.get("/index.html").status_code == 200:
                        break
                except httpx2.TransportError:
                    time.sleep(0.1)
            yield client, process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _burst(client: httpx2.Client, story: int, forwarded: list[str]) -> list[int]:
    return [
        client.post(f"/feedback/{story}", data={"kind": "helpful", "helpful": "1"}, headers={"X-Forwarded-For": f}).status_code
        for f in forwarded
    ]


def test_forged_forwarded_headers_count_for_nothing_unless_the_peer_is_a_trusted_proxy(hostile_room: Path) -> None:
    forged = [f"203.0.113.{n}" for n in range(1, 16)]
    with newsdesk_serve(hostile_room, NEWSDESK_SERVICE__FEEDBACK_PER_MINUTE="5") as (client, _):
        _, story = first_article(client)
        answers = _burst(client, story, forged)
        assert all(a != 429 for a in answers[:5]) and answers[5:] == [429] * 10, answers
        secure = client.post("/desk/login", data={"name": "ada", "password": PASSWORD}, headers={"X-Forwarded-Proto": "https"})
        assert secure.status_code == 303 and "secure" not in secure.headers["set-cookie"].lower()
    trusted = {"NEWSDESK_SERVICE__FEEDBACK_PER_MINUTE": "5", "NEWSDESK_SERVICE__TRUSTED_PROXIES": '["127.0.0.1"]'}
    with newsdesk_serve(hostile_room, **trusted) as (client, _):
        assert 429 not in _burst(client, story, forged)  # each forwarded client has its own count
        assert _burst(client, story, ["198.51.100.7"] * 6)[5] == 429  # and it is counted
        # A proxy's chain: the client is the last address before the trusted proxies.
        assert _burst(client, story, ["1.2.3.4, 198.51.100.7"])[0] == 429
        secure = client.post("/desk/login", data={"name": "ada", "password": PASSWORD}, headers={"X-Forwarded-Proto": "https"})
        assert "; secure" in secure.headers["set-cookie"].lower()


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


def chunked_post(port: int, path: str, total: int, chunk: int = 64 * 1024) -> tuple[int | None, int]:
    """POST ``total`` bytes chunked, made as they go, until the server answers: (status, bytes sent)."""
    piece = f"{chunk:x}\r\n".encode() + b"a" * chunk + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        sent, pending = 0, memoryview(b"")
        s.setblocking(False)
        try:
            while sent < total:
                readable, writable, _ = select.select([s], [s], [], 60)
                if readable or not writable:
                    break
                if not pending:
                    pending = memoryview(piece)
                done = s.send(pending)
                pending, sent = pending[done:], sent + done
            else:
                s.sendall(b"0\r\n\r\n")
            s.setblocking(True)
            answer = b""
            while b"\r\n" not in answer:
                got = s.recv(4096)
                if not got:
                    break
                answer += got
        except (ConnectionResetError, BrokenPipeError):
            return None, sent
    status = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return (int(status.group(1)) if status else None), sent


def test_five_concurrent_200_mb_chunked_bodies_get_413_and_leave_memory_flat(hostile_room: Path) -> None:
    with newsdesk_serve(hostile_room) as (client, process):
        port = int(str(client.base_url).rsplit(":", 1)[1].strip("/"))
        assert chunked_post(port, "/desk/login", 100_000)[0] == 413  # warm: the same code path once
        before = _rss_kib(process.pid)
        peak = [before]
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _rss_kib(process.pid))
                time.sleep(0.01)

        results: list[tuple[int | None, int]] = []
        watcher = threading.Thread(target=watch)
        posters = [
            threading.Thread(target=lambda: results.append(chunked_post(port, "/desk/login", 200 * 2**20))) for _ in range(5)
        ]
        watcher.start()
        for t in posters:
            t.start()
        for t in posters:
            t.join(120)
        stop.set()
        watcher.join()
        assert [status for status, _ in results] == [413] * 5, results
        assert all(sent < 20 * 2**20 for _, sent in results)  # answered early, not after the whole body
        assert (peak[0] - before) / 1024 < 50, f"RSS grew {(peak[0] - before) / 1024:.0f} MB"
        assert client.get("/index.html").status_code == 200  # and it still serves


def test_every_form_route_refuses_a_body_past_its_limit_declared_or_chunked(hostile_room: Path) -> None:
    big = b"comment=" + b"x" * (MAX_FORM_BYTES + 10)
    with serving(hostile_room, feedback_per_minute=1000) as (client, _, _):
        _, story = first_article(client)
        token = login(client)
        for url in (f"/feedback/{story}", "/newsletter/subscribe", "/desk/login", f"/desk/articles/{story}/hold", "/desk/logout"):
            declared = client.post(url, content=big, headers={"Content-Type": "application/x-www-form-urlencoded"})
            chunked = client.post(
                url, content=iter([big[:1000], big[1000:]]), headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            assert (declared.status_code, chunked.status_code) == (413, 413), url
        # Just under the limit is read as a form (a 403 for the missing CSRF token, not a 413).
        fits = urlencode({"csrf": token, "pad": "x" * (MAX_FORM_BYTES - 200)}).encode()
        assert (
            client.post("/desk/logout", content=fits, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
            == 303
        )


# --- the rate limiter's memory -------------------------------------------------------------


def test_the_rate_limiter_forgets_and_is_bounded_yet_holds_an_active_client() -> None:
    now = [0.0]
    limiter = RateLimiter(5, max_clients=1000, clock=lambda: now[0])
    assert [limiter.retry_after("active") for _ in range(4)] == [0, 0, 0, 0]
    for n in range(100_000):
        now[0] += 0.0001  # 100,000 one-off clients within ten seconds: all still in their window
        assert limiter.retry_after(f"client-{n}") == 0
        assert len(limiter.seen) <= 1000
    assert limiter.retry_after("active") == 0  # its fifth
    assert limiter.retry_after("active") >= 1  # and the sixth is refused
    now[0] += 61  # a minute later every window has expired: the table empties as clients come
    limiter.retry_after("late")
    assert len(limiter.seen) == 1
    assert limiter.retry_after("active") == 0


def test_trusted_proxies_are_addresses_and_the_old_key_is_read_as_them(tmp_path: Path) -> None:
    from newsdesk.config import ConfigError, ServiceSettings, load_settings

    assert ServiceSettings().trusted_proxies == []
    assert ServiceSettings(forwarded_allow_ips="127.0.0.1, 10.0.0.0/8").trusted_proxies == ["127.0.0.1", "10.0.0.0/8"]
    (tmp_path / "newsdesk.toml").write_text('[service]\ntrusted_proxies = ["nginx"]\n')
    with pytest.raises(ConfigError, match="service.trusted_proxies.*'nginx' is not an IP address or CIDR range"):
        load_settings(tmp_path)
    (tmp_path / "newsdesk.toml").write_text('[service]\ntrusted_proxies = ["::1"]\nforwarded_allow_ips = "127.0.0.1"\n')
    with pytest.raises(ConfigError, match="set trusted_proxies only"):
        load_settings(tmp_path)
