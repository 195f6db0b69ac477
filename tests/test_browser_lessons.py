"""In a real browser: the guessing game pooled over two sessions, and the copy detector after a training.

Uses the server, browser and session fixtures of ``test_browser.py`` (this module
gets its own server, so its class total starts empty). Skipped where Chromium or
Playwright is missing.
"""

from __future__ import annotations

import re

import pytest
from test_browser import (  # noqa: F401 - fixtures are found by name
    app_url,
    browser,
    new_session,
    page,
    pytestmark,
    shoot,
    start_class,
    train_quick_demo_to_the_end,
)

from lstm_poem.teaching.guessing import game_lines

PLAYED = 10
SCORE = re.compile(rf"You: \d+\.\d\d bits\/char, the .+ model: \d+\.\d\d, on the same {PLAYED} characters")


def play(tab, line: str, address: str | None = "/guess") -> None:
    """Guess the first ``PLAYED`` characters of the line: one wrong guess first, then right every time
    (on the page at ``address``; None: the page the tab shows)."""
    if address is not None:
        tab.goto(address)
    tab.get_by_text("0 of", exact=False).first.wait_for()
    box = tab.get_by_role("textbox", name="Your guess for the next character")
    box.fill("#")
    tab.get_by_role("button", name="Guess", exact=True).click()
    tab.get_by_text(re.compile("^Not #")).wait_for()
    for number, char in enumerate(line[:PLAYED], 1):
        box.fill(char)
        tab.get_by_role("button", name="Guess", exact=True).click()
        tab.get_by_text(f"{number} of {len(line)} characters guessed.").wait_for()


@pytest.mark.slow
def test_two_students_play_ten_characters_and_the_class_total_pools_them(page, browser, app_url):  # noqa: F811
    line = game_lines()[0].line
    code = start_class(new_session(browser, app_url))
    play(page, line, f"/guess?class={code}")
    score = page.get_by_role("heading", name=SCORE)
    score.wait_for()
    assert page.get_by_test_id("stDataFrame").count() == 1  # each character: your guesses, its rank and odds
    page.get_by_role("button", name="Add my guesses to the class total").click()
    page.get_by_text(re.compile(rf"on the same {PLAYED} characters \(1 student, no names\)")).wait_for()

    other = new_session(browser, app_url)
    play(other, line, f"/guess?class={code}")
    other.get_by_role("heading", name=SCORE).wait_for()
    other.get_by_role("button", name="Add my guesses to the class total").click()
    other.get_by_text(re.compile(rf"on the same {2 * PLAYED} characters \(2 students, no names\)")).wait_for()
    other.context.close()
    # The first student's page redraws its class total by itself.
    page.get_by_text(re.compile(r"\(2 students, no names\)")).wait_for(timeout=30_000)
    shoot(page, "screenshot-guess.png")


@pytest.mark.slow
def test_after_a_training_the_copied_share_shows_on_train_and_generate(page):  # noqa: F811
    train_quick_demo_to_the_end(page)
    page.get_by_text("Is it learning, or memorising?").wait_for()
    # docs/screenshot-train-copied.png and screenshot-generate-copied.png are a long run's
    # (bench/memorising_screenshot.py): a quick demo stops before it copies anything.
    page.get_by_role("button", name="Write poems with it").click()
    page.get_by_text("T = 1.5").first.wait_for()
    shares = page.get_by_text(re.compile(r"copied: \d+% of this poem"))
    shares.nth(2).wait_for()
    assert shares.count() == 3
    shoot(page, "screenshot-generate-copy-marks.png")
