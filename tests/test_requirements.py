"""requirements.txt resolves for the Pythons a deployment may run, without installing anything.

Community Cloud installs requirements.txt with uv on the Python chosen when the app is made
(its default is 3.12; recent deploys got 3.13), so the check is uv's own resolver, for Linux
x86_64 wheels only. It asks PyPI for the packages' metadata: CI can reach PyPI; where this
machine cannot, the tests are skipped and say so.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.pypi


@pytest.fixture(scope="module")
def resolve():
    if importlib.util.find_spec("uv") is None:
        pytest.skip("uv is not installed (pip install -r requirements-dev.txt)")
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError as err:
        pytest.skip(f"PyPI cannot be reached from here ({err})")

    def run(python: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "uv", "pip", "compile", str(ROOT / "requirements.txt")]
        command += ["--python-version", python, "--python-platform", "x86_64-manylinux_2_28", "--only-binary", ":all:"]
        command += ["--index-url", "https://pypi.org/simple", "--no-header", "--quiet", "--no-config"]
        return subprocess.run(command, capture_output=True, text=True, timeout=600)

    return run


def pinned(lock: str) -> dict[str, str]:
    return dict(line.split("==") for line in lock.splitlines() if "==" in line and not line.startswith(" "))


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_the_requirements_resolve_to_wheels_for(python, resolve):
    result = resolve(python)
    assert result.returncode == 0, result.stderr
    versions = pinned(result.stdout)
    assert versions["tensorflow-cpu"].startswith("2.21.")
    assert {"streamlit", "keras", "numpy", "altair"} <= set(versions)


def test_python_3_14_is_not_supported_yet_because_tensorflow_has_no_wheel_for_it(resolve):
    # docs/deploy.md and ./run say so; when this fails, TensorFlow has a 3.14 wheel: update both.
    result = resolve("3.14")
    assert result.returncode != 0
    assert "tensorflow-cpu" in result.stderr and "cp314" in result.stderr
