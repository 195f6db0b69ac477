"""A student in a browser, as the class benchmarks drive one: a session of its own, the Generate page,
a temperature slider, and the texts the pages show when a training ends.

Shared by ``bench/class_load.py`` (a class at once) and ``bench/whole_class.py`` (a class of thirty),
so neither imports the other's helpers.
"""

from __future__ import annotations

import re
import time

from bench.served_app import ServedApp

POEMS_DRAWN = re.compile(r"^\d+ poems in ")
TRAINING_OVER = re.compile("weights of (the best )?epoch")
FINISHED = re.compile(r"Finished after (\d+) epochs")
STOP_REASONS = ("early stopping", "time limit")
SLIDER_PAUSE_SECONDS = 10.0  # a student reads the poems, then nudges the temperature again
TIMEOUT_MS = 600_000


async def new_student(browser, app: ServedApp):
    context = await browser.new_context(viewport={"width": 1400, "height": 1400}, base_url=app.url)
    context.set_default_timeout(TIMEOUT_MS)
    return await context.new_page()


async def open_generate(page) -> float:
    """Seconds from asking for the Generate page to its poems drawn."""
    started = time.monotonic()
    await page.goto("/generate")
    await page.get_by_text(POEMS_DRAWN).wait_for()
    return time.monotonic() - started


async def move_slider(page, timeout_ms: int = TIMEOUT_MS) -> float:
    """Nudge the last column's temperature; seconds until that column shows a new poem."""
    poems = page.get_by_test_id("stHtml")
    before = await poems.last.inner_text()
    slider = page.get_by_role("slider").last
    await slider.focus()
    started = time.monotonic()
    await slider.press("ArrowLeft" if await slider.get_attribute("aria-valuenow") != "0" else "ArrowRight")
    await page.wait_for_function(
        "old => { const p = document.querySelectorAll('[data-testid=stHtml]'); return p.length && "
        "p[p.length - 1].innerText !== old; }",
        arg=before,
        timeout=timeout_ms,
    )
    return time.monotonic() - started
