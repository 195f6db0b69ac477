"""A class at once: many students on one server, measured the way a lesson uses it.

Starts ``streamlit run streamlit_app.py`` on 127.0.0.1 and drives every student
as a separate Chromium context (its own Streamlit session), all at once:

1. cold start: the first student opens Generate (TensorFlow starts);
2. one student alone trains the Quick demo on the default sample corpus: the
   baseline for the trainings below, in the same run on the same machine;
3. ``--burst`` students open Generate at once: time to first poems per student
   and the server's CPU seconds for the burst (browsers share the machine, so
   the server's own work is read from /proc apart from theirs);
4. a class: ``--students`` open Generate, ``--trainers`` of them press Train on
   the Quick demo at once (each a training of its own: the server is started
   with identical trainings not shared), and the others move a temperature slider every few
   seconds while the trainings run (slider-to-new-poem time); ``--rounds``
   classes one after another, with the server's memory after each.

The browsers run at a lower CPU priority (``--browser-nice``, default 10):
they stand in for the students' own computers, so rendering eight pages on
this machine takes only the CPU the server leaves. It prints a JSON report;
``--json FILE`` writes it too. Needs Debian's chromium and Playwright. Usage::

    python bench/class_load.py [--students 8] [--trainers 2] [--burst 12]
    python bench/class_load.py --class-of 30 [--join-seconds 60] [--server-cpus 0.5]   # a whole class (whole_class.py)
    python bench/class_load.py --hostile [--tabs 10]   # what the budgets refuse one client (bench/hostile_client.py)
    python bench/class_load.py --two-classes 15 [--join-seconds 60] [--tabs 10]   # two classes and a hostile client
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import students as browser_students
from bench.cgroups import BROWSERS_CPU, browsers_cpu_group
from bench.served_app import CHROMIUM_ARGS, CLOCK_TICKS, ServedApp, niced_chromium, served_app  # noqa: E402

# After a class, wait longer than the server's collection interval (ui/memory.py) before reading its memory.
COLLECT_WAIT_SECONDS = 65
# This mode measures trainings running side by side, so every press of Train must be a training of its own:
# with the server's default, identical ones would be one shared training (the --class-of mode measures that).
SEPARATE_TRAININGS = {"LSTM_POEM_SHARE_IDENTICAL_TRAININGS": "0"}


@dataclass
class TrainingOutcome:
    epochs: int
    best_val_loss: float
    seconds: float  # from pressing Train to the outcome shown
    stopped_by: str  # "early stopping" | "time limit" | "other", as the page said

    def kept_up_with(self, alone: TrainingOutcome, share: float = 0.8) -> bool:
        """Ran at least ``share`` of the epochs of the training alone, or ended by early stopping
        before that (its own schedule, not a lack of time: trainings at once are not bit-identical)."""
        return self.epochs >= share * alone.epochs or self.stopped_by == "early stopping"


async def train_quick_demo(page) -> TrainingOutcome:
    """Open Train, press Train with the defaults (the Quick demo on the first sample corpus), wait for the end."""
    await page.goto("/train")
    await page.get_by_text("distinct characters").first.wait_for()
    started = time.monotonic()
    await page.get_by_role("button", name="Train").click()
    outcome = page.get_by_text(browser_students.TRAINING_OVER).first
    await outcome.wait_for(timeout=browser_students.TIMEOUT_MS)
    seconds = time.monotonic() - started
    said = await outcome.inner_text()
    stopped_by = next((reason for reason in browser_students.STOP_REASONS if reason in said.lower()), "other")
    progress = await page.get_by_text(browser_students.FINISHED).first.inner_text()
    metric = page.get_by_test_id("stMetric").filter(has_text="Best held-out loss")
    loss = await metric.get_by_test_id("stMetricValue").inner_text()
    return TrainingOutcome(int(browser_students.FINISHED.search(progress).group(1)), float(loss), seconds, stopped_by)


async def train_at_once(browser, app: ServedApp, trainers: int) -> list[TrainingOutcome]:
    """``trainers`` students press Train together; their pages poll the runs as a class's would."""
    pages = [await browser_students.new_student(browser, app) for _ in range(trainers)]
    try:
        return list(await asyncio.gather(*(train_quick_demo(page) for page in pages)))
    finally:
        for page in pages:
            await page.context.close()


async def keep_moving_sliders(page, until: asyncio.Event, times: list[float]) -> None:
    while not until.is_set():
        times.append(await browser_students.move_slider(page))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until.wait(), browser_students.SLIDER_PAUSE_SECONDS)


def machine_cpu_seconds() -> float:
    """CPU seconds every process on the machine has used so far (from /proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def summary(seconds: list[float]) -> dict[str, float]:
    return {"median_s": round(statistics.median(seconds), 2), "worst_s": round(max(seconds), 2), "n": len(seconds)}


async def burst(browser, app: ServedApp, students: int) -> dict:
    """``students`` open Generate at the same moment."""
    pages = [await browser_students.new_student(browser, app) for _ in range(students)]
    cpu = app.cpu_seconds()
    times = await asyncio.gather(*(browser_students.open_generate(page) for page in pages))
    server = app.cpu_seconds() - cpu
    for page in pages:
        await page.context.close()
    return {
        "students": students,
        "first_poems": summary(times),
        "server_cpu_s": round(server, 2),
        "server_cpu_s_per_page_load": round(server / students, 3),
    }


async def lesson(browser, app: ServedApp, students: int, trainers: int) -> dict:
    """A class on the pages: everyone opens Generate, some train, the rest keep moving sliders meanwhile."""
    pages = [await browser_students.new_student(browser, app) for _ in range(students)]
    opened = await asyncio.gather(*(browser_students.open_generate(page) for page in pages))
    done = asyncio.Event()
    slider_times: list[float] = []
    server_cpu, machine = app.cpu_seconds(), machine_cpu_seconds()
    started = time.monotonic()
    movers = [asyncio.create_task(keep_moving_sliders(page, done, slider_times)) for page in pages[trainers:]]
    outcomes = await asyncio.gather(*(train_quick_demo(page) for page in pages[:trainers]))
    done.set()
    await asyncio.gather(*movers)
    seconds = time.monotonic() - started
    busy = {
        "server_cores": round((app.cpu_seconds() - server_cpu) / seconds, 2),
        "machine_cores": round((machine_cpu_seconds() - machine) / seconds, 2),
    }
    for page in pages:
        await page.context.close()
    return {
        "students": students,
        "trainers": trainers,
        "first_poems": summary(opened),
        "trainings": [asdict(outcome) for outcome in outcomes],
        "slider_to_poem_while_training": summary(slider_times) if slider_times else None,
        "cpu_while_training": busy,
    }


async def run(
    students: int, trainers: int, burst_size: int, rounds: int, post_script_gc: bool, browser_nice: int
) -> dict:
    from playwright.async_api import async_playwright

    report: dict = {"streamlit_post_script_gc": post_script_gc, "browser_nice": browser_nice}
    # The environment overrides .streamlit/config.toml, so the old behaviour can be measured beside the new.
    with (
        served_app(SEPARATE_TRAININGS | {"STREAMLIT_RUNNER_POST_SCRIPT_GC": str(post_script_gc).lower()}) as app,
        contextlib.ExitStack() as stack,
    ):
        browsers_group = browsers_cpu_group(stack)
        report["browsers_cpu_shares"] = BROWSERS_CPU[1] if browsers_group else None
        async with async_playwright() as playwright:
            launcher = niced_chromium(app.log.parent, browser_nice, browsers_group)
            browser = await playwright.chromium.launch(executable_path=launcher, args=CHROMIUM_ARGS)
            first = await browser_students.new_student(browser, app)
            report["cold_first_poems_s"] = round(await browser_students.open_generate(first), 2)
            report["slider_to_poem_alone_s"] = round(await browser_students.move_slider(first), 2)
            await first.context.close()
            (alone,) = await train_at_once(browser, app, 1)
            report["training_alone"] = asdict(alone)
            report["burst"] = await burst(browser, app, burst_size)
            report["classes"] = []
            for _ in range(rounds):  # a lesson after a lesson: memory must come back each time
                lesson_report = await lesson(browser, app, students, trainers)
                await asyncio.sleep(COLLECT_WAIT_SECONDS)  # the server's periodic collection runs in this time
                visitor = await browser_students.new_student(browser, app)  # one script run, which applies the policy
                await visitor.goto("/")
                await visitor.get_by_text("lstm-poem").first.wait_for()
                await visitor.context.close()
                lesson_report["server_rss_after_mb"] = round(app.memory_mb("VmRSS"), 1)
                trainings = lesson_report["trainings"]
                lesson_report["epochs_vs_alone"] = [round(t["epochs"] / alone.epochs, 2) for t in trainings]
                lesson_report["kept_up_with_alone"] = [TrainingOutcome(**t).kept_up_with(alone) for t in trainings]
                lesson_report["loss_minus_alone"] = [
                    round(t["best_val_loss"] - alone.best_val_loss, 3) for t in trainings
                ]
                report["classes"].append(lesson_report)
            await browser.close()
        report["server_peak_mb"] = round(app.memory_mb("VmHWM"), 1)
    return report


async def run_hostile(tabs: int, browser_nice: int) -> dict:
    """A fresh server and one hostile client (bench/hostile_client.py); its report, with the server's memory."""
    from playwright.async_api import async_playwright

    from bench.hostile_client import hostile_client
    from lstm_poem import limits

    with served_app({}) as app, contextlib.ExitStack() as stack:
        async with async_playwright() as playwright:
            launcher = niced_chromium(app.log.parent, browser_nice, browsers_cpu_group(stack))
            browser = await playwright.chromium.launch(executable_path=launcher, args=CHROMIUM_ARGS)
            report = await hostile_client(browser, app, tabs, limits.MAX_SESSION_MODELS + 1)
            await browser.close()
        report["server_peak_mb"] = round(app.memory_mb("VmHWM"), 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=8, help="students on the pages in the class phase")
    parser.add_argument("--trainers", type=int, default=2, help="of them, how many press Train at once")
    parser.add_argument("--burst", type=int, default=12, help="students opening Generate at the same moment")
    parser.add_argument("--rounds", type=int, default=1, help="classes one after another (memory after each)")
    parser.add_argument(
        "--post-script-gc", action="store_true", help="Streamlit's full collection after every run, as before"
    )
    parser.add_argument(
        "--browser-nice", type=int, default=10, help="niceness of the browsers (0: as urgent as the server)"
    )
    parser.add_argument(
        "--class-of", type=int, metavar="N", help="instead: a whole class of N pressing Train (bench/whole_class.py)"
    )
    parser.add_argument("--join-seconds", type=float, default=60, help="with --class-of: how long the class joins")
    parser.add_argument(
        "--no-baseline", action="store_true", help="with --class-of: skip training each choice alone first"
    )
    parser.add_argument(
        "--phases", nargs="+", default=["identical", "mixed"], choices=["identical", "mixed"], help="with --class-of"
    )
    parser.add_argument("--alone-from", help="with --class-of: reuse the alone losses of an earlier report")
    parser.add_argument("--hostile", action="store_true", help="instead: one hostile client (bench/hostile_client.py)")
    parser.add_argument("--tabs", type=int, default=10, help="with --hostile or --two-classes: the hostile tabs")
    parser.add_argument(
        "--two-classes",
        type=int,
        metavar="N",
        help="instead: two classes of N, alone and then together beside the hostile client (bench/two_classes.py)",
    )
    parser.add_argument(
        "--server-cpus", type=float, help="with --class-of: cap the server at this many cores (e.g. 1 or 0.5)"
    )
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args()
    if args.hostile:
        report = asyncio.run(run_hostile(args.tabs, args.browser_nice))
    elif args.two_classes:
        from bench.two_classes import run_two_classes

        report = asyncio.run(run_two_classes(args.two_classes, args.join_seconds, args.browser_nice, args.tabs))
    elif args.class_of:
        from bench.whole_class import run_class

        alone_from = json.loads(Path(args.alone_from).read_text())["alone"] if args.alone_from else None
        report = asyncio.run(
            run_class(
                args.class_of,
                args.join_seconds,
                args.browser_nice,
                not args.no_baseline,
                tuple(args.phases),
                alone_from,
                args.server_cpus,
            )
        )
    else:
        report = asyncio.run(
            run(args.students, args.trainers, args.burst, args.rounds, args.post_script_gc, args.browser_nice)
        )
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
