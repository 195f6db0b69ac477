"""The project is an installed package (``pip install -e .``, which ./run does): its scripts run from the
repository root with nothing patching ``sys.path``, and the installed package is this checkout."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

SCRIPT_FOLDERS = ("bench", "scripts", "tests")
INSTALL_HINT = "run ./run test once: it installs this checkout with pip install -e ."
PATH_PATCH = re.compile(r"sys\.path(\.insert|\.append|\.extend|\[[^]]*\]\s*=|\s*\+?=)")


def python_files() -> list:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part in ("build", "__pycache__") for part in path.relative_to(ROOT).parts)
    ]


def scripts() -> list[str]:
    """Every file under bench/, scripts/ and tests/ that runs as ``python FOLDER/NAME.py``."""
    return sorted(
        str(path.relative_to(ROOT))
        for folder in SCRIPT_FOLDERS
        for path in (ROOT / folder).glob("*.py")
        if re.search(r"^if __name__ == .__main__.:", path.read_text(encoding="utf-8"), re.MULTILINE)
    )


def test_nothing_patches_sys_path():
    patched = [str(path.relative_to(ROOT)) for path in python_files() if PATH_PATCH.search(path.read_text("utf-8"))]
    assert patched == [], "import the installed package instead of patching sys.path"


def test_the_installed_packages_are_this_checkout(tmp_path):
    """Imported from outside the repository, as a script in bench/ imports them (not through pytest's path)."""
    found = subprocess.run(
        [sys.executable, "-c", "import bench, lstm_poem, scripts, ui; print(lstm_poem.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0, f"{found.stderr.strip().splitlines()[-1]}: {INSTALL_HINT}"
    installed = found.stdout.strip()
    assert installed == str(ROOT / "lstm_poem" / "__init__.py"), f"lstm_poem comes from {installed}: {INSTALL_HINT}"


@pytest.mark.slow  # a fresh interpreter per script, many import TensorFlow: out of the fast lane
@pytest.mark.parametrize("script", scripts())
def test_each_script_runs_from_the_repository_root(script):
    shown = subprocess.run(
        [sys.executable, script, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.startswith("usage:")
