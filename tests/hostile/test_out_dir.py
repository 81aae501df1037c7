"""publish.out_dir can never destroy data, and a complete site is visible at every instant."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsdesk.pipeline import run


def publish_with(room, out_dir: str):
    config = room.path / "newsdesk.toml"
    config.write_text(config.read_text() + f'\n[publish]\nout_dir = "{out_dir}"\n')
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "publish", "--dir", str(room.path)], capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "out_dir, says",
    [
        (".", "the newsroom folder or a folder above it"),
        ("..", "the newsroom folder or a folder above it"),
        ("newsdesk.db", "is a file"),
        ("newsdesk.toml", "is a file"),
        ("notes", "an existing folder newsdesk did not build"),
    ],
)
def test_dangerous_out_dirs_are_refused_and_nothing_is_touched(newsroom, out_dir, says):
    (newsroom.path / "notes").mkdir()
    (newsroom.path / "notes" / "keep.txt").write_text("mine")
    (newsroom.path.parent / "sibling.txt").write_text("also mine")

    def listing():  # the run's own lock file aside
        return sorted(p.name for p in newsroom.path.iterdir() if p.name != ".newsdesk.lock")

    before = listing()
    result = publish_with(newsroom, out_dir)
    said = " ".join(result.stderr.split())
    assert result.returncode == 2 and says in said and "Traceback" not in said
    assert listing() == before
    assert (newsroom.path / "notes" / "keep.txt").read_text() == "mine"
    assert (newsroom.path.parent / "sibling.txt").read_text() == "also mine"


def test_the_site_is_swapped_atomically_and_old_builds_are_cleared(newsroom, demo_server):
    for name, url in demo_server.feed_urls():
        newsroom.store.add_source(url, name=name)
    run(newsroom)
    site = newsroom.site_dir
    assert site.is_symlink() and (site / "index.html").exists() and (site / ".newsdesk-site").exists()
    first = site.resolve()
    run(newsroom, ("publish",))
    assert site.resolve() != first and not first.exists()
    builds = list((site.parent / f".{site.name}.builds").iterdir())
    assert builds == [site.resolve()]


def test_a_site_built_before_links_is_taken_over(newsroom, demo_server):
    for name, url in demo_server.feed_urls():
        newsroom.store.add_source(url, name=name)
    run(newsroom)
    site = newsroom.site_dir
    real = site.resolve()
    site.unlink()
    real.rename(site)  # the old layout: a plain folder
    (site / ".newsdesk-site").unlink()
    run(newsroom, ("publish",))
    assert site.is_symlink() and (site / "index.html").exists()
