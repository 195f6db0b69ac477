"""The README's two commands as a newcomer runs them: in a fresh copy of the repository.

The copy holds what a clone would (git's tracked files and new unignored ones, so
no .venv) in a temporary folder, and the commands run without the virtual
environment pytest runs in. Each command runs twice: the first run makes .venv and
installs the requirements (from pip's cache or a local index when there is one),
the second must skip pip. The app runs until ``/_stcore/health`` answers, then its
process group is stopped. The test command runs a few fast test files (the second time only
one), never this one: the commands started here carry FRESH_COPY in their environment, and this
file skips itself there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.served_app import ServedApp, free_port, wait_healthy
from conftest import ROOT

FRESH_COPY = "LSTM_POEM_FRESH_COPY"
INSTALL_SECONDS = 1200  # a first install of TensorFlow on a slow shared machine
SKIPPED = "requirements unchanged since the last install: skipping pip"
# Fast files that need what requirements-dev.txt adds (pytest; ruff, or test_lint skips), and the
# editable install of the copy (test_packaging: its packages are the copy's). Their fast lane only: each
# script's --help (slow, a fresh interpreter per script) runs from this checkout in the whole suite.
INNER_TESTS = ["tests/test_imports.py", "tests/test_lint.py", "tests/test_packaging.py", "-m", "not slow"]
# The second ./run test only has to show that it skips pip and still runs pytest: one quick file will do.
AGAIN_TESTS = ["tests/test_docs.py"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(FRESH_COPY in os.environ, reason="inside a fresh copy already: it would start itself again"),
    pytest.mark.skipif(os.name != "posix", reason="./run is a POSIX shell script"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git lists the files a clone would have"),
]


def copy_as_cloned(destination: Path) -> Path:
    """The files a fresh clone of this working tree would have: tracked ones and new unignored ones."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: " + listed.stderr.decode(errors="replace").strip())
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree stays out
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def newcomer_environment() -> dict[str, str]:
    """This process's environment without the virtual environment pytest runs in, as in a new shell."""
    environment = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONHOME")}
    if sys.prefix != sys.base_prefix:
        ours = str(Path(sys.prefix) / "bin")
        environment["PATH"] = os.pathsep.join(p for p in environment.get("PATH", "").split(os.pathsep) if p != ours)
    environment[FRESH_COPY] = "1"
    return environment


def run_app_until_healthy(repo: Path, environment: dict[str, str], log: Path) -> str:
    """``./run app`` on a free port until it answers, then stopped; its output."""
    port = free_port()
    command = ["./run", "app", "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    with open(log, "w") as output:
        app = subprocess.Popen(
            command, cwd=repo, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_healthy(ServedApp(f"http://127.0.0.1:{port}", app, log), INSTALL_SECONDS)
        finally:
            stop_group(app)
    return log.read_text()


def stop_group(process: subprocess.Popen) -> None:
    """Stop the command and everything it started (pip, streamlit)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def run_tests(repo: Path, environment: dict[str, str], files: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["./run", "test", *files, "-q", "-p", "no:cacheprovider"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
    )


def test_the_readme_commands_set_up_and_run_from_a_fresh_copy(tmp_path):
    repo = copy_as_cloned(tmp_path / "lstm-poem")
    environment = newcomer_environment()
    try:
        first = run_app_until_healthy(repo, environment, tmp_path / "app-1.log")
        assert "run: installing requirements.txt and this checkout (-e .) into .venv" in first
        second = run_app_until_healthy(repo, environment, tmp_path / "app-2.log")
        assert SKIPPED in second and "installing" not in second

        tests = run_tests(repo, environment, INNER_TESTS)
        assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-4000:]
        assert "run: installing requirements-dev.txt and this checkout (-e .) into .venv" in tests.stderr
        assert " passed" in tests.stdout and "skipped" not in tests.stdout
        again = run_tests(repo, environment, AGAIN_TESTS)
        assert again.returncode == 0 and " passed" in again.stdout, again.stdout[-4000:] + again.stderr[-4000:]
        assert SKIPPED in again.stderr and "installing" not in again.stderr
    finally:
        shutil.rmtree(repo / ".venv", ignore_errors=True)  # over a gigabyte; pytest keeps its last temporary folders
