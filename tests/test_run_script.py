"""``./run app`` and ``./run test`` without installing anything: the script runs in a scratch folder
whose ``.venv/bin/python`` is a stand-in that records each ``-m`` command (pip, streamlit, pytest)
instead of running it, so these tests see what would be installed and started, and when.

The real thing, from a fresh copy with real installs, is ``test_fresh_copy.py`` (slow).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(os.name != "posix" or shutil.which("sh") is None, reason="./run is a POSIX script")

PYTEST = "-m pytest -n 2 --dist loadgroup"  # the two workers ./run test always asks for
SKIPPED = "requirements unchanged since the last install: skipping pip"
# What the script needs from PATH; a PATH of just these has no apt-get, no sudo and no Python.
TOOLS = ["sh", "cat", "rm", "id", "dirname", "env"]


def write_script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A folder with the script, the requirements files, pyproject.toml and a stand-in virtual environment."""
    shutil.copy2(ROOT / "run", tmp_path / "run")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "lstm-poem"\n')
    (tmp_path / "requirements.txt").write_text("streamlit\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    # Runs real Python for the script's own checks (-c); records -m commands; pip fails on request.
    write_script(
        tmp_path / ".venv" / "bin" / "python",
        f"""#!/bin/sh
if [ "$1" = "-m" ]; then
    echo "$*" >>"$RUN_LOG"
    if [ "$2" = pip ] && [ -n "${{PIP_FAILS:-}}" ]; then exit 1; fi
    exit 0
fi
exec {sys.executable} "$@"
""",
    )
    return tmp_path


def tools_only_path(folder: Path) -> str:
    folder.mkdir(exist_ok=True)
    for tool in TOOLS:
        (folder / tool).symlink_to(shutil.which(tool))
    return str(folder)


def run(checkout: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """``./run ARGS`` in ``checkout``; its result and the -m commands it ran, in order."""
    log = checkout / "commands.log"
    log.unlink(missing_ok=True)
    environment = {
        **os.environ,
        "RUN_LOG": str(log),
        "LSTM_POEM_CHROMIUM": shutil.which("sh"),  # any executable: "chromium is there"
        **env,
    }
    result = subprocess.run(["./run", *args], cwd=checkout, env=environment, capture_output=True, text=True)
    return result, log.read_text().splitlines() if log.exists() else []


def test_app_installs_once_then_starts_at_once(checkout):
    first, commands = run(checkout, "app", "--server.port", "8600")
    assert first.returncode == 0, first.stderr
    assert commands == [
        "-m pip install --disable-pip-version-check -r requirements.txt -e .",
        "-m streamlit run streamlit_app.py --server.port 8600",
    ]
    second, commands = run(checkout, "app")
    assert second.returncode == 0 and SKIPPED in second.stderr
    assert commands == ["-m streamlit run streamlit_app.py"]


def test_test_installs_the_dev_requirements_and_passes_pytest_its_options(checkout):
    first, commands = run(checkout, "test", "-m", "not slow", "-q")
    assert first.returncode == 0, first.stderr
    assert commands == [
        "-m pip install --disable-pip-version-check -r requirements-dev.txt -e .",
        f"{PYTEST} -m not slow -q",
    ]
    _, commands = run(checkout, "test")
    assert commands == [PYTEST]


def test_a_changed_or_new_requirements_file_installs_again(checkout):
    run(checkout, "app")
    (checkout / "requirements-ray.txt").write_text("ray\n")  # as when requirements-dev.txt starts to include it
    _, commands = run(checkout, "app")
    assert commands[0] == "-m pip install --disable-pip-version-check -r requirements.txt -e ."
    _, commands = run(checkout, "app")
    assert commands == ["-m streamlit run streamlit_app.py"]
    (checkout / "requirements.txt").write_text("streamlit>=1.67\n")
    _, commands = run(checkout, "app")
    assert commands[0].startswith("-m pip install")


def test_a_changed_pyproject_installs_the_package_again(checkout):
    run(checkout, "app")
    with open(checkout / "pyproject.toml", "a") as pyproject:
        pyproject.write('[tool.setuptools]\npackages = ["lstm_poem"]\n')
    _, commands = run(checkout, "app")
    assert commands[0] == "-m pip install --disable-pip-version-check -r requirements.txt -e ."


def test_a_copy_in_another_folder_installs_again(checkout, tmp_path_factory):
    run(checkout, "app")
    _, commands = run(checkout, "app")
    assert commands == ["-m streamlit run streamlit_app.py"]
    moved = shutil.copytree(checkout, tmp_path_factory.mktemp("another-checkout"), dirs_exist_ok=True)
    _, commands = run(moved, "app")  # the editable install in the copied .venv still points at the first folder
    assert commands[0] == "-m pip install --disable-pip-version-check -r requirements.txt -e ."


def test_a_failed_install_stops_and_is_tried_again(checkout):
    failed, commands = run(checkout, "app", PIP_FAILS="1")
    assert failed.returncode != 0
    assert commands == ["-m pip install --disable-pip-version-check -r requirements.txt -e ."]  # the app did not start
    _, commands = run(checkout, "app")
    assert commands[0].startswith("-m pip install")


def test_without_chromium_or_apt_the_browser_tests_are_skipped_with_the_reason(checkout, tmp_path):
    path = tools_only_path(tmp_path / "tools")
    result, commands = run(checkout, "test", LSTM_POEM_CHROMIUM=str(tmp_path / "no-chromium"), PATH=path)
    assert result.returncode == 0, result.stderr
    assert "no chromium (no apt-get on this machine): the browser tests will be skipped" in result.stderr
    assert commands[-1] == PYTEST
    again, _ = run(checkout, "test", LSTM_POEM_CHROMIUM=str(tmp_path / "no-chromium"), PATH=path)
    assert "rm .venv/.chromium-not-installed to try again" in again.stderr


def test_as_root_with_apt_it_installs_chromium_and_a_failure_is_not_retried(checkout, tmp_path):
    path = tools_only_path(tmp_path / "tools")
    write_script(tmp_path / "tools" / "id", "#!/bin/sh\necho 0\n")  # root, as in CI
    write_script(tmp_path / "tools" / "apt-get", '#!/bin/sh\necho "apt-get $*" >>"$RUN_LOG"\nexit ${APT_FAILS:-0}\n')
    no_chromium = str(tmp_path / "no-chromium")
    result, commands = run(checkout, "test", LSTM_POEM_CHROMIUM=no_chromium, PATH=path)
    assert result.returncode == 0, result.stderr
    assert commands[1:] == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core",
        PYTEST,
    ]
    failed, commands = run(checkout, "test", LSTM_POEM_CHROMIUM=no_chromium, PATH=path, APT_FAILS="100")
    assert failed.returncode == 0 and commands == ["apt-get update -qq", PYTEST]
    assert "no chromium (apt-get install chromium failed): the browser tests will be skipped" in failed.stderr
    _, commands = run(checkout, "test", LSTM_POEM_CHROMIUM=no_chromium, PATH=path)
    assert commands == [PYTEST]  # not tried again until the marker is removed


def test_a_broken_environment_is_named_and_left_alone(checkout):
    (checkout / ".venv" / "bin" / "python").unlink()
    result, commands = run(checkout, "app")
    assert result.returncode == 1 and commands == []
    assert "run: .venv is not a working Python 3.10-3.13 environment: remove it (rm -rf .venv)" in result.stderr
    assert (checkout / ".venv" / "bin").is_dir()


def test_without_a_supported_python_it_says_which_versions(checkout, tmp_path):
    shutil.rmtree(checkout / ".venv")
    path = tools_only_path(tmp_path / "tools")
    write_script(tmp_path / "tools" / "python3", "#!/bin/sh\nexit 1\n")  # e.g. a Python 3.9, refused
    result, _ = run(checkout, "app", PATH=path)
    assert result.returncode == 1
    assert "lstm-poem needs Python 3.10, 3.11, 3.12 or 3.13 and none is on PATH" in result.stderr
    assert not (checkout / ".venv").exists()


def test_a_chosen_python_it_cannot_use_is_refused_with_the_reason(checkout, tmp_path):
    shutil.rmtree(checkout / ".venv")
    path = tools_only_path(tmp_path / "tools")
    # A Python 3.14: refused by the version check, and it says so.
    write_script(
        tmp_path / "tools" / "python3.14",
        "#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.14.0' && exit 0\nexit 1\n",
    )
    result, _ = run(checkout, "app", PATH=path, PYTHON="python3.14")
    assert result.returncode == 1
    assert "PYTHON=python3.14 is not Python 3.10-3.13 (Python 3.14.0)" in result.stderr
    assert "tensorflow-cpu 2.21 publishes no wheel" in result.stderr
    assert not (checkout / ".venv").exists()


def test_an_unknown_command_prints_the_usage(checkout):
    for args in [(), ("serve",)]:
        result, commands = run(checkout, *args)
        assert result.returncode == 2 and commands == []
        assert "usage: ./run app [streamlit options]" in result.stderr
