"""The documents say what is true: docs/robustness.md names real tests and has the cases the hardening
issue asks for; the README opens with the two commands, and CI runs the second; the README stays a
short front door, every relative link in it and in docs/ leads somewhere, and docs/architecture.md names
every module."""

import re
from pathlib import Path

from conftest import ROOT

ROBUSTNESS = ROOT / "docs" / "robustness.md"
README_LIMIT = 12 * 1024  # bytes: the README is a front door; the rest lives in docs/
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^()\s]+)\)")


def test_every_test_named_in_robustness_md_exists():
    text = ROBUSTNESS.read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_\w+\.py)::(test_\w+)`", text))
    assert len(named) >= 25
    for file_name, test_name in sorted(named):
        source = (ROOT / "tests" / file_name).read_text(encoding="utf-8")
        assert f"def {test_name}(" in source, f"{file_name}::{test_name} is named in robustness.md but missing"


def test_robustness_md_has_at_least_25_cases():
    rows = [line for line in ROBUSTNESS.read_text(encoding="utf-8").splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) >= 25


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```\w*\n(.*?)```", readme, re.DOTALL).group(1)
    commands = [line for line in first_block.splitlines() if line.strip()]
    assert commands == ["./run app", "./run test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^(exec )?\./run test$", ci, re.MULTILINE), ".ci/run must run the README's test command"


def test_readme_is_a_front_door_under_12_kb():
    size = len((ROOT / "README.md").read_bytes())
    assert size < README_LIMIT, f"README.md is {size:,} bytes: move detail to a page in docs/ and link it"


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def anchors(document: Path) -> set[str]:
    """The #fragments GitHub gives a document's headings."""
    headings = re.findall(r"^#+ (.+)$", FENCED.sub("", document.read_text(encoding="utf-8")), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def test_anchors_are_made_as_github_makes_them(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Why isn't it meaningful? The table\n```\n# not a heading\n```\n## A long day: memory\n")
    assert anchors(page) == {"why-isnt-it-meaningful-the-table", "a-long-day-memory"}


def test_every_relative_link_in_the_documents_leads_to_a_file_and_heading_that_exist():
    assert len(documents()) >= 10
    broken = []
    for document in documents():
        for target in LINK.findall(FENCED.sub("", document.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            path, _, fragment = target.partition("#")
            linked = (document.parent / path).resolve() if path else document
            if not linked.exists():
                broken.append(f"{document.name}: {target} (no such file)")
            elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
                broken.append(f"{document.name}: {target} (no such heading)")
    assert broken == []


def test_every_screenshot_the_documents_show_is_one_the_browser_tests_or_a_script_refresh():
    """``LSTM_POEM_SCREENSHOTS=docs ./run test tests/test_browser*.py`` rewrites every picture shown, except
    a long run's, which a script in bench/ takes (its default --out names it)."""
    taken = re.compile(r'shoot\(page, "([^"]+)"\)|"(screenshot-[\w-]+\.png)"')  # a test's shot | a script's --out
    sources = (*(ROOT / "tests").glob("test_browser*.py"), *(ROOT / "bench").glob("*screenshot*.py"))
    shot = {
        by_test or by_script for source in sources for by_test, by_script in taken.findall(source.read_text("utf-8"))
    }
    shown = {
        Path(target).name
        for document in documents()
        for target in LINK.findall(document.read_text(encoding="utf-8"))
        if target.endswith(".png")
    }
    assert len(shown) >= 7 and shown <= shot, f"not refreshed by the browser tests: {sorted(shown - shot)}"


def architecture_sections() -> dict[str, str]:
    """The file list of docs/architecture.md by folder ("" for the root, "lstm_poem/text/" ...) -> its lines.
    A folder is a line whose first word ends in "/", nested by its indent; its files are the lines under it."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## The files", 1)[1].split("```", 2)[1]
    sections: dict[str, str] = {}
    open_folders: list[tuple[int, str]] = []  # (indent, folder) from the outermost in
    current = ""
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        first = line.split()[0] if line.strip() else ""
        if first.endswith("/") and indent < 20:  # deeper lines are a description's continuation
            while open_folders and open_folders[-1][0] >= indent:
                open_folders.pop()
            current = (open_folders[-1][1] if open_folders else "") + first
            open_folders.append((indent, current))
        elif indent == 0:
            open_folders, current = [], ""
        sections[current] = sections.get(current, "") + line + "\n"
    return sections


def test_architecture_md_names_every_module():
    sections = architecture_sections()
    modules = [
        path
        for pattern in ("*.py", "lstm_poem/**/*.py", "ui/*.py", "app_pages/*.py", "scripts/*.py")
        for path in ROOT.glob(pattern)
        if path.name != "__init__.py"
    ]
    assert len(modules) > 80
    missing = [
        str(path.relative_to(ROOT))
        for path in modules
        if not re.search(
            rf"(?<![\w/]){re.escape(path.name)}\b",
            sections.get("".join(part + "/" for part in path.relative_to(ROOT).parts[:-1]), ""),
        )
    ]
    assert missing == [], "docs/architecture.md's file list must name every module under its folder"
