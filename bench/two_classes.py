"""Two classes and a hostile client on one server: ``python bench/class_load.py --two-classes 15`` runs this.

Issue 32's public-app benchmark. Every phase starts a fresh server, only the
server inside a 2.7 GB memory cgroup (Community Cloud's ceiling) where root can
make one, and the browsers in a small CPU group:

1. **A alone**: a teacher starts class A; its students join within
   ``--join-seconds`` and each trains the Quick demo on the first sample corpus
   (one training, shared by the class), then writes poems while the rest wait;
2. **B alone**: the same for class B on the second sample corpus (so the two
   classes' trainings are different ones, each needing a slot of its own);
3. **together**: first the hostile client of ``bench/hostile_client.py`` (10
   tabs, the largest model files it may upload, the longest trainings it may
   queue, kept running), then both classes at once.

Reported per class and phase: the longest a student of the class waited for
its Quick demo (press of Train to the outcome on the page: the first to press
waits for the whole training, later ones join it on the way), the span from
the class's first press to its last outcome (which the joining students' own
pace stretches), each training's held-out loss and
whether it learned (within 0.05 of the same class alone), the rows of its
teacher's board and whether they are all its own, exceptions shown; per phase:
the server's cgroup peak and failcnt and the tracebacks in its log; and what the
hostile client was refused. The together phase's longest wait over the alone
one's is the ratio issue 32 bounds at 1.5.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

from bench.cgroups import MemoryCgroup, browsers_cpu_group, memory_cgroup, unavailable
from bench.hostile_client import hostile_client
from bench.served_app import CHROMIUM_ARGS, ServedApp, niced_chromium, served_app
from bench.students import new_student
from bench.whole_class import (
    COMMUNITY_CLOUD_BYTES,
    Choice,
    cgroup_report,
    server_cgroups,
    start_class,
    summary,
    teach,
)
from lstm_poem.text.corpus import catalog

BOARD_COLUMNS = ("#", "verse", "network", "students", "names", "status")  # the first columns of a board row


async def board_rows(teacher) -> list[dict[str, str]]:
    """The rows of the class board on the teacher's page (the grid keeps its cells for screen readers)."""
    table = teacher.get_by_test_id("stDataFrame")
    if not await table.count():
        return []
    rows = []
    for row in await table.locator("[role=row]").all():
        cells = await row.locator("[role=gridcell]").all_inner_texts()
        if cells:
            rows.append(dict(zip(BOARD_COLUMNS, cells)))
    return rows


async def one_class(browser, app: ServedApp, name: str, choices: list[Choice], join_seconds: float, folder: Path):
    """Class ``name`` from its teacher's first page to its last training; the class's report, teacher's page kept."""
    teacher = await new_student(browser, app)
    await teacher.goto("/")
    await teacher.get_by_text("A 45-minute lesson").first.wait_for()
    code = await start_class(teacher)
    (folder / name).mkdir()
    room = await teach(browser, app, choices, join_seconds, folder / name, code)
    report = {"class": name} | summary(room, None)
    first_press = min(r.pressed for r in room.results)
    report["quick_demo_s"] = round(max(r.ended for r in room.results) - first_press, 1)
    report["board_rows"] = await board_rows(teacher)
    report["exceptions_on_the_board"] = await teacher.get_by_test_id("stException").count()
    await teacher.context.close()
    return report


async def phase(
    browser,
    classes: dict[str, list[Choice]],
    join_seconds: float,
    group: MemoryCgroup | None,
    hostile_tabs: int = 0,
    uploads_per_tab: int = 0,
) -> dict:
    """A fresh server; the hostile client first (if any), then every class in ``classes`` at once."""
    report: dict = {}
    with served_app(**server_cgroups(group, None)) as app, tempfile.TemporaryDirectory() as folder:
        hostile = None
        leave = asyncio.Event()
        if hostile_tabs:
            queued = asyncio.Event()
            started = time.monotonic()
            hostile = asyncio.create_task(
                hostile_client(browser, app, hostile_tabs, uploads_per_tab, queued=queued, keep_until=leave)
            )
            await next(asyncio.as_completed([queued.wait(), hostile]))  # its trainings asked for (or it failed)
            report["hostile_ready_after_s"] = round(time.monotonic() - started, 1)
        try:
            rooms = await asyncio.gather(
                *(
                    one_class(browser, app, name, choices, join_seconds, Path(folder))
                    for name, choices in classes.items()
                )
            )
        finally:
            leave.set()
        report["classes"] = {room["class"]: room for room in rooms}
        if hostile is not None:
            report["hostile"] = await hostile
        report["server_log_tracebacks"] = app.log.read_text().count("Traceback")
        report["server_peak_mb"] = round(app.memory_mb("VmHWM"), 1)
        report["cgroup"] = cgroup_report(group)
    return report


def verdicts(alone: dict[str, dict], together: dict) -> dict:
    """Each class together against alone: the time ratio, whether each training learned, whether the board was
    its own (a row per training of the class, each on the class's verse)."""
    result = {}
    for name, room in together["classes"].items():
        by_itself = alone[name]
        losses = {label: row["losses"] for label, row in room["trainings"].items()}
        result[name] = {
            "longest_wait_alone_s": by_itself["wait_worst_s"],
            "longest_wait_together_s": room["wait_worst_s"],
            "ratio": round(room["wait_worst_s"] / by_itself["wait_worst_s"], 2),
            "learned": all(
                abs(loss - min(by_itself["trainings"][label]["losses"])) <= 0.05
                for label, values in losses.items()
                for loss in values
            ),
            "board_rows": len(room["board_rows"]),
            # one row per training of the class (its students share identical ones), each on the class's verse
            "board_only_its_own": len(room["board_rows"]) == len(room["trainings"])
            and all(row["verse"] in room["corpus"] for row in room["board_rows"]),
        }
    return result


async def run_two_classes(students: int, join_seconds: float, browser_nice: int, hostile_tabs: int) -> dict:
    from playwright.async_api import async_playwright

    from lstm_poem import limits

    first, second = catalog()[:2]
    classes = {"A": [Choice(first.name)] * students, "B": [Choice(second.name)] * students}
    corpora = {"A": [first.name, first.title], "B": [second.name, second.title]}  # as a board may name it
    why_not = unavailable()
    report: dict = {"students_per_class": students, "join_seconds": join_seconds, "cgroup_unavailable": why_not}
    async with async_playwright() as playwright, contextlib.AsyncExitStack() as stack:
        with tempfile.TemporaryDirectory() as folder:
            launcher = niced_chromium(Path(folder), browser_nice, browsers_cpu_group(stack))
            browser = await playwright.chromium.launch(executable_path=launcher, args=CHROMIUM_ARGS)
        runs = {"A alone": ({"A": classes["A"]}, 0), "B alone": ({"B": classes["B"]}, 0)}
        runs["together"] = (classes, hostile_tabs)
        for label, (chosen, tabs) in runs.items():
            with contextlib.ExitStack() as groups:
                group = (
                    None
                    if why_not
                    else groups.enter_context(memory_cgroup("lstm-poem-two-classes", COMMUNITY_CLOUD_BYTES))
                )
                report[label] = await phase(browser, chosen, join_seconds, group, tabs, limits.MAX_SESSION_MODELS + 1)
            for name, room in report[label]["classes"].items():
                room["corpus"] = corpora[name]
            print(f"{label}: {report[label]}", flush=True)
        await browser.close()
    alone = {name: report[f"{name} alone"]["classes"][name] for name in classes}
    report["verdicts"] = verdicts(alone, report["together"])
    return report
