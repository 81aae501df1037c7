"""scripts/setup.sh's interpreter probe: pyenv shims that fail are skipped without noise, and
no usable interpreter is still a clear error."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

SETUP = Path(__file__).resolve().parent.parent / "scripts" / "setup.sh"


def fake_checkout(tmp_path: Path) -> Path:
    """A checkout whose .venv is already installed, so setup.sh only probes interpreters."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(SETUP, repo / "scripts" / "setup.sh")
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").symlink_to(sys.executable)
    stamp = repo / ".venv" / ".newsdesk-installed"
    stamp.touch()
    os.utime(repo / "pyproject.toml", (1, 1))  # older than the install stamp: nothing to install
    return repo


def shims(folder: Path, failing: list[str], working: list[str] = ()) -> Path:
    folder.mkdir()
    for name in failing:  # what pyenv's shim does for a version it knows but has not installed
        shim = folder / name
        shim.write_text(f'#!/bin/sh\necho "pyenv: {name}: command not found" >&2\nexit 127\n')
        shim.chmod(0o755)
    for name in working:
        (folder / name).symlink_to(sys.executable)
    for tool in ("dirname",):
        (folder / tool).symlink_to(shutil.which(tool))
    return folder


def run_setup(repo: Path, path: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(path), "HOME": str(repo)}
    return subprocess.run(["/bin/bash", str(repo / "scripts" / "setup.sh")], capture_output=True, text=True, env=env)


def test_failing_pyenv_shims_are_skipped_quietly(tmp_path):
    repo = fake_checkout(tmp_path)
    path = shims(tmp_path / "bin", failing=["python3.13", "python3.12"], working=["python3.11"])
    result = run_setup(repo, path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_no_usable_interpreter_is_still_a_clear_error(tmp_path):
    repo = fake_checkout(tmp_path)
    path = shims(tmp_path / "bin", failing=["python3.13", "python3.12", "python3.11", "python3"])
    result = run_setup(repo, path)
    assert result.returncode == 1
    assert result.stderr.strip() == ("newsdesk needs Python 3.11 or newer; none found (set PYTHON=/path/to/python3.11).")
