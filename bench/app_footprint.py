"""The app's cold start and the memory of one session training the Balanced preset, in a real browser.

Starts ``streamlit run streamlit_app.py`` on a free port and measures:

- seconds from starting the server process to ``/_stcore/health`` answering;
- seconds from starting it to the first page drawn in Chromium (the title visible);
- seconds until the Generate page's first poems appear (TensorFlow starts then);
- the server's resident memory while one session trains the Balanced preset on
  the default sample corpus to the end, sampled every 0.5 s, and its peak
  (VmHWM) at the end.

Usage (from the repo root; needs Debian's chromium and Playwright)::

    python bench/app_footprint.py [--json footprint.json]
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from pathlib import Path

from bench.served_app import CHROMIUM, CHROMIUM_ARGS, memory_mb, served_app


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    started = time.monotonic()
    with served_app() as app:
        figures["health_s"] = time.monotonic() - started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(300_000)
            page.goto(app.url)
            page.get_by_text("lstm-poem").first.wait_for()
            figures["first_page_s"] = time.monotonic() - started
            figures["idle_mb"] = app.memory_mb()

            opened = time.monotonic()
            page.goto(f"{app.url}/generate")
            page.get_by_text(re.compile(r"^3 poems in ")).wait_for()
            figures["first_poems_s"] = time.monotonic() - opened

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
            figures["training_s"] = time.monotonic() - training
            figures["training_max_rss_mb"] = max(samples)
            figures["server_peak_mb"] = app.memory_mb("VmHWM")
            browser.close()
    rounded = {key: round(value, 1) for key, value in figures.items()}
    print(json.dumps(rounded, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(rounded, indent=1))


if __name__ == "__main__":
    main()
