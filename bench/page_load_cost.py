"""What one student's first visit costs the server: Generate opened N times, one fresh browser after another.

Starts ``streamlit run`` on 127.0.0.1, warms it (a cold start and two visits),
then opens the Generate page ``--loads`` times in turn, each in a new browser
context (an empty cache, as a student's first visit: the app's scripts are
fetched again). Reports the median seconds to the poems and the server's CPU
seconds per visit (from /proc, apart from the browsers, which run in a small
CPU group where root can make one). With ``--profile FILE`` it also records the
server with py-spy during the visits (``-f raw``). Usage::

    python bench/page_load_cost.py [--loads 10] [--profile server.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import students
from bench.cgroups import browsers_cpu_group
from bench.served_app import CHROMIUM_ARGS, niced_chromium, served_app

WARM_VISITS = 2


async def visit(browser, app) -> float:
    page = await students.new_student(browser, app)
    seconds = await students.open_generate(page)
    await page.context.close()
    return seconds


async def run(loads: int, profile: str | None) -> dict:
    from playwright.async_api import async_playwright

    with served_app({}) as app, contextlib.ExitStack() as stack:
        group = browsers_cpu_group(stack)
        async with async_playwright() as playwright:
            with tempfile.TemporaryDirectory() as folder:
                launcher = niced_chromium(Path(folder), 10, group)
                browser = await playwright.chromium.launch(executable_path=launcher, args=CHROMIUM_ARGS)
            report = {"cold_first_poems_s": round(await visit(browser, app), 2), "loads": loads}
            for _ in range(WARM_VISITS):
                await visit(browser, app)
            spy = None
            if profile:
                py_spy = Path(sys.executable).parent / "py-spy"  # pip install py-spy, beside this Python
                spy = subprocess.Popen([py_spy, "record", "-p", str(app.process.pid), "-f", "raw", "-o", profile])
                await asyncio.sleep(1)  # py-spy attached
            cpu = app.cpu_seconds()
            seconds = [await visit(browser, app) for _ in range(loads)]
            report["server_cpu_s_per_visit"] = round((app.cpu_seconds() - cpu) / loads, 3)
            report["first_poems_median_s"] = round(statistics.median(seconds), 2)
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
                spy.wait()
            await browser.close()
    report["browsers_in_cpu_group"] = group is not None
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=10, help="visits to measure, one after another")
    parser.add_argument("--profile", help="also record the server with py-spy into this file (raw format)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.loads, args.profile)), indent=1))


if __name__ == "__main__":
    main()
