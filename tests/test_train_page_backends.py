"""The Train page's Stop and Cancel, the same AppTest with each backend: threads here, or a Ray cluster.

``current_backend()`` reads ``LSTM_POEM_RAY_ADDRESS`` at every Train click, so
setting it points this page at the session's loopback cluster.
"""

from __future__ import annotations

import pytest
from app_helpers import button, finished, open_page, paste_and_configure, texts, wait_for

from conftest import ray_missing


@pytest.fixture(
    params=[
        "threads",
        pytest.param("ray", marks=pytest.mark.skipif(ray_missing() is not None, reason=ray_missing() or "")),
    ]
)
def backend_name(request, monkeypatch):
    if request.param == "ray":
        monkeypatch.setenv("LSTM_POEM_RAY_ADDRESS", request.getfixturevalue("ray_cluster").address)
    else:
        monkeypatch.delenv("LSTM_POEM_RAY_ADDRESS", raising=False)
    return request.param


def epochs_shown(at) -> bool:
    return any(p.proto.text.startswith("Epoch ") for p in at.get("progress"))


@pytest.mark.slow  # two trainings driven through the whole page, a minute on a busy machine
def test_stop_keeps_a_model_and_cancel_keeps_nothing(backend_name, small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(at, small_text, setting_epochs=500, setting_patience=500)
    button(at, "Train").click().run()
    wait_for(at, epochs_shown)
    button(at, "Stop").click().run()
    wait_for(at, finished)
    assert any("You stopped training" in text for text in texts(at.info))
    assert list(at.session_state["models"]) == ["run-1"]

    button(at, "Train").click().run()
    wait_for(at, epochs_shown)
    button(at, "Cancel").click().run()
    wait_for(at, lambda at: any(text.startswith("Cancelled") for text in texts(at.info)))
    assert not button(at, "Train").disabled and button(at, "Cancel").disabled
    assert list(at.session_state["models"]) == ["run-1"]  # the cancelled run left no model
