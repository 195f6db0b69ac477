"""The app's cold start with every pretrained model against one, and the memory of one session training.

Starts ``streamlit run streamlit_app.py`` on a free port and measures, for the shipped catalog and for a
catalog of its first model alone (``LSTM_POEM_PRETRAINED_DIR``), taking turns ``--rounds`` times so a
changing load on a shared machine hits both alike:

- seconds from starting the server process to ``/_stcore/health`` answering;
- seconds from starting it to the first page drawn in Chromium (the title visible; the browser was
  started before the server, as a student's is open when the app wakes), the same from the first
  visit (the page asked for, once the server answers), and to the start page's three live poems;
- seconds from opening the Generate page (right after the first page) until its first poems appear;

then, once with every model (unless ``--cold-only``), the server's resident memory while one session
trains the Balanced preset on the default sample corpus to the end, sampled every 0.5 s, and its peak
(VmHWM) at the end.

Usage (from the repo root; needs Debian's chromium and Playwright)::

    python bench/app_footprint.py [--rounds 3] [--cold-only] [--json footprint.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.served_app import CHROMIUM, CHROMIUM_ARGS, memory_mb, served_app
from lstm_poem.files.pretrained import PRETRAINED_DIR


def one_model_catalog(folder: Path) -> Path:
    """A pretrained folder in ``folder`` listing only the shipped catalog's first model (the Generate default)."""
    catalog = json.loads((PRETRAINED_DIR / "catalog.json").read_text(encoding="utf-8"))
    first = catalog["models"][0]
    (folder / first["file"]).symlink_to(PRETRAINED_DIR / first["file"])
    (folder / "catalog.json").write_text(json.dumps({**catalog, "models": [first]}), encoding="utf-8")
    return folder


def cold_start(playwright, env: dict[str, str], train: bool) -> dict[str, float]:
    """One fresh server's start-up figures (and, with ``train``, its memory while a session trains)."""
    figures: dict[str, float] = {}
    # The browser is open before the server starts, as a student's is when the app wakes: its own start
    # is not the server's.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    started = time.monotonic()
    with served_app(env) as app:
        figures["health_s"] = time.monotonic() - started
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(900_000)  # a busy shared machine: minutes
        visited = time.monotonic()
        page.goto(app.url)
        page.get_by_text("lstm-poem").first.wait_for()
        figures["first_page_s"] = time.monotonic() - started
        figures["first_page_from_visit_s"] = time.monotonic() - visited
        page.get_by_text("One seed line, three temperatures").wait_for()  # the start page's live poems
        figures["start_page_poems_s"] = time.monotonic() - started
        figures["idle_mb"] = app.memory_mb()

        opened = time.monotonic()
        page.goto(f"{app.url}/generate")
        page.get_by_text(re.compile(r"^3 poems in ")).wait_for()
        figures["first_poems_s"] = time.monotonic() - opened
        if train:
            figures |= _training_memory(app, page)
        browser.close()
    return figures


def _training_memory(app, page) -> dict[str, float]:
    page.goto(f"{app.url}/train")
    page.get_by_text("distinct characters").first.wait_for()
    page.get_by_text("Balanced", exact=True).click()
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(memory_mb(app.pid, "VmRSS"))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    training = time.monotonic()
    page.get_by_role("button", name="Train").click()
    sampler.start()
    page.get_by_text(re.compile("weights of (the best )?epoch")).first.wait_for()
    done.set()
    sampler.join()
    return {
        "training_s": time.monotonic() - training,
        "training_max_rss_mb": max(samples),
        "server_peak_mb": app.memory_mb("VmHWM"),
    }


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold starts of each catalog, taking turns")
    parser.add_argument("--cold-only", action="store_true", help="skip the training's memory")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    models = len(json.loads((PRETRAINED_DIR / "catalog.json").read_text(encoding="utf-8"))["models"])
    runs: dict[str, list[dict[str, float]]] = {f"{models} models": [], "1 model": []}
    with tempfile.TemporaryDirectory(prefix="lstm-poem-one-model-") as folder, sync_playwright() as playwright:
        catalogs = {
            f"{models} models": {},
            "1 model": {"LSTM_POEM_PRETRAINED_DIR": str(one_model_catalog(Path(folder)))},
        }
        for round_number in range(args.rounds):
            for name, env in catalogs.items():
                train = not args.cold_only and round_number == 0 and name != "1 model"
                runs[name].append(cold_start(playwright, env, train))
    report: dict[str, dict[str, float]] = {}
    for name, figures in runs.items():
        keys = figures[0].keys()
        report[name] = {key: round(statistics.median(f[key] for f in figures if key in f), 2) for key in keys}
        report[name]["rounds"] = len(figures)
    everything, one = report[f"{models} models"], report["1 model"]
    report["extra seconds with every model"] = {
        key: round(everything[key] - one[key], 2)
        for key in ("health_s", "first_page_s", "first_page_from_visit_s", "start_page_poems_s", "first_poems_s")
    }
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
