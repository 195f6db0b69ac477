"""In a real browser: two classes on one server, each with its own board, its own students and its own total.

Uses the server, browser and session fixtures of ``test_browser.py`` (this
module gets its own server). Skipped where Chromium or Playwright is missing.
"""

from __future__ import annotations

import re

from test_browser import (  # noqa: F401 - fixtures are found by name
    BALLADS,
    app_url,
    browser,
    choose_sample,
    nav,
    new_session,
    open_train_page,
    page,
    pytestmark,
    shoot,
    start_class,
    wait_until,
)
from test_browser_lessons import PLAYED, SCORE, play

from lstm_poem.teaching.guessing import game_lines


def board_rows(tab) -> list[list[str]]:
    """The class board's table, row by row (the grid draws on a canvas, but keeps its cells for screen readers)."""
    table = tab.get_by_test_id("stDataFrame")
    if not table.count():
        return []
    rows = [row.locator("[role=gridcell]").all_inner_texts() for row in table.locator("[role=row]").all()]
    return [row for row in rows if row]


def train_as(tab, code: str, name: str, sample: str | None) -> None:
    """A student who opened the class's link starts a Quick demo on a sample corpus under ``name``."""
    open_train_page(tab, f"/train?class={code}")
    if sample is not None:
        choose_sample(tab, sample)
    box = tab.get_by_role("textbox", name="Your name on the class board (optional)")
    box.fill(name)
    box.press("Enter")
    tab.wait_for_timeout(500)
    tab.get_by_role("button", name="Train").click()
    tab.get_by_test_id("stSidebar").get_by_text(re.compile("^Run 1")).first.wait_for()


def add_to_the_class_total(tab) -> None:
    """Add a played line; the class total then holds this student alone."""
    tab.get_by_role("heading", name=SCORE).wait_for()
    tab.get_by_role("button", name="Add my guesses to the class total").click()
    tab.get_by_text(re.compile(rf"on the same {PLAYED} characters \(1 student, no names\)")).wait_for()


def test_two_classes_on_one_server_each_see_only_their_own_trainings_and_guesses(page, browser, app_url):  # noqa: F811
    teachers = {"A": page, "B": new_session(browser, app_url)}
    codes = {key: start_class(tab) for key, tab in teachers.items()}
    assert codes["A"] != codes["B"] and all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes.values())
    page.get_by_test_id("stImage").wait_for()  # the QR code
    shoot(page, "screenshot-class-code.png")
    students = {key: new_session(browser, app_url) for key in codes}
    train_as(students["A"], codes["A"], "Ada", None)  # the default sample corpus
    train_as(students["B"], codes["B"], "Bo", BALLADS)

    for key, other in (("A", "Bo"), ("B", "Ada")):
        teacher = teachers[key]
        nav(teacher, "Class board").click()
        teacher.get_by_text("Students in the class").wait_for()
        wait_until(lambda teacher=teacher: board_rows(teacher), seconds=60)
        (row,) = board_rows(teacher)
        assert row[4] == {"A": "Ada", "B": "Bo"}[key] and other not in row and row[3] == "1"
        assert ("ballads" in row[1]) == (key == "B")
        assert teacher.get_by_test_id("stMetricValue").inner_text() == "1"  # one student in the class
    shoot(teachers["A"], "screenshot-class-board-teacher.png")

    # A student sees the class's board, not the teacher's controls.
    nav(students["A"], "Class board").click()
    students["A"].get_by_text("Your class's trainings in the last hour").wait_for()
    assert students["A"].get_by_role("button", name="End the class").count() == 0
    wait_until(lambda: board_rows(students["A"]))
    assert [row[4] for row in board_rows(students["A"])] == ["Ada"]
    stranger = new_session(browser, app_url)  # in no class: sees only their own runs, so none
    stranger.goto("/class_board")
    stranger.get_by_text("You are in no class").wait_for()
    stranger.wait_for_timeout(2500)
    assert board_rows(stranger) == []
    stranger.context.close()

    # Each class's guessing total pools its own students only, and a reload adds nobody twice.
    line = game_lines()[0].line
    for tab in students.values():
        nav(tab, "Guess the next letter").click()
        play(tab, line, address=None)
        add_to_the_class_total(tab)
    students["A"].reload()  # a new session of the same browser, still in its class
    play(students["A"], line, address=None)
    students["A"].get_by_role("heading", name=SCORE).wait_for()
    students["A"].get_by_role("button", name="Add my guesses to the class total").click()
    students["A"].wait_for_timeout(1500)
    assert students["A"].get_by_text(re.compile(r"\(1 student, no names\)")).count() == 1
    for tab in (students["B"], teachers["B"]):
        tab.context.close()
