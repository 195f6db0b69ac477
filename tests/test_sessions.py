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


@pytest.fixture
def session(monkeypatch):
    """ui.session_models on a plain dict standing in for one session's st.session_state."""
    import streamlit

    from ui import session_models

    monkeypatch.setattr(streamlit, "session_state", {})
    return session_models


def test_a_session_keeps_at_most_its_cap_of_models_dropping_the_least_recently_used(session, trained, monkeypatch):
    from lstm_poem import limits

    monkeypatch.setattr(limits, "MAX_SESSION_MODELS", 3)
    for name in "abc":
        session.add_model(session.ModelEntry(name, f"model {name}", "test", trained.poem))
    session.select_model("a")  # used again: now the most recent
    session.add_model(session.ModelEntry("d", "model d", "test", trained.poem))
    assert list(session.models()) == ["c", "a", "d"] and session.current_model().key == "d"
    assert session.take_dropped_names() == ["model b"] and session.take_dropped_names() == []


def test_a_session_keeps_its_models_within_a_byte_budget(session, trained, monkeypatch):
    from lstm_poem import limits

    one = sum(array.nbytes for array in trained.poem.network.get_weights())  # measured on the arrays themselves
    monkeypatch.setattr(limits, "MAX_SESSION_MODEL_BYTES", 2 * one + one // 2)
    for name in "abc":
        session.add_model(session.ModelEntry(name, f"model {name}", "test", trained.poem))
    assert list(session.models()) == ["b", "c"] and session.kept_bytes() == 2 * one
    assert len(session.models()["c"].bundle()) > one // 2  # a built download file counts too: c no longer fits
    session.add_model(session.ModelEntry("d", "model d", "test", trained.poem))
    assert list(session.models()) == ["d"] and session.kept_bytes() == one
    assert session.take_dropped_names() == ["model a", "model b", "model c"]


def test_a_student_can_remove_a_model(session, trained):
    for name in "ab":
        session.add_model(session.ModelEntry(name, f"model {name}", "test", trained.poem))
    session.select_model("a")
    session.remove_model("a")
    assert list(session.models()) == ["b"] and session.current_model().key == "b"
    session.remove_model("b")
    assert session.models() == {} and session.current_model() is None


def test_the_generate_page_removes_a_model_and_the_sidebar_names_the_ones_dropped(trained, monkeypatch):
    from lstm_poem import limits
    from ui.session_models import ModelEntry

    monkeypatch.setattr(limits, "MAX_SESSION_MODELS", 1)
    own = {"mine": ModelEntry("mine", "my # model", "uploaded", trained.poem)}
    at = open_page("app_pages/generate.py", models=own, current_model="mine")
    at.session_state["models_dropped"] = ["an old model"]  # as add_model leaves them
    at.run()
    assert any("the least recently used went: an old model" in text for text in texts(at.sidebar.info))
    button(at, "Remove this model").click().run()
    assert not at.exception and at.session_state["models"] == {}
    assert all(b.label != "Remove this model" for b in at.button)  # a pretrained model is current now


def test_an_upload_that_would_take_the_servers_models_past_their_budget_is_refused_until_room_is_made(
    session, good_bytes, monkeypatch
):
    import streamlit

    from lstm_poem import limits
    from lstm_poem.files.bundle import BundleError

    first_tab, second_tab = {}, {}
    before = session.server_model_bytes()  # models of other tests' sessions still alive, if any
    monkeypatch.setattr(streamlit, "session_state", first_tab)
    kept = session.add_uploaded_model(good_bytes, "first.zip").nbytes
    assert session.server_model_bytes() == before + kept
    # room for the first tab's model and not quite for another file's worst case (2 bytes a file byte)
    monkeypatch.setattr(limits, "MAX_SERVER_MODEL_BYTES", before + kept + 2 * len(good_bytes) - 1)
    monkeypatch.setattr(streamlit, "session_state", second_tab)
    with pytest.raises(BundleError, match="already keeps .* of models for its other students"):
        session.add_uploaded_model(good_bytes, "second.zip")
    assert session.models() == {}, "a refused upload changes nothing"

    first_tab.clear()  # the first tab closed: its session's models went with it
    gc.collect()
    assert session.server_model_bytes() == before
    assert session.add_uploaded_model(good_bytes, "second.zip").name == "second.zip"
