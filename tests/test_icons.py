"""Icons must draw on every machine: Material icons (":material/name:") or none, never emoji.

A Chromium without an emoji font (a fresh Debian machine) draws emoji as empty boxes.
"""

import re

from conftest import ROOT

# Emoji blocks, the dingbats and symbols that browsers draw as emoji, and the emoji variation selector.
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u231a\u231b\u23e9-\u23fa\ufe0f]")
UI_FILES = sorted([ROOT / "streamlit_app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
# The engine's messages reach the pages too.
UI_FILES += sorted((ROOT / "lstm_poem").glob("*.py"))


def test_no_emoji_in_the_app_s_own_text():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in UI_FILES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI.search(line)
    ]
    assert found == [], "emoji draw as empty boxes without an emoji font; use :material/...: icons\n" + "\n".join(found)


def test_the_pattern_catches_the_emoji_the_app_used_to_have():
    for emoji in ["🪶", "📈", "✍️", "🔬", "⏹️", "⏳", "⏱️", "✅", "⚠️", "ℹ️", "⬇️"]:
        assert EMOJI.search(emoji), emoji
    for fine in ["·", "×", "…", "→", "σ", "⊙", "⏎", "␣", "½", "–"]:
        assert not EMOJI.search(fine), fine
