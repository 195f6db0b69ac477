"""A class at once, against a real server: two students training together keep up with one alone.

Each student is a Chromium context whose Train page polls its run every second,
as in a lesson. Before the fix, Streamlit's full garbage collection after each
of those polls starved both trainings (6 epochs instead of 50 in the Quick
demo's 45 s); this test fails if such collections come back. It trains the
Quick demo three times (about 2 minutes), so it is marked slow.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from bench.class_load import SEPARATE_TRAININGS, train_at_once
from bench.served_app import CHROMIUM, CHROMIUM_ARGS, niced_chromium, served_app


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -r requirements-dev.txt"
    if (os.cpu_count() or 1) < 2:
        return "two trainings at once need two cores"
    return None


pytestmark = [pytest.mark.slow, pytest.mark.skipif(_missing() is not None, reason=_missing() or "")]
# The comparison needs the machine to itself: two trainings on two cores, as on a classroom server.
IDLE_CORES_NEEDED = 1.5
# Alone, a training has both cores; together, each has about one, so on an idle two-core machine one of
# the two sometimes reaches the 45 s limit at 35-39 of the 50 epochs (bench/class_load.py, two runs). The
# collections this test guards against left 6 of 50: 60% keeps a fivefold margin above them.
KEPT_UP_SHARE = 0.6


def idle_cores(seconds: float = 2.0) -> float:
    """Cores left idle by everything else on the machine, measured over ``seconds`` from /proc/stat."""

    def sample() -> tuple[int, int]:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all

    idle_before, total_before = sample()
    time.sleep(seconds)
    idle_after, total_after = sample()
    return (os.cpu_count() or 1) * (idle_after - idle_before) / max(total_after - total_before, 1)


async def alone_then_two_at_once():
    from playwright.async_api import async_playwright

    with served_app(SEPARATE_TRAININGS) as app:  # two trainings at once, not one shared
        async with async_playwright() as playwright:
            # The browsers stand in for the students' own computers: they take what CPU the server leaves.
            launcher = niced_chromium(app.log.parent, 10)
            browser = await playwright.chromium.launch(executable_path=launcher, args=CHROMIUM_ARGS)
            (alone,) = await train_at_once(browser, app, 1)
            together = await train_at_once(browser, app, 2)
            await browser.close()
    return alone, together


@pytest.mark.alone
def test_two_trainings_watched_by_polling_pages_keep_up_with_one_alone():
    if not Path("/proc/stat").is_file():
        pytest.skip("needs Linux /proc to see whether the machine is idle")
    idle = idle_cores()
    if idle < IDLE_CORES_NEEDED:
        pytest.skip(f"the machine is busy ({idle:.1f} cores idle): comparing trainings needs two free cores")
    alone, together = asyncio.run(alone_then_two_at_once())
    for outcome in together:
        assert outcome.kept_up_with(alone, KEPT_UP_SHARE), f"together: {outcome}; alone: {alone}"
        assert abs(outcome.best_val_loss - alone.best_val_loss) <= 0.05, (outcome, alone)
