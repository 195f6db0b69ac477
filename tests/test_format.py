"""ui.format.plain: text from a user or a file stays text inside Markdown (issue 32, "Text is text")."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ui.format import plain

# CommonMark plus GitHub's tables and strikethrough, as Streamlit's Markdown has them.
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE = [
    "![x](http://127.0.0.1:9/track.png)",
    "[click](http://127.0.0.1:9/)",
    "## big",
    "# heading\n## another",
    "$x^2$ and $$y$$",
    '<img src="http://127.0.0.1:9/a.png">',
    "<script>alert(1)</script>",
    "&lt;b&gt; &#x41;",
    "**bold** _em_ ~~gone~~ `code`",
    "- item\n1. item\n> quote",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "    indented code",
    ":red[red] :material/home:",
    "back\\slash\\",
]


def rendered(markdown: str) -> str:
    return MARKDOWN.render(markdown)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_renders_as_one_paragraph_of_itself(hostile):
    out = rendered(plain(hostile))
    assert re.fullmatch(r"<p>[^<]*</p>\n", out), out  # one paragraph, no tag inside it: no img, heading, link
    assert html.unescape(out[3:-5]) == " ".join(hostile.split())  # and it reads exactly as written


@pytest.mark.parametrize("hostile", HOSTILE)
def test_escaped_text_inside_a_sentence_stays_text(hostile):
    out = rendered(f"**Model**: {plain(hostile)} (uploaded)")
    assert re.findall(r"<[^>]*>", out) == ["<p>", "<strong>", "</strong>", "</p>"], out  # only the sentence's own


def test_latex_and_directive_signs_are_escaped():
    assert plain("$x$") == r"\$x\$"
    assert plain(":red[x]") == r"\:red\[x\]"


def test_right_to_left_and_zero_width_characters_are_dropped_but_joiners_stay():
    assert plain("poem\u202etxt.exe") == r"poemtxt\.exe"
    assert plain("a\u200bb\u2060c\ufeffd\u2066e\u2069f\u200eg") == "abcdefg"
    # Persian "I don't want" is spelt with a zero-width non-joiner; a family emoji with joiners
    assert plain("نمی\u200cخواهم") == "نمی\u200cخواهم"
    assert plain("\U0001f469\u200d\U0001f467") == "\U0001f469\u200d\U0001f467"


def test_line_breaks_and_runs_of_spaces_become_one_space():
    assert plain("one\n\n## two\r\n    three\tfour") == r"one \#\# two three four"


def test_ordinary_text_is_unchanged_and_numbers_are_accepted():
    assert plain("Frost lyrics") == "Frost lyrics"
    assert plain("émoi, ça va") == r"émoi\, ça va"
    assert plain(42) == "42"


@given(st.text(max_size=60))
def test_any_text_renders_without_a_tag(text):
    out = rendered(plain(text))
    assert out == "" or re.fullmatch(r"<p>[^<]*</p>\n", out), out
