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
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.1)
        if server.poll() is not None:
            raise RuntimeError("the server exited")
    raise RuntimeError("the server did not become healthy")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    figures: dict[str, float] = {}
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(url, server)
            figures["health_s"] = time.monotonic() - started
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(300_000)
                page.goto(url)
                page.get_by_text("lstm-poem").first.wait_for()
                figures["first_page_s"] = time.monotonic() - started
                figures["idle_mb"] = memory_mb(server.pid, "VmRSS")

                opened = time.monotonic()
                page.goto(f"{url}/generate")
                page.get_by_text(re.compile(r"^3 poems in ")).wait_for()
                figures["first_poems_s"] = time.monotonic() - opened

                page.goto(f"{url}/train")
                page.get_by_text("distinct characters").first.wait_for()
                page.get_by_text("Balanced", exact=True).click()
                samples: list[float] = []
                done = threading.Event()

                def sample() -> None:
                    while not done.is_set():
                        samples.append(memory_mb(server.pid, "VmRSS"))
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
                figures["server_peak_mb"] = memory_mb(server.pid, "VmHWM")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    rounded = {key: round(value, 1) for key, value in figures.items()}
    print(json.dumps(rounded, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(rounded, indent=1))


if __name__ == "__main__":
    main()
