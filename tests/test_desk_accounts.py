"""An editor's session ends when the account changes: `users remove` or `users passwd` (from the
command line, another process) logs every browser of that editor out at once; over real HTTP."""

from __future__ import annotations

import subprocess
import sys

import pytest

from test_service import PASSWORD, login, serving


def newsdesk(room, *args: str, password: str | None = None) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *args, "--dir", str(room)],
        input=(password + "\n") if password else None,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def room(tmp_path):  # type: ignore[no-untyped-def]
    from conftest import published_demo

    path = published_demo(tmp_path / "room")
    newsdesk(path, "users", "add", "ada", "--password-stdin", password=PASSWORD)
    return path


def test_a_removed_editor_is_logged_out_at_once(room):
    with serving(room) as (client, _, _newsroom):
        login(client)
        assert client.get("/desk").status_code == 200
        newsdesk(room, "users", "remove", "ada")
        answer = client.get("/desk")
        assert answer.status_code == 303 and "/desk/login" in answer.headers["location"]
        # The same name added again is a new account: the old cookie still does not count.
        newsdesk(room, "users", "add", "ada", "--password-stdin", password=PASSWORD)
        assert client.get("/desk").status_code == 303


def test_a_new_password_ends_the_old_sessions_and_the_new_one_works(room):
    with serving(room) as (client, _, _newsroom):
        login(client)
        newsdesk(room, "users", "passwd", "ada", "--password-stdin", password="another long passphrase")
        assert client.get("/desk").status_code == 303
        answer = client.post("/desk/login", data={"name": "ada", "password": "another long passphrase", "next": "/desk"})
        assert answer.status_code == 303
        assert client.get("/desk").status_code == 200


def test_pages_are_served_while_an_editors_correction_republishes(room, monkeypatch):
    import threading
    import time

    import httpx2

    from newsdesk.service import actions
    from test_service import first_article

    real_correct = actions.correct

    def slow_correct(*args):  # type: ignore[no-untyped-def]
        # A big newsroom's re-publish takes seconds; a blocking sleep stands in for it wherever it runs.
        time.sleep(1.0)
        return real_correct(*args)

    monkeypatch.setattr(actions, "correct", slow_correct)
    with serving(room) as (client, _, _newsroom):
        token = login(client)
        _path, story = first_article(client)
        done: list[float] = []

        def correct() -> None:
            started = time.monotonic()
            answer = client.post(f"/desk/articles/{story}/correction", data={"csrf": token, "text": "The strike lasted 11 days."})
            assert answer.status_code == 303
            done.append(time.monotonic() - started)

        worker = threading.Thread(target=correct)
        slowest = 0.0
        with httpx2.Client(base_url=str(client.base_url), timeout=30) as reader:
            worker.start()
            while worker.is_alive():
                started = time.monotonic()
                assert reader.get("/index.html").status_code == 200
                slowest = max(slowest, time.monotonic() - started)
        worker.join()
        assert done and done[0] >= 1.0, done
        assert slowest < 0.5, (slowest, done)  # on the event loop, a read would wait the whole second
