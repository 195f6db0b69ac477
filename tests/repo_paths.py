"""Where the tests find the repository and its texts (conftest.py and the helper servers both need them)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"
BALLADS = ROOT / "sample_corpora" / "ballads.txt"
