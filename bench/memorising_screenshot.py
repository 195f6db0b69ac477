"""The pictures of memorising: a small text trained long on the Train page, then its poems, in a browser.

Does what the lesson step asks of a teacher: pastes the first 5 KB of the
project's ballads, chooses Custom with the engine's default network (256 units,
window 100), 200 epochs, patience 200, learning-rate patience 0 and the last
epoch's weights kept, trains, and photographs the chart under the finished run
(``docs/screenshot-train-copied.png``). Then it writes with that model on
Generate, turns the last column down to T = 0.2, and photographs the copied
stretches (``docs/screenshot-generate-copied.png``). Takes a few minutes on two cores.

Usage (from the repo root)::

    nice -n 5 python bench/memorising_screenshot.py [--out docs/screenshot-train-copied.png]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bench.memorising import small_corpus
from bench.served_app import served_app

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
SETTINGS = {  # label on the Train page -> value
    "Units per layer": 256,
    "Embedding size": 64,
    "Window (tokens)": 100,
    "Max epochs": 200,
    "Patience": 200,
    "Learning-rate patience": 0,
    "Time limit (s)": 900,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot-train-copied.png")
    parser.add_argument("--generate-out", type=Path, default=ROOT / "docs" / "screenshot-generate-copied.png")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with served_app() as app, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1700}, base_url=app.url)
        page.set_default_timeout(120_000)
        page.goto("/train")
        page.get_by_text("Paste text").click()
        page.get_by_role("textbox", name="Paste or type verse").fill(small_corpus())
        page.get_by_role("textbox", name="Paste or type verse").press("Control+Enter")
        page.get_by_text("Custom", exact=True).click()
        for label, value in SETTINGS.items():
            box = page.get_by_role("spinbutton", name=label, exact=True)
            box.fill(str(value))
            box.press("Enter")
            page.wait_for_timeout(500)
        page.locator("[data-testid=stSelectbox]").filter(has_text="Weights kept").click()
        page.get_by_role("option", name="last").click()
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_text("Is it learning, or memorising?").wait_for(timeout=900_000)
        page.wait_for_timeout(2000)
        page.get_by_text("Is it learning, or memorising?").scroll_into_view_if_needed()
        page.screenshot(path=str(args.out))
        page.get_by_role("button", name="Write poems with it").click()
        page.get_by_text("T = 1.5").first.wait_for()
        temperature = page.get_by_role("slider").last  # the last column's, at 1.5
        temperature.focus()
        for _ in range(26):  # 0.05 a press, down to 0.2
            temperature.press("ArrowLeft")
        page.get_by_text("T = 0.2", exact=True).wait_for()
        page.get_by_text(re.compile(r"copied: \d+% of this poem")).nth(2).wait_for()
        page.wait_for_timeout(3000)
        page.screenshot(path=str(args.generate_out))
        browser.close()
    print(f"wrote {args.out} and {args.generate_out}")


if __name__ == "__main__":
    main()
