"""The bundle loader under fuzzing (bounded for CI): every mutated bundle loads and generates or is refused.

The run is a separate process capped in address space (``RLIMIT_AS``), so a
regression that allocates what a hostile header claims fails here instead of
taking the machine's memory. ``scripts/fuzz_bundles.py`` runs the same fuzzer long.
"""

import json
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_mutated_bundles_load_and_generate_or_raise_bundle_error_only():
    proc = subprocess.run(
        [sys.executable, "tests/bundle_fuzz.py", "--examples", "250", "--seed", "0", "--memory-mb", "1024"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["failures"] == [], json.dumps(report["failures"], indent=1)
    assert report["examples"] == 250
    assert report["loaded"] > 0 and report["refused"] > 100  # both outcomes were reached
    assert len(report["messages"]) > 20  # and many different checks refused something
