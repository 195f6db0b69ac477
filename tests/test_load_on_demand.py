"""Pretrained models are read when a page first needs one, so a cold start costs the same with one or ten."""

import json
import shutil

from app_helpers import APP
from streamlit.testing.v1 import AppTest

from lstm_poem.files import pretrained
from lstm_poem.files.pretrained import PRETRAINED_DIR, pretrained_catalog
from ui import session_models


def _read(entries: dict[str, session_models.ModelEntry]) -> list[str]:
    """The models whose files have been read."""
    return [key for key, entry in entries.items() if entry._contents is not None]


def _built(entries: dict[str, session_models.ModelEntry]) -> list[str]:
    """The models whose Keras networks have been built (TensorFlow)."""
    return [key for key, entry in entries.items() if entry._poem is not None]


def test_the_generate_page_reads_only_the_model_it_writes_with():
    session_models.pretrained_models.clear()
    try:
        # A cold server's first Generate: one model's file is read (slow on a busy machine).
        at = AppTest.from_file(APP, default_timeout=600).run()
        at.switch_page("app_pages/generate.py").run()
        assert not at.exception, at.exception
        assert any(text.startswith("3 poems in ") for text in (c.value for c in at.caption))
        entries = session_models.pretrained_models()
        assert len(entries) == len(pretrained_catalog()) > 1  # every model is offered...
        assert _read(entries) == ["pretrained-" + pretrained_catalog()[0].name]  # ...one is read
        assert _built(entries) == []  # ...and its poems and odds come from NumPy, not a Keras network
    finally:
        session_models.pretrained_models.clear()


def test_a_damaged_pretrained_file_is_left_out_without_reading_a_network(tmp_path, monkeypatch):
    catalog = json.loads((PRETRAINED_DIR / "catalog.json").read_text())
    whole, damaged = catalog["models"][:2]
    shutil.copy(PRETRAINED_DIR / whole["file"], tmp_path / whole["file"])
    # What a clone without Git LFS holds instead of the zip.
    (tmp_path / damaged["file"]).write_text("version https://git-lfs.github.com/spec/v1\noid sha256:0\n")
    (tmp_path / "catalog.json").write_text(json.dumps({"models": [whole, damaged]}))
    monkeypatch.setattr(pretrained, "PRETRAINED_DIR", tmp_path)
    session_models.pretrained_models.clear()
    try:
        entries = session_models.pretrained_models()
        assert list(entries) == ["pretrained-" + whole["name"]]
        assert _read(entries) == _built(entries) == []
    finally:
        session_models.pretrained_models.clear()
