"""Copied stretches marked on a poem: "copied: 14% of this poem", and the training line on hover.

Each training text's index is built once per server and shared by every session
(a class that trains on the same sample corpus shares one); checking a poem
against it takes about a millisecond, so every redraw checks again. The indexes
of texts trained on in sessions are bounded in bytes, and a student's text
leaves the server with the last session that used it
(:class:`~lstm_poem.teaching.copying.CopyIndexCache`).
"""

from __future__ import annotations

import html

import streamlit as st

from lstm_poem import limits
from lstm_poem.teaching.copy_sources import TextSource, pretrained_sources
from lstm_poem.teaching.copying import MIN_COPY_LENGTH, CopyIndex, CopyIndexCache, CopyLease, CopyReport, check_copying
from ui import session_models, session_runs
from ui.format import percent, plain

MARK_STYLE = "background: #ffe08a; border-bottom: 2px solid #d4a017; border-radius: 2px"


@st.cache_resource(show_spinner="Indexing the training text for the copy check (once per server)…")
def _file_index(source: TextSource) -> CopyIndex:
    return CopyIndex(source.read(), source.name)


@st.cache_resource(show_spinner=False)
def session_texts() -> CopyIndexCache:
    """The server's one cache of the indexes of texts trained on in sessions."""
    return CopyIndexCache(limits.MAX_COPY_CACHE_BYTES)


def _lease() -> CopyLease:
    """This session's hold on its texts in the cache: it goes with the session's state, and so do they."""
    if "copy_lease" not in st.session_state:
        st.session_state["copy_lease"] = session_texts().lease()
    return st.session_state["copy_lease"]


def copy_indexes(entry: session_models.ModelEntry) -> list[CopyIndex] | None:
    """The indexes of every text ``entry`` trained on; None when they are not all on this server."""
    if entry.source == "pretrained":
        return _pretrained_indexes(entry.key.removeprefix(session_models.PRETRAINED_PREFIX))
    run = next((run for run in session_runs.runs() if run.model_key == entry.key), None)
    if run is None or not run.corpus_text:
        return None  # uploaded: its training text never came with it
    own = [_lease().index(run.corpus_text, run.corpus_name)]
    if run.base_name is None:
        return own
    base = next((e for e in session_models.pretrained_models().values() if e.name == run.base_name), None)
    base_indexes = _pretrained_indexes(base.key.removeprefix(session_models.PRETRAINED_PREFIX)) if base else None
    return own + base_indexes if base_indexes is not None else None


@st.cache_resource(show_spinner=False)
def _pretrained_indexes(name: str) -> list[CopyIndex] | None:
    # Kept per model: Watch it write asks on every step, and finding the files reads the catalog.
    sources = pretrained_sources(name)
    return None if sources is None else [_file_index(source) for source in sources]


def check_poem(entry: session_models.ModelEntry, prime: str, written: str) -> CopyReport | None:
    """Which of ``written`` (the text after the seed) was copied; None when the check is unavailable."""
    indexes = copy_indexes(entry)
    return None if indexes is None else check_copying(prime + written, indexes, skip=len(prime))


def marked_html(written: str, report: CopyReport | None) -> str:
    """``written`` as HTML with each copied stretch highlighted, its training line in the tooltip."""
    if report is None:
        return html.escape(written)
    parts, at = [], 0
    for stretch in report.stretches:
        parts.append(html.escape(written[at : stretch.start]))
        tip = html.escape(f"copied from {stretch.source}: {stretch.source_line}", quote=True)
        copied = html.escape(written[stretch.start : stretch.end])
        parts.append(f'<mark class="copied" style="{MARK_STYLE}" title="{tip}">{copied}</mark>')
        at = stretch.end
    parts.append(html.escape(written[at:]))
    return "".join(parts)


def show_copy_caption(report: CopyReport | None) -> None:
    """The copied share under a poem, with the training lines it came from."""
    if report is None:
        st.caption(
            ":material/content_copy: copied: not checked (this model's training text is not on this server)",
            help="The copy check needs the text the model trained on. Uploaded models and pretrained models "
            "whose corpus is not installed here cannot be checked.",
        )
        return
    st.caption(
        f":material/content_copy: copied: {percent(report.share)} of this poem",
        help=f"Highlighted: stretches of at least {MIN_COPY_LENGTH} characters that occur word for word in the "
        "text the model trained on. Hover one for the training line.",
    )
    if report.stretches:
        count = len(report.stretches)
        with st.expander(
            "Where the copied stretch came from" if count == 1 else f"Where the {count} copied stretches came from"
        ):
            for stretch in report.stretches[:10]:
                st.markdown(f"- *{plain(stretch.source)}*: {plain(_one_line(stretch.source_line))}")


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())
