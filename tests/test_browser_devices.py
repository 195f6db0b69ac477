"""Tablets and phones: Generate and Train at an iPad's size (820 × 1180) and a phone's (390 × 844), by touch.

Each context has Playwright's device settings (viewport, touch, a mobile browser's user agent). A
right-to-left text (Hebrew) trains on the phone and a text without spaces (Japanese) on the tablet,
then writes on Generate, shown in its own direction. Screenshots of both go where test_browser.py puts
its own (``LSTM_POEM_SCREENSHOTS=docs`` refreshes the ones docs/pages.md shows; the Japanese needs a
font such as Debian's fonts-noto-cjk, or the picture shows empty boxes).
"""

from __future__ import annotations

import re

import pytest
from test_browser import (  # noqa: F401 - fixtures are found by name
    SCREENSHOTS,
    TRAINING_SECONDS,
    app_url,
    browser,
    open_train_page,
    poems,
    pytestmark,
)

from lstm_poem.text.corpus import corpus_from_text

IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
DEVICES = {
    "tablet": {"viewport": {"width": 820, "height": 1180}, "user_agent": IPAD},
    "phone": {"viewport": {"width": 390, "height": 844}, "user_agent": PHONE},
}
# Verse written for these tests, repeated to the few thousand characters the Quick demo needs.
HEBREW = (
    "הים שקט והירח עולה מעל הגגות,\nוהרוח שרה בין העצים.\n"
    "הדייג חוזר אל החוף בערב,\nוהסירה נחה על החול הלבן.\n\n"
) * 40
JAPANESE = "春の雨が静かに窓を打つ。\n猫は眠りながら夢を見る。\n川の上に月が光り、\n風は橋の下で歌う。\n\n" * 40
UPLOADS = {"phone": (HEBREW, "הים שקט", "rtl"), "tablet": (JAPANESE, "春の雨", "ltr")}
SHOTS = {  # (Generate, Train) per device; docs/pages.md shows them
    "tablet": ("screenshot-generate-tablet.png", "screenshot-train-tablet.png"),
    "phone": ("screenshot-generate-phone.png", "screenshot-train-phone.png"),
}


@pytest.fixture(params=list(DEVICES))
def device(request, browser, app_url):  # noqa: F811
    """(device name, a fresh touch page with that device's viewport and user agent)."""
    settings = DEVICES[request.param]
    context = browser.new_context(**settings, has_touch=True, is_mobile=True, base_url=app_url)
    context.set_default_timeout(180_000)  # a phone's first Generate loads the pretrained model on a busy CI machine
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, page
    assert page.locator("[data-testid=stException]").count() == 0, "the page showed a traceback"
    assert errors == [], errors
    context.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shoot(page, name: str) -> None:
    """What the screen shows (Streamlit scrolls its own main block, so a whole-page shot is no larger)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # let the last rerun finish drawing
    page.screenshot(path=str(SCREENSHOTS / name))


def test_generate_writes_three_poems_that_fit_the_screen(device):
    name, page = device
    page.goto("/generate")
    page.get_by_text("T = 1.5").first.wait_for()
    assert len(set(poems(page))) == 3
    page.get_by_test_id("stVegaLiteChart").wait_for()
    assert no_sideways_scroll(page)


def test_an_upload_in_its_own_script_trains_by_touch_and_writes_in_its_own_direction(device):
    name, page = device
    text, seed, direction = UPLOADS[name]
    open_train_page(page)
    page.get_by_text("Paste text").tap()
    area = page.get_by_placeholder("Paste a few poems here…")
    area.fill(text)
    area.press("Control+Enter")  # a text area sends its value on Ctrl+Enter or when it loses focus
    page.get_by_text(f"{corpus_from_text(text).n_lines} lines").first.wait_for()
    page.get_by_role("button", name="Train", exact=True).tap()
    outcome = page.get_by_text(re.compile("weights of (the best )?epoch")).first
    outcome.wait_for(timeout=TRAINING_SECONDS * 1000)
    assert no_sideways_scroll(page)
    outcome.evaluate("element => element.scrollIntoView({block: 'center'})")  # the outcome, the loss chart under it
    shoot(page, SHOTS[name][1])
    page.get_by_role("button", name="Write poems with it").tap()
    seed_box = page.get_by_label("Seed text: the poem starts with this")
    seed_box.fill(seed)
    seed_box.press("Control+Enter")
    page.get_by_text(re.compile(r"^3 poems in ")).wait_for()
    poem = page.get_by_test_id("stHtml").first.locator("div[dir=auto]")
    poem.get_by_text(seed).first.wait_for()
    assert poem.evaluate("element => getComputedStyle(element).direction") == direction
    assert no_sideways_scroll(page)
    page.get_by_text("T = 0.5", exact=True).scroll_into_view_if_needed()  # the poems, side by side or stacked
    shoot(page, SHOTS[name][0])
