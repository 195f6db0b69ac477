"""The server's garbage-collection policy (ui/memory.py) and the setting that makes it the only one."""

from __future__ import annotations

import re
import sys

import pytest

from conftest import ROOT
from ui import memory


@pytest.fixture
def calls(monkeypatch):
    """Record the policy's collections and freezes instead of doing them (a real freeze would
    keep every object alive in this test process for good)."""
    seen: list[str] = []
    monkeypatch.setattr(memory.gc, "collect", lambda *args: seen.append("collect") or 0)
    monkeypatch.setattr(memory.gc, "freeze", lambda: seen.append("freeze"))
    monkeypatch.setattr(memory, "STATE", memory.CollectorState(last_collection=100.0))
    return seen


def test_streamlit_does_not_collect_after_every_run():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    runner = re.search(r"^\[runner\]$(.*?)(^\[|\Z)", config, re.M | re.S)
    assert runner and re.search(r"^postScriptGC\s*=\s*false$", runner.group(1), re.M)


def test_the_heavy_modules_are_frozen_once(calls, monkeypatch):
    for name in memory.HEAVY_MODULES:
        monkeypatch.setitem(sys.modules, name, sys.modules.get(name, object()))
    memory.tend(now=101.0)
    assert calls == ["collect", "freeze"] and memory.STATE.frozen_with_heavy_modules
    memory.tend(now=102.0)
    assert calls == ["collect", "freeze"]  # nothing more until the interval is up


def test_nothing_is_frozen_before_the_heavy_modules_are_loaded(calls, monkeypatch):
    monkeypatch.delitem(sys.modules, memory.HEAVY_MODULES[0], raising=False)
    memory.tend(now=101.0)
    assert calls == [] and not memory.STATE.frozen_with_heavy_modules


def test_a_full_collection_runs_at_most_once_per_interval(calls, monkeypatch):
    monkeypatch.setattr(memory.STATE, "frozen_with_heavy_modules", True)
    every = memory.COLLECT_EVERY_SECONDS
    for now in (101.0, 100.0 + every - 1, 100.0 + every, 100.0 + every + 1, 100.0 + 2 * every):
        memory.tend(now=now)
    assert calls == ["collect", "collect"] and memory.STATE.collections == 2
