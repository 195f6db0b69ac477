"""Several students at once: separate sessions, a server-wide training cap, memory that comes back."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from app_helpers import button, finished, open_page, paste_and_configure, texts, wait_for

from lstm_poem.running.job import SLOTS

STATUS = Path("/proc/self/status")


def resident_mb() -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


def verse(n: int, ballads_text: str) -> str:
    """A different text per student, so a leak between sessions would show."""
    lines = ballads_text.splitlines(keepends=True)
    return f"STUDENT {n}\n" + "".join(lines[n * 40 : n * 40 + 160])


def class_of_students(ballads_text: str, students: int = 3) -> list:
    """Each student pastes their own verse and presses Train at the same moment."""
    sessions = []
    for n in range(students):
        at = open_page("app_pages/train.py")
        paste_and_configure(at, verse(n, ballads_text), setting_epochs=2)
        sessions.append(at)
    for at in sessions:
        button(at, "Train").click().run()
    return sessions


@pytest.mark.skipif(not STATUS.is_file(), reason="needs Linux /proc to read memory")
def test_a_class_trains_at_once_within_the_cap_without_seeing_each_other(ballads_text):
    assert SLOTS.size == 2
    baseline = None
    for _ in range(2):
        sessions = class_of_students(ballads_text)
        states = [at.session_state["runs"][0].job.snapshot().state for at in sessions]
        assert SLOTS.busy <= SLOTS.size and states.count("running") <= SLOTS.size
        waiting = [at for at in sessions if at.session_state["runs"][0].job.snapshot().state == "queued"]
        for at in waiting:
            at.run()
            waiting_text = " ".join(texts(at.info))
            assert "Waiting for a free training slot" in waiting_text
            assert "You are next in line" in waiting_text and "should start within about" in waiting_text
        for at in sessions:
            wait_for(at, finished)
        for n, at in enumerate(sessions):
            (run,) = at.session_state["runs"]  # each session sees only its own run...
            (model,) = at.session_state["models"].values()  # ...and its own model
            assert run.job.corpus.text.startswith(f"STUDENT {n}\n")
            assert model.poem.info["corpus"]["chars"] == run.job.corpus.n_chars
        assert SLOTS.busy == 0
        del sessions, waiting, run, model, at
        gc.collect()
        if baseline is None:
            baseline = resident_mb()  # after the first class: TensorFlow and its caches are warm
    assert resident_mb() <= baseline * 1.2, f"memory grew from {baseline:.0f} MB to {resident_mb():.0f} MB"
