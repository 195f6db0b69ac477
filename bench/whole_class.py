"""A class of thirty on one server: ``python bench/class_load.py --class-of 30`` runs this.

Each of the two phases starts a fresh server (a cold start, timed in Chromium
from the server process's first instruction), with only the server inside a
2.7 GB memory cgroup where root can make one (Community Cloud's ceiling):

1. **identical**: every student presses Train on the defaults (the Quick demo on
   the first sample corpus), joining within ``--join-seconds``;
2. **mixed**: half keep the defaults, the rest choose other sample corpora or
   the Balanced preset, and two upload a small text of their own. Students
   whose training has ended go to Generate and move a temperature slider every
   few seconds while the rest of the class trains.

Every student first opens Generate and moves a slider, then goes to Train. A
teacher's page shows the Class board throughout. Reported: seconds from the
last press of Train to the last training ended, each student's wait, whether
each training learned (held-out loss within 0.05 of the same training run alone
in this process beforehand), slider-to-poem while the class trains, pages that
showed an exception, the server's cgroup peak and failcnt, and what the class
board costs the server per poll with thirty pages on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.cgroups import (
    BROWSERS_CPU,
    CPU_ROOT,
    MemoryCgroup,
    browsers_cpu_group,
    cpu_limit_cgroup,
    memory_cgroup,
    unavailable,
)
from bench.served_app import CHROMIUM_ARGS, ServedApp, niced_chromium, served_app
from bench.students import (
    FINISHED,
    SLIDER_PAUSE_SECONDS,
    STOP_REASONS,
    TIMEOUT_MS,
    TRAINING_OVER,
    move_slider,
    new_student,
    open_generate,
)
from lstm_poem.text.corpus import catalog, corpus_from_text
from lstm_poem.training.presets import PRESETS

COMMUNITY_CLOUD_BYTES = int(2.7 * 2**30)
LEARNED_WITHIN = 0.05  # nats per token of the same training alone
BOARD_SECONDS = 30.0  # how long thirty pages sit on the class board for its cost
SUMMARY_TIMEOUT_MS = 90_000  # the summary follows the outcome by one page run
SIDEBAR_LOSS = re.compile(r"Best held-out loss: ([\d.]+)")
SLIDER_TIMEOUT_MS = 60_000  # a slider move with no new poem by then is counted, not waited for
DEFAULT_PRESET = next(iter(PRESETS))
PHASES = ("identical", "mixed")


@dataclass(frozen=True)
class Choice:
    """What one student trains: a sample corpus (by catalog name) or an uploaded text, and a preset."""

    corpus: str
    preset: str = DEFAULT_PRESET
    upload: str | None = None  # the text a student uploads as ``corpus``.txt instead of a sample

    @property
    def label(self) -> str:
        return f"{self.corpus} · {self.preset}"


def own_verse(seed: int) -> str:
    """A small text of a student's own: stanzas of the project's sample verse in an order of their own."""
    stanzas = [s for entry in catalog() for s in entry.load().text.split("\n\n") if s.strip()]
    chosen = stanzas[seed::7][:60]
    return "\n\n".join(chosen) + "\n"


def mixed_class(students: int) -> list[Choice]:
    """Half the defaults, two uploads, the rest other sample corpora and some the Balanced preset."""
    names = [entry.name for entry in catalog()]
    default = Choice(names[0])
    others = [Choice(name) for name in names[1:]] + [Choice(names[0], "Balanced"), Choice(names[1], "Balanced")]
    uploads = [Choice(f"my_poems_{n}", upload=own_verse(n)) for n in (1, 2)]
    rest = students - students // 2 - len(uploads)
    return [default] * (students // 2) + [others[i % len(others)] for i in range(rest)] + uploads


@dataclass
class StudentResult:
    choice: str
    pressed: float  # monotonic time of the press of Train
    ended: float  # … and of the outcome shown on the page
    epochs: int
    best_val_loss: float
    stopped_by: str
    first_poems_s: float
    exceptions: int  # exceptions the page showed by the end of its training
    problem: str  # what went wrong on the page, if anything


async def choose(page, choice: Choice, folder: Path) -> None:
    """Set the Train page to ``choice`` as a student would, with clicks."""
    if choice.upload is not None:
        await page.get_by_text("Upload a .txt file").click()
        file = folder / f"{choice.corpus}.txt"
        file.write_text(choice.upload, encoding="utf-8")
        await page.locator("input[type=file]").set_input_files(str(file))
        # The sample corpus's description is on the page already: wait for the upload's own (its short-text
        # warning gives its length), or Train would be pressed while the upload's rerun is still running.
        n_chars = corpus_from_text(choice.upload).n_chars
        await page.get_by_text(f"This text is short ({n_chars:,} characters)").wait_for()
    elif choice.corpus != catalog()[0].name:
        entry = next(entry for entry in catalog() if entry.name == choice.corpus)
        await page.locator("[data-testid=stSelectbox]").filter(has_text="Sample corpus").first.click()
        await page.get_by_role("option", name=f"{entry.title} ({entry.form})").click()
        await page.get_by_text(entry.description[:40]).first.wait_for()
    if choice.preset != DEFAULT_PRESET:
        await page.get_by_text(choice.preset, exact=True).click()
        await page.get_by_text(PRESETS[choice.preset].description[:40]).first.wait_for()


@dataclass
class Classroom:
    """What the students of one phase share: where uploads are written, the results so far, slider times."""

    folder: Path
    students: int
    over: asyncio.Event
    results: list[StudentResult]
    slider_times: list[float]  # while the class trains, after a student's own training ended
    slider_timeouts: int = 0  # moves after which no new poem came within SLIDER_TIMEOUT_MS
    code: str = ""  # the class the teacher started: its students join it by its link

    async def move_slider(self, page, during: bool) -> None:
        try:
            seconds = await move_slider(page, SLIDER_TIMEOUT_MS)
        except PlaywrightTimeout:
            self.slider_timeouts += 1
            if self.slider_timeouts == 1:
                await page.screenshot(path=str(self.folder.parent / "slider-timeout.png"), full_page=True)
            return
        if during:
            self.slider_times.append(seconds)

    def ended(self, result: StudentResult) -> None:
        self.results.append(result)
        if len(self.results) == self.students:
            self.over.set()


async def student(browser, app: ServedApp, choice: Choice, delay: float, room: Classroom) -> None:
    await asyncio.sleep(delay)
    page = await new_student(browser, app)
    first_poems = await open_generate(page)
    await room.move_slider(page, during=False)
    await page.goto(f"/train?class={room.code}")
    await page.get_by_text("distinct characters").first.wait_for()
    await choose(page, choice, room.folder)
    pressed = time.monotonic()
    await page.get_by_role("button", name="Train").click()
    outcome = page.get_by_text(TRAINING_OVER).first
    await outcome.wait_for(timeout=TIMEOUT_MS)
    ended = time.monotonic()
    said = (await outcome.inner_text()).lower()
    try:
        progress = await page.get_by_text(FINISHED).first.inner_text(timeout=SUMMARY_TIMEOUT_MS)
        metric = page.get_by_test_id("stMetric").filter(has_text="Best held-out loss")
        loss = float(await metric.get_by_test_id("stMetricValue").inner_text(timeout=SUMMARY_TIMEOUT_MS))
        epochs, problem = int(FINISHED.search(progress).group(1)), ""
    except PlaywrightTimeout:  # a starved browser had not drawn the summary yet: the sidebar has the loss
        shot = room.folder.parent / f"no-summary-{choice.corpus}-{int(pressed)}.png"
        await page.screenshot(path=str(shot))
        sidebar = await page.get_by_test_id("stSidebar").inner_text()
        found = SIDEBAR_LOSS.search(sidebar)
        loss = float(found.group(1)) if found else math.nan
        epochs, problem = 0, f"the page had not drawn its summary within 90 s (loss from the sidebar): {shot}"
    stopped_by = next((reason for reason in STOP_REASONS if reason in said), "other")
    if stopped_by == "other":  # stopped by hand, abandoned or every epoch run: keep what the page said
        problem = f"{problem}; ended: {said[:200]}".lstrip("; ")
    room.ended(
        StudentResult(
            choice.label,
            pressed,
            ended,
            epochs,
            loss,
            stopped_by,
            first_poems,
            await page.get_by_test_id("stException").count(),
            problem,
        )
    )
    # Done: write poems while the rest of the class trains.
    await open_generate(page)
    while not room.over.is_set():
        await room.move_slider(page, during=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(room.over.wait(), SLIDER_PAUSE_SECONDS)
    await page.context.close()


async def cold_start(browser, started: float, app: ServedApp) -> tuple[dict, object]:
    """The first visitor after the server starts: seconds to the lesson's text, then to its poems."""
    page = await new_student(browser, app)
    await page.goto("/")
    await page.get_by_text("A 45-minute lesson").first.wait_for()
    text = time.monotonic() - started
    await page.get_by_text("plays safe").first.wait_for()
    return {"first_page_text_s": round(text, 2), "first_page_poems_s": round(time.monotonic() - started, 2)}, page


async def board_cost(browser, app: ServedApp, pages: int, code: str) -> dict:
    """Server CPU seconds per poll of the board of class ``code`` with ``pages`` students on it."""
    opened = [await new_student(browser, app) for _ in range(pages)]
    for page in opened:
        await page.goto(f"/class_board?class={code}")
    for page in opened:
        await page.get_by_text("Your class's trainings").first.wait_for()
    await asyncio.sleep(5)  # every page is polling now
    cpu = app.cpu_seconds()
    await asyncio.sleep(BOARD_SECONDS)
    used = app.cpu_seconds() - cpu
    polls = pages * BOARD_SECONDS / 2.0  # ui/class_board.BOARD_POLL_SECONDS
    for page in opened:
        await page.context.close()
    return {
        "pages": pages,
        "seconds": BOARD_SECONDS,
        "server_cpu_s": round(used, 2),
        "server_cpu_ms_per_poll": round(1000 * used / polls, 2),
    }


def alone(choices: list[Choice]) -> dict[str, float]:
    """Best held-out loss of each distinct training run alone, in this process, before any server starts."""
    from lstm_poem import limits
    from lstm_poem.training.train import train

    limits.set_tensorflow_defaults()
    losses = {}
    for choice in dict.fromkeys(choices):
        text = choice.upload or next(e for e in catalog() if e.name == choice.corpus).load().text
        preset = PRESETS[choice.preset]
        result = train(corpus_from_text(text, name=choice.corpus), preset.model, preset.training)
        losses[choice.label] = result.best_val_loss
        print(f"alone: {choice.label}: {result.best_val_loss:.4f} in {result.seconds:.1f} s", flush=True)
    return losses


def waits(results: list[StudentResult]) -> dict:
    last_press = max(r.pressed for r in results)
    each = sorted(round(r.ended - r.pressed, 1) for r in results)
    return {
        "last_press_to_last_end_s": round(max(r.ended for r in results) - last_press, 1),
        "wait_median_s": statistics.median(each),
        "wait_worst_s": each[-1],
        "waits_s": each,
    }


async def start_class(teacher) -> str:
    """The teacher presses Start a class on the start page, then puts the Class board on the projector (polling all
    along); the class's code."""
    await teacher.get_by_role("button", name="Start a class").click()
    code = (await teacher.locator(".class-code").inner_text()).strip()
    nav = teacher.get_by_test_id("stSidebarNavItems")
    await nav.get_by_role("link", name="Class board", exact=True).click()
    return code


async def teach(browser, app: ServedApp, choices: list[Choice], join_seconds: float, folder: Path, code: str):
    """The students of class ``code`` join within ``join_seconds``, train and write; their :class:`Classroom`."""
    room = Classroom(folder, len(choices), asyncio.Event(), [], [], code=code)
    spacing = join_seconds / max(len(choices) - 1, 1)
    try:
        await asyncio.gather(*(student(browser, app, c, i * spacing, room) for i, c in enumerate(choices)))
    except BaseException:  # keep what the server said: its folder goes with it
        kept_log = Path(tempfile.gettempdir()) / f"class-server-{int(time.time())}.log"
        shutil.copyfile(app.log, kept_log)
        print(f"the server's log is kept in {kept_log}", flush=True)
        raise
    return room


def summary(room: Classroom, baseline: dict[str, float] | None) -> dict:
    """Waits, first poems, slider times, each training's losses (and whether it learned), what went wrong."""
    results, during = room.results, room.slider_times
    report = waits(results)
    report["students"] = len(results)
    report["first_poems"] = {
        "median_s": round(statistics.median(r.first_poems_s for r in results), 2),
        "worst_s": round(max(r.first_poems_s for r in results), 2),
    }
    report["slider_to_poem_while_class_trains"] = (
        {"median_s": round(statistics.median(during), 2), "worst_s": round(max(during), 2), "n": len(during)}
        if during
        else None
    )
    report["trainings"] = {}
    for result in results:
        row = report["trainings"].setdefault(result.choice, {"students": 0, "losses": [], "stopped_by": []})
        row["students"] += 1
        row["losses"].append(result.best_val_loss)
        row["stopped_by"].append(result.stopped_by)
    for label, row in report["trainings"].items():
        row["losses"] = sorted(set(row["losses"]))
        row["stopped_by"] = sorted(set(row["stopped_by"]))
        if baseline is not None:
            row["alone"] = round(baseline[label], 3)
            row["learned"] = all(abs(loss - baseline[label]) <= LEARNED_WITHIN for loss in row["losses"])
    report["exceptions_shown"] = sum(r.exceptions for r in results)
    report["problems"] = [r.problem for r in results if r.problem]
    report["slider_timeouts"] = room.slider_timeouts
    return report


def cgroup_report(group: MemoryCgroup | None) -> dict | None:
    if group is None:
        return None
    return {"limit_mb": round(group.limit_mb()), "peak_mb": round(group.peak_mb(), 1), "failcnt": group.failcnt()}


def server_cgroups(group: MemoryCgroup | None, cpu_procs: Path | None) -> dict:
    """:func:`served_app`'s arguments that start the server inside ``group`` (and the CPU group ``cpu_procs``)."""
    return {"cgroup_procs": group.procs if group else None, "more_cgroup_procs": (cpu_procs,) if cpu_procs else ()}


async def one_phase(
    browser,
    choices: list[Choice],
    join_seconds: float,
    group: MemoryCgroup | None,
    baseline: dict[str, float] | None,
    cpu_procs: Path | None = None,
) -> dict:
    started = time.monotonic()
    with served_app(**server_cgroups(group, cpu_procs)) as app, tempfile.TemporaryDirectory() as folder:
        report, teacher = await cold_start(browser, started, app)
        code = await start_class(teacher)
        room = await teach(browser, app, choices, join_seconds, Path(folder), code)
        report |= summary(room, baseline)
        report["exceptions_on_the_board"] = await teacher.get_by_test_id("stException").count()
        report["board"] = await board_cost(browser, app, len(choices), code)
        report["server_log_tracebacks"] = app.log.read_text().count("Traceback")
        if group is not None:
            report["cgroup"] = cgroup_report(group)
        report["last_press_at_s"] = round(max(r.pressed for r in room.results) - started, 1)
        await teacher.context.close()
    return report


async def run_class(
    students: int,
    join_seconds: float,
    browser_nice: int,
    baseline: bool,
    phases: tuple[str, ...] = PHASES,
    alone_from: dict[str, float] | None = None,
    server_cpus: float | None = None,
) -> dict:
    """``alone_from``: the alone losses of an earlier report of this machine and commit (the same seeds
    train the same models), instead of training them again. ``server_cpus``: cap the server at this many
    cores (a CPU cgroup beside its memory group; Community Cloud gives a fraction of a core to two)."""
    from playwright.async_api import async_playwright

    mixed = mixed_class(students)
    report: dict = {"students": students, "join_seconds": join_seconds, "mixed_choices": [c.label for c in mixed]}
    losses = alone_from or (alone(mixed) if baseline else None)
    report["alone"] = losses
    why_not = unavailable() or (unavailable(CPU_ROOT) if server_cpus else None)
    report["cgroup_unavailable"] = why_not
    report["server_cpus"] = server_cpus if why_not is None else None
    async with async_playwright() as playwright, contextlib.AsyncExitStack() as stack:
        # The students' computers: a small CPU share where a group can be made, a high niceness anyway.
        browsers_group = browsers_cpu_group(stack)
        report["browsers_cpu_shares"] = BROWSERS_CPU[1] if browsers_group else None
        # Started before any server, so that a cold start is timed from the server's first instruction.
        with tempfile.TemporaryDirectory() as folder:
            launcher = niced_chromium(Path(folder), browser_nice, browsers_group)
            browser = await playwright.chromium.launch(executable_path=launcher, args=CHROMIUM_ARGS)
        everyone = {"identical": [Choice(catalog()[0].name)] * students, "mixed": mixed}
        for phase, choices in ((phase, everyone[phase]) for phase in phases):
            if why_not is None:
                with contextlib.ExitStack() as groups:
                    group = groups.enter_context(memory_cgroup(f"lstm-poem-class-{phase}", COMMUNITY_CLOUD_BYTES))
                    limit = cpu_limit_cgroup(f"lstm-poem-class-{phase}-cpu", server_cpus) if server_cpus else None
                    cpu_procs = groups.enter_context(limit) if limit else None
                    report[phase] = await one_phase(browser, choices, join_seconds, group, losses, cpu_procs)
            else:
                report[phase] = await one_phase(browser, choices, join_seconds, None, losses)
            print(f"{phase}: {report[phase]}", flush=True)
        await browser.close()
    return report
