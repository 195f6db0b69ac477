"""One hostile client against a real server: what the server's budgets refuse it (``class_load.py --hostile``).

The client opens ``--tabs`` tabs (each its own Streamlit session, as a script
opening the link ten times would). In each it uploads more of the largest model
files the server takes than a session may keep (each a different file, so none
is deduplicated), then asks for the longest training it may, each with another
random seed so no two are joined into one. It reports what it was refused or
had taken away: models dropped from a tab to stay in its budget, trainings
refused by the queue's length limit, and time limits shortened by a long queue.
It does not wait for any training: it cancels them all before it leaves (beside
classes, it keeps them until the classes are done: ``bench/two_classes.py``).

The largest model file is the widest LSTM within ``MAX_PARAMETERS`` whose
bundle fits ``MAX_BUNDLE_BYTES``, stored as float16; it is built once, untrained
(its size is what counts here), and written under ``build/``.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.served_app import ServedApp

BUILD = Path(__file__).resolve().parents[1] / "build" / "hostile"
TIMEOUT_MS = 600_000
REFUSED = re.compile("already waiting for a free slot")
SHRUNK = re.compile(r"trains for at most \d+ s instead of \d+ s")
DROPPED = re.compile("so the least recently used went")


@dataclass
class HostileReport:
    tabs: int
    bundle_mb: float  # each model file uploaded
    bundle_parameters: int
    uploads: int = 0
    uploads_refused: list[str] = field(default_factory=list)  # error boxes on the Generate page
    models_dropped_notes: int = 0  # sidebar notes that the least recently used models went
    trainings_asked: int = 0
    trainings_refused: int = 0
    time_limits_shrunk: int = 0
    refusal_example: str = ""
    shrink_example: str = ""


def largest_bundles(count: int) -> list[Path]:
    """``count`` different model files, each as big as the server takes (made once, then reused)."""
    from lstm_poem import limits
    from lstm_poem.files.bundle import bundle_bytes
    from lstm_poem.network.model import ModelConfig, PoemModel, build_model
    from lstm_poem.text.corpus import catalog
    from lstm_poem.text.tokenizer import fit_tokenizer

    BUILD.mkdir(parents=True, exist_ok=True)
    paths = [BUILD / f"largest-{n}.zip" for n in range(count)]
    if all(path.is_file() for path in paths):
        return paths
    text = catalog()[0].load().text
    tokenizer = fit_tokenizer(text, "char")
    fits = [
        ModelConfig(cell="lstm", layers=layers, units=units, embedding=128)
        for layers in range(1, 4)  # an LSTM's most
        for units in range(64, 1025, 16)
    ]
    # float16 weights take 2 bytes each; a little room is left for the zip's and JSON's own bytes
    fits = [
        c
        for c in fits
        if 2 * c.parameter_count(tokenizer.vocab_size) < 0.98 * limits.MAX_BUNDLE_BYTES
        and c.parameter_count(tokenizer.vocab_size) <= limits.MAX_PARAMETERS
    ]
    config = max(fits, key=lambda c: c.parameter_count(tokenizer.vocab_size))
    poem = PoemModel(build_model(config, tokenizer.vocab_size), tokenizer, config, {"corpus": {"name": "largest"}})
    for n, path in enumerate(paths):
        poem.info["notes"] = f"copy {n}"  # a different file each time, so the app cannot deduplicate it
        path.write_bytes(bundle_bytes(poem, "float16"))
    return paths


async def hostile_client(
    browser,
    app: ServedApp,
    tabs: int,
    uploads_per_tab: int,
    queued: asyncio.Event | None = None,
    keep_until: asyncio.Event | None = None,
) -> dict:
    """Upload, queue, then cancel everything. ``queued`` is set once every training is asked for; with
    ``keep_until`` the tabs stay open (their trainings watched, running or waiting) until it is set."""
    from lstm_poem import limits
    from lstm_poem.files.bundle import load_bundle

    bundles = largest_bundles(uploads_per_tab)
    poem = load_bundle(bundles[0].read_bytes())
    report = HostileReport(
        tabs, round(bundles[0].stat().st_size / 1e6, 1), poem.config.parameter_count(poem.tokenizer.vocab_size)
    )
    context = await browser.new_context(viewport={"width": 1400, "height": 1400}, base_url=app.url)
    context.set_default_timeout(TIMEOUT_MS)
    pages = [await context.new_page() for _ in range(tabs)]
    try:
        await asyncio.gather(*(_upload_all(page, bundles, report) for page in pages))
        for seed, page in enumerate(pages, 1):  # one after another, so the queue's answer is each one's own
            await _queue_longest_training(page, seed, limits.MAX_TRAINING_SECONDS, report)
        if queued is not None:
            queued.set()
        if keep_until is not None:
            await keep_until.wait()
        for page in pages:
            cancel = page.get_by_role("button", name="Cancel")
            if await cancel.is_enabled():
                await cancel.click()
    finally:
        await context.close()
    return asdict(report)


async def _upload_all(page, bundles: list[Path], report: HostileReport) -> None:
    await page.goto("/generate")
    await page.get_by_text(re.compile(r"^\d+ poems in ")).wait_for()
    await page.get_by_text("Load a model file (.zip)").click()
    for bundle in bundles:
        await page.locator("input[type=file]").set_input_files(str(bundle))
        report.uploads += 1
        error = page.get_by_test_id("stAlertContentError")
        shown = page.get_by_test_id("stSidebar").get_by_text(bundle.name, exact=True)
        await shown.or_(error).first.wait_for()
        if await error.count():
            report.uploads_refused.append(await error.first.inner_text())
        if await page.get_by_test_id("stSidebar").get_by_text(DROPPED).count():
            report.models_dropped_notes += 1


async def _queue_longest_training(page, seed: int, seconds: int, report: HostileReport) -> None:
    await page.goto("/train")
    await page.get_by_text("distinct characters").first.wait_for()
    await page.get_by_text("Custom", exact=True).click()
    for label, value in (("Time limit (s)", seconds), ("Random seed", seed), ("Max epochs", 1000)):
        box = page.get_by_role("spinbutton", name=label)
        await box.fill(str(value))
        await box.press("Enter")
    await page.wait_for_timeout(1000)
    await page.get_by_role("button", name="Train").click()
    report.trainings_asked += 1
    refused, shrunk = page.get_by_text(REFUSED), page.get_by_text(SHRUNK)
    await refused.or_(page.get_by_text(re.compile("Waiting for a free training slot|^Epoch"))).first.wait_for()
    if await refused.count():
        report.trainings_refused += 1
        report.refusal_example = report.refusal_example or await refused.first.inner_text()
    elif await shrunk.count():
        report.time_limits_shrunk += 1
        report.shrink_example = report.shrink_example or await shrunk.first.inner_text()
