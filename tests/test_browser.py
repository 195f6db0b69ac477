"""End to end in a real browser: `streamlit run` on a free port, driven by Playwright in Debian's Chromium.

Each test opens its own browser context, so each is a separate student
session. The server gets no network (classics point at a dead local mirror),
like a classroom machine behind a firewall. Screenshots of every page go to
``build/screenshots`` (``LSTM_POEM_SCREENSHOTS=docs`` refreshes the ones the README and docs/ show).

Skipped, with the reason, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from bench.served_app import served_app
from conftest import ROOT
from lstm_poem.files.pretrained import pretrained_catalog

CHROMIUM = Path(os.environ.get("LSTM_POEM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(os.environ.get("LSTM_POEM_SCREENSHOTS", ROOT / "build" / "screenshots"))
STARTUP_SECONDS = 120
TRAINING_SECONDS = 150  # the quick demo stops by itself within 45 s; a shared CI machine may be slow
BALLADS = "Harbour and Harvest Ballads (ballad quatrains)"


def _missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -r requirements-dev.txt"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture(scope="module")
def app_url():
    yield from serve_app()


def serve_app(**variables: str):
    """A real app server (with extra environment ``variables``); its log is shown if it does not come up."""
    with served_app(variables, STARTUP_SECONDS) as app:
        yield app.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh session (own cookies, own Streamlit session) with a large window."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True, base_url=app_url)
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert page.locator("[data-testid=stException]").count() == 0, "the page showed a traceback"
    assert errors == [], errors
    context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def open_train_page(page, address: str = "/train") -> None:
    page.goto(address)
    page.get_by_text("distinct characters").first.wait_for()


def choose_sample(page, title: str) -> None:
    page.locator("[data-testid=stSelectbox]").filter(has_text="Sample corpus").click()
    page.get_by_role("option", name=title).click()
    page.get_by_text("Twenty-nine short ballads").wait_for()


def chart_marks(page) -> list[str]:
    """The aria labels Vega gives every mark of the loss chart (SVG), e.g. "epoch: 3; …; series: held-out"."""
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    return [label for label in chart.locator("[aria-label]").evaluate_all("els => els.map(e => e.ariaLabel)")]


def nav(page, title: str):
    return page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title, exact=True)


def epoch_shown(page) -> int:
    text = page.get_by_text(re.compile(r"^Epoch \d+ of")).first.inner_text()
    return int(re.match(r"Epoch (\d+)", text).group(1))


def poems(page, count: int = 3) -> list[str]:
    """The poem texts once every column is drawn (components may show a placeholder for a moment first)."""
    page.get_by_text(re.compile(rf"^{count} poems in ")).wait_for()
    page.get_by_test_id("stHtml").nth(count - 1).wait_for()
    return page.get_by_test_id("stHtml").all_inner_texts()


def picked(page, label: str) -> None:
    """Wait until Generate's model picker shows ``label``: a combobox, whose text is its input's value."""
    from playwright.sync_api import expect

    expect(page.get_by_role("combobox", name="Model", exact=True)).to_have_value(label, timeout=60_000)


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the page did not change in time"
        time.sleep(0.2)


def new_session(browser, app_url):
    """Another student's (or teacher's) browser: own cookies, own Streamlit session."""
    tab = browser.new_context(viewport={"width": 1400, "height": 1600}, base_url=app_url).new_page()
    tab.set_default_timeout(60_000)
    return tab


def start_class(tab) -> str:
    """Start a class from the start page, as its teacher; returns its code (shown as ABCD-EFGH)."""
    tab.goto("/")
    tab.get_by_role("button", name="Start a class").click()
    return tab.locator(".class-code").inner_text().strip()


def train_quick_demo_to_the_end(page) -> None:
    open_train_page(page)
    choose_sample(page, BALLADS)
    page.get_by_role("button", name="Train").click()
    page.get_by_text(re.compile("weights of (the best )?epoch")).first.wait_for(timeout=TRAINING_SECONDS * 1000)


@pytest.mark.slow
def test_quick_demo_on_a_sample_corpus_runs_to_the_end(page):
    train_quick_demo_to_the_end(page)
    outcome = page.locator("[data-testid=stAlertContentInfo]").filter(has_text="weights").first.inner_text()
    assert "Early stopping fired" in outcome or "were kept" in outcome
    marks = chart_marks(page)
    assert any("series: training" in label for label in marks)  # the training curve…
    assert any("series: held-out" in label for label in marks)  # …and the held-out curve
    assert any(label.startswith("Symbol legend") and "training, held-out" in label for label in marks)
    assert any("best: epoch" in label for label in marks)
    if "Early stopping fired" in outcome:
        assert any("stopped at epoch" in label and "restored epoch" in label for label in marks)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("No training running.").wait_for()  # the sidebar is drawn after the page
    assert sidebar.get_by_text(re.compile(r"^Run 1 · LSTM 1×128")).count() == 1  # the new model is the current one
    shoot(page, "screenshot-train-finished.png")


@pytest.mark.slow
def test_training_goes_on_while_the_student_visits_generate(page):
    open_train_page(page)
    # Balanced, not the Quick demo: on an idle machine the demo can end by itself (about 26 s) before Stop.
    page.get_by_text("Balanced", exact=True).click()
    page.get_by_text("up to two and a half minutes").first.wait_for()
    page.get_by_role("button", name="Train").click()
    page.get_by_text(re.compile(r"^Epoch ([6-9]|\d\d+) of")).first.wait_for(timeout=TRAINING_SECONDS * 1000)
    shoot(page, "screenshot-train.png")  # docs/pages.md's picture of a training in progress
    before = epoch_shown(page)
    nav(page, "Generate").click()
    page.get_by_text("T = 1.5").first.wait_for()
    assert page.locator("[data-testid=stSidebar]").get_by_text(re.compile("Run 1.*epoch")).count() == 1
    page.wait_for_timeout(3000)  # training carries on meanwhile
    nav(page, "Train").click()
    page.get_by_text(re.compile(r"^Epoch \d+ of")).first.wait_for()
    # An epoch of Balanced takes seconds, more on a busy machine: wait for the next, not for a fixed time.
    wait_until(lambda: epoch_shown(page) > before, seconds=60)
    points = len([label for label in chart_marks(page) if "series: held-out" in label])
    wait_until(lambda: len([label for label in chart_marks(page) if "series: held-out" in label]) > points, 60)
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("You stopped training").wait_for()


# The fast lane's browser smoke test (not slow): a real server, Chromium, Generate's poems and a slider.
def test_three_temperatures_write_three_poems_and_one_slider_changes_one_column(page):
    page.goto("/generate")
    page.get_by_text("T = 1.5").first.wait_for()
    first = poems(page)
    assert len(first) == 3 and len(set(first)) == 3
    page.get_by_test_id("stVegaLiteChart").wait_for()  # the next-character odds, drawn last
    shoot(page, "screenshot-generate.png")
    slide_to(page, page.get_by_role("slider").last, 1.45, "T = 1.45")  # one step down from 1.5
    wait_until(lambda: poems(page)[2] != first[2])
    page.wait_for_timeout(1000)  # let the rerun finish drawing every column
    assert poems(page)[:2] == first[:2]  # the other columns kept their poems


@pytest.mark.slow
def test_a_bad_upload_shows_a_message(page, tmp_path):
    open_train_page(page)
    page.get_by_text("Upload a .txt file").click()
    picture = tmp_path / "poems.txt"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    page.locator("input[type=file]").set_input_files(str(picture))
    page.get_by_text("This file looks like a PNG image, not plain text.").wait_for()
    assert page.get_by_role("button", name="Train").is_disabled()


@pytest.mark.slow
def test_a_downloaded_model_uploads_and_writes_the_same_poems(page, tmp_path):
    train_quick_demo_to_the_end(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the model").click()
    bundle = tmp_path / "model.zip"
    download.value.save_as(bundle)
    page.get_by_role("button", name="Write poems with it").click()
    page.get_by_text("T = 1.5").first.wait_for()
    written = poems(page)
    page.get_by_text("Load a model file (.zip)").click()
    page.locator("input[type=file]").set_input_files(str(bundle))
    picked(page, "model.zip (uploaded)")  # named once, and chosen
    page.get_by_text("T = 1.5").first.wait_for()
    assert poems(page) == written


@pytest.mark.slow
def test_the_inside_page_draws_the_gates_of_the_pretrained_model(page):
    page.goto("/inside")
    page.get_by_text("At every character").wait_for()
    page.get_by_role("tab", name="Gates at work").click()
    page.get_by_text("Find interesting units").wait_for()
    # Thousands of cells: Vega draws this one on a canvas, and the chart's label is its description.
    page.locator("[data-testid=stVegaLiteChart][aria-label='activation heatmap'] canvas").wait_for()
    page.get_by_text(re.compile(r"unit \d+: position in the line \(r = ")).first.wait_for()  # a line-length unit
    page.wait_for_timeout(1000)
    shoot(page, "screenshot-inside.png")


@pytest.mark.slow
def test_the_start_page_shows_live_poems_and_its_lesson_links_open_the_pages(page):
    page.goto("/")
    page.get_by_text("A 45-minute lesson").wait_for()
    page.get_by_text("T = 1.5 · takes risks").wait_for()
    # The captions are plain Markdown; st.html's element can draw a moment later on a cold browser (CI's
    # first run showed the three captions and no poem yet), so wait for the poems themselves.
    page.get_by_test_id("stHtml").nth(2).wait_for()
    shown = poems_on_page(page)
    assert len(shown) == 3 and all(poem.strip() for poem in shown)
    page.wait_for_timeout(1000)
    shoot(page, "screenshot-home.png")
    for label, landmark in [("Open Watch it write", "Speed when playing"), ("Open Inside the network", "At every")]:
        page.get_by_role("link", name=label).click()
        page.get_by_text(landmark).first.wait_for()
        page.go_back()
        page.get_by_text("A 45-minute lesson").wait_for()


def poems_on_page(page) -> list[str]:
    return page.get_by_test_id("stHtml").all_inner_texts()


def step_shown(page) -> int:
    text = page.get_by_text(re.compile(r"^Step \d+: where the random number fell")).first.inner_text()
    return int(re.match(r"Step (\d+)", text).group(1))


def check_step(page, number: int) -> None:
    """Step ``number`` is drawn: the draw chart, each column's odds, one shared draw and a highlighted pick."""
    page.get_by_text(f"Step {number}: where the random number fell", exact=True).wait_for()

    def drawn() -> bool:  # the columns redraw one after another: wait until all show this step
        captions = page.get_by_text(re.compile(r"^u = [\d.]+ fell in ")).all_inner_texts()
        draws = {caption.split()[2] for caption in captions}
        highlighted = page.locator("[data-testid=stHtml] span[style*='background']").count()  # each pick
        return len(captions) == 3 and draws == {shared_draw(page)} and highlighted == 3

    wait_until(drawn)
    assert page.get_by_test_id("stVegaLiteChart").count() == 4  # where the draw fell, and three columns' odds


def shared_draw(page) -> str:
    """The draw named in the caption under the draw chart."""
    caption = page.get_by_text(re.compile(r"^Every column used the same random number, u = ")).inner_text()
    return re.search(r"u = ([\d.]+)\.", caption).group(1)


def shortest_poems_on_generate(page) -> list[str]:
    """Open Generate from the sidebar and write the shortest poems (20 characters after the seed)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from ui.sampling_controls import DEFAULT_SEED

    # The same session, so the same seed text, temperatures and random seed. A click that lands while the
    # last step is still being drawn can be lost, so it is repeated until the Generate page is there.
    title = page.get_by_role("heading", name="Generate poems")
    for _ in range(3):
        nav(page, "Generate").click()
        try:
            title.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    page.get_by_text("T = 1.5").first.wait_for()
    length = page.get_by_role("slider").first  # the length, then one temperature per column
    for _ in range(3):  # the shortest poems: 20 characters (a key pressed mid-redraw can be lost)
        length.focus()
        length.press("Home")
        page.wait_for_timeout(1000)
        if length.get_attribute("aria-valuenow") == "20":
            break
    wait_until(lambda: all(len(poem) < len(DEFAULT_SEED) + 40 for poem in poems(page)))
    page.wait_for_timeout(1000)  # let the rerun finish drawing every column
    return poems(page)


@pytest.mark.slow
def test_stepping_twenty_characters_at_three_temperatures_writes_what_generate_writes(page):
    page.goto("/watch")
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: page.get_by_text(re.compile(r"^Step ([3-9]|1\d): where")).count() == 1)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Pause").wait_for(state="detached")
    page.wait_for_timeout(1500)  # a step the timer had already started may still arrive
    number = step_shown(page)
    assert 3 <= number < 20
    check_step(page, number)
    while number < 20:
        page.get_by_role("button", name="One step").click()
        number += 1
        check_step(page, number)
    shoot(page, "screenshot-watch.png")
    stepped = poems_on_page(page)
    assert shortest_poems_on_generate(page) == stepped


@pytest.mark.slow
def test_an_uploaded_transformer_writes_on_generate_and_steps_the_same_poems_on_watch(page, tmp_path, small_text):
    from conftest import tiny_train_config
    from lstm_poem.files.bundle import save_bundle
    from lstm_poem.network.model import ModelConfig
    from lstm_poem.training.train import train

    gpt = ModelConfig(cell="transformer", layers=2, units=32, heads=2, context=48, dropout=0.0)
    trained = train(small_text, gpt, tiny_train_config(seq_len=48, epochs=2, learning_rate=0.003, warmup_steps=10))
    bundle = save_bundle(trained.poem, tmp_path / "gpt.zip")
    page.goto("/generate")
    page.get_by_text("T = 1.5").first.wait_for()
    page.get_by_text("Load a model file (.zip)").click()
    page.locator("input[type=file]").set_input_files(str(bundle))
    picked(page, "gpt.zip (uploaded)")
    page.get_by_text("T = 1.5").first.wait_for()
    written = poems(page)
    assert len(set(written)) == 3 and all(len(poem) > 200 for poem in written)
    nav(page, "Watch it write").click()
    for number in range(1, 21):
        page.get_by_role("button", name="One step").click()
        check_step(page, number)
    stepped = poems_on_page(page)
    assert shortest_poems_on_generate(page) == stepped  # the cached steps write what generate() writes


@pytest.mark.slow
def test_the_improvements_page_shows_every_row_with_its_poem_and_the_chart(page):
    from lstm_poem.teaching.improvements import load_table

    table = load_table()
    assert table is not None and len(table.rows) >= 6
    page.goto("/improvements")
    page.get_by_text("Their poems, side by side").wait_for()
    # Every row's model loads and writes once per server: slow the first time on a shared machine.
    page.get_by_test_id("stHtml").nth(len(table.rows) - 1).wait_for(timeout=TRAINING_SECONDS * 1000)
    written = page.get_by_test_id("stHtml").all_inner_texts()
    assert len(written) == len(table.rows) and all(text.startswith(table.prime.strip()) for text in written)
    assert len(set(written)) == len(written)  # each model writes its own poem from the same seed
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
    page.wait_for_timeout(1000)
    shoot(page, "screenshot-improvements.png")


def slide_to(page, slider, value: float, label: str) -> None:
    """Move a slider with its arrow keys until the page shows ``label``.

    A rerun still drawing the slider's previous value can overwrite a key press made meanwhile, so
    the slider's own value is read back after every press, and pressed again until it holds.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(5):
        slider.focus()
        for _ in range(60):
            now = float(slider.input_value())
            if abs(now - value) < 1e-9:
                break
            slider.press("ArrowLeft" if now > value else "ArrowRight")
            page.wait_for_timeout(100)
        try:
            page.get_by_text(label, exact=True).wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:  # the last press was lost: read the value again and go on pressing
            continue
    page.get_by_text(label, exact=True).wait_for()


def pick_option(page, box_label: str, option: str) -> None:
    page.locator("[data-testid=stSelectbox]").filter(has_text=box_label).first.click()  # the page's own box is first
    page.get_by_role("option", name=option).click()


@pytest.mark.slow
def test_two_columns_with_different_models_at_the_same_temperature_and_seed_write_each_models_poem(page):
    shipped = {model.name: model.title for model in pretrained_catalog()}
    page.goto("/generate")
    page.get_by_text("T = 1.5").first.wait_for()
    page.get_by_test_id("stRadio").filter(has_text="Columns").get_by_text("2", exact=True).click()
    page.get_by_text("T = 1.5", exact=True).wait_for(state="detached")
    page_model_alone = poems(page, 2)[0]  # the page's model at T = 0.5, seed 42
    page.get_by_text("A model per column").click()
    pick_option(page, "Model, column 2", shipped["sample_verse"])
    # Column 2's temperature: 1.0 -> 0.5.
    slide_to(page, page.get_by_role("slider").last, 0.5, f"T = 0.5 · {shipped['sample_verse']}")
    page.wait_for_timeout(1000)  # let the rerun finish drawing both columns
    first_column, second_column = poems(page, 2)
    assert first_column == page_model_alone and second_column != first_column
    shoot(page, "screenshot-generate-models.png")
    # The second column is exactly what the sample verse model writes on its own with the same settings.
    page.get_by_text("A model per column").click()
    page.get_by_text("Model, column 2").wait_for(state="detached")
    pick_option(page, "Model", shipped["sample_verse"] + " (pretrained)")
    page.get_by_text(f"T = 0.5 · {shipped['sample_verse']}", exact=True).wait_for(state="detached")
    wait_until(lambda: poems(page, 2)[0] == second_column)
