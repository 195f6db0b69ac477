"""The Train page in a real browser with trainings sent to a Ray cluster (``LSTM_POEM_RAY_ADDRESS``).

The same server and page as ``test_browser.py``, pointed at the session's
loopback cluster: the page trains, draws the live chart and the early-stopping
indicator, stops, cancels, and the model trained on the cluster writes poems.
Skipped, with the reason, without Chromium, Playwright or Ray.
"""

from __future__ import annotations

import re

import pytest
from test_browser import (  # noqa: F401 - the browser and page fixtures are found by their own names  # noqa: F401 - fixtures, found by their names
    BALLADS,
    TRAINING_SECONDS,
    _missing,
    browser,
    chart_marks,
    choose_sample,
    nav,
    open_train_page,
    page,
    poems,
    serve_app,
    shoot,
    wait_until,
)

from conftest import ray_missing

pytestmark = [
    pytest.mark.skipif(_missing() is not None, reason=_missing() or ""),
    pytest.mark.skipif(ray_missing() is not None, reason=ray_missing() or ""),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def app_url(ray_cluster):
    yield from serve_app(LSTM_POEM_RAY_ADDRESS=ray_cluster.address)


def cluster_cpus_free(address: str) -> float:
    from lstm_poem.running.backend import RayConfig
    from lstm_poem.running.ray_backend import connect

    return connect(RayConfig(address)).available_resources().get("CPU", 0)


def test_the_train_page_trains_on_the_cluster_stops_cancels_and_generates(page, ray_cluster):  # noqa: F811
    open_train_page(page)
    choose_sample(page, BALLADS)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(re.compile(r"^Epoch ([3-9]|\d\d+) of")).first.wait_for(timeout=TRAINING_SECONDS * 1000)
    assert cluster_cpus_free(ray_cluster.address) < 2  # the training holds a CPU of the cluster, not the server's
    page.get_by_text(re.compile("^Early stopping: ")).first.wait_for()
    assert any("series: held-out" in label for label in chart_marks(page))
    shoot(page, "screenshot-train-ray.png")

    page.get_by_role("button", name="Stop").click()
    page.get_by_text("You stopped training").wait_for()
    wait_until(lambda: cluster_cpus_free(ray_cluster.address) == 2)  # its actor is gone
    page.get_by_role("button", name="Write poems with it").click()
    page.get_by_text("T = 1.5").first.wait_for()
    assert len(set(poems(page))) == 3
    assert page.get_by_test_id("stSidebar").get_by_text(re.compile(r"^Run 1 · LSTM")).count() == 1

    nav(page, "Train").click()
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(re.compile(r"^Epoch \d+ of")).first.wait_for(timeout=TRAINING_SECONDS * 1000)
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("Cancelled: this training was dropped.").wait_for()
