"""Helpers for driving the app with AppTest from its entry point (shared by the page tests)."""

import json
import re
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
TINY_SETTINGS = {"setting_units": 32, "setting_embedding": 16, "setting_seq_len": 32}


def open_page(page: str | None = None, query: dict[str, str] | None = None, **state) -> AppTest:
    """A new session of the app (opened at an address with ``query``, e.g. ``{"class": code}``) on ``page``."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> list[str]:
    """The elements' text as a reader sees it: without the backslashes ui.format.plain puts before markup signs."""
    return [shown(element.value) for element in elements]


def shown(markdown: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def layer_descriptions(spec: dict) -> list[str]:
    return [layer.get("description") for layer in spec.get("layer", [])]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def paste_and_configure(at: AppTest, text: str, **settings) -> None:
    at.radio(key="corpus_source").set_value("Paste text").run()
    at.text_area(key="corpus_text").set_value(text).run()
    for key, value in {**TINY_SETTINGS, **settings}.items():
        at.number_input(key=key).set_value(value)
    at.run()
    assert at.radio(key="preset").value == "Custom"  # editing a setting leaves the preset


def wait_for(at: AppTest, done, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return
        time.sleep(0.3)
    shown = [e.value for e in (*at.info, *at.warning, *at.error)] + [p.proto.text for p in at.get("progress")]
    raise AssertionError(f"the app did not get there in time; it shows {shown}")


def finished(at: AppTest) -> bool:
    return any("weights" in text for text in texts(at.info))


def new_class() -> str:
    """The code of a class started on this server (by nobody's session: no test page teaches it)."""
    from lstm_poem.teaching.classroom import CLASSES

    return CLASSES.start()[0].code
