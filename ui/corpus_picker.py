"""The Train page's first step: choose the verse to learn from, and see what it is."""

from __future__ import annotations

import math

import streamlit as st

from lstm_poem import limits
from lstm_poem.text.corpus import CatalogEntry, Corpus, CorpusError, catalog, corpus_from_text, load_corpus
from lstm_poem.text.download import CLASSICS, Classic, cached_path, can_reach, download_classic, find_classic, is_cached
from ui import memo
from ui.format import plain, size

SOURCES = ("Sample corpus", "Classic (download)", "Upload a .txt file", "Paste text")
# Below this many characters a char model mostly learns the text by heart.
SMALL_CORPUS_CHARS = 20_000
PREVIEW_CHARS = 700


@st.cache_resource(show_spinner=False)
def _sample(entry: CatalogEntry) -> Corpus:
    """Bundled corpora are read once per server and shared (read-only) by every session."""
    return entry.load()


def pick_corpus() -> Corpus | None:
    """Draw the corpus controls and return the chosen, validated corpus (None if there is none yet)."""
    source = st.radio(
        "Where is the verse?", SOURCES, horizontal=True, **memo.kept_widget("corpus_source", SOURCES[0], SOURCES)
    )
    try:
        if source == SOURCES[0]:
            corpus = _pick_sample()
        elif source == SOURCES[1]:
            corpus = _pick_classic()
        elif source == SOURCES[2]:
            corpus = _pick_upload()
        else:
            corpus = _pick_pasted()
    except CorpusError as err:
        st.error(plain(err), icon=":material/error:")
        return None
    if corpus is not None:
        _describe(corpus)
    return corpus


def own_text_chosen() -> bool:
    """Is the chosen verse the student's own (uploaded or pasted)? The class board keeps such a text private."""
    return st.session_state.get("corpus_source") in (SOURCES[2], SOURCES[3])


def _pick_sample() -> Corpus | None:
    entries = {entry.name: entry for entry in catalog()}
    if not entries:
        st.warning("No sample corpora are installed; upload or paste some verse instead.")
        return None
    name = st.selectbox(
        "Sample corpus",
        list(entries),
        format_func=lambda key: f"{entries[key].title} ({entries[key].form})",
        **memo.kept_widget("corpus_sample", next(iter(entries)), list(entries)),
    )
    entry = entries[name]
    st.caption(f"{entry.description} License: {entry.license}.")
    return _sample(entry)


@st.cache_resource(show_spinner=False, max_entries=len(CLASSICS))
def _downloaded(name: str, stamp: int) -> Corpus:
    """A classic already in the disk cache, read once per server (``stamp`` changes if the file does)."""
    return download_classic(find_classic(name))


@st.cache_data(ttl=60, show_spinner=False)
def _online(name: str) -> bool:
    """Checked at most once a minute, so an offline classroom server answers at once."""
    return can_reach(find_classic(name))


def _pick_classic() -> Corpus | None:
    names = [c.name for c in CLASSICS]
    name = st.selectbox(
        "Classic public-domain collection",
        names,
        format_func=lambda key: _classic_label(find_classic(key)),
        key=memo.kept("corpus_classic", names[0]),
    )
    classic = find_classic(name)
    st.caption(f"{classic.description} {classic.author}; {classic.license}. Source: {classic.url}")
    path = cached_path(classic)
    if path.is_file():
        return _downloaded(classic.name, path.stat().st_mtime_ns)
    if not _online(classic.name):
        st.info(
            f"{classic.title} needs the internet to download once, and this server cannot reach {classic.host}. "
            "Choose a sample corpus, or upload the text as a .txt file.",
            icon=":material/public:",
        )
        return None
    if not st.button(f"Download {classic.title}", icon=":material/download:", key="download_classic"):
        st.caption("It is downloaded once and then kept on this server, so the next time it is instant.")
        return None
    bar = st.progress(0.0, text=f"Downloading {classic.title}…")

    def show(received: int, total: int | None) -> None:
        share = min(received / total, 1.0) if total else 0.0
        of_total = f" of {size(total)}" if total else ""
        bar.progress(share, text=f"Downloading {classic.title}: {size(received)}{of_total}")

    corpus = download_classic(classic, on_progress=show)
    bar.empty()
    return corpus


def _classic_label(classic: Classic) -> str:
    where = "downloaded" if is_cached(classic) else "needs download"
    return f"{classic.title}, {classic.author} ({where})"


def _load_upload() -> None:
    """Read a new upload once, when it changes (as the model uploader does), not on every rerun.

    The result is kept aside because Streamlit forgets an uploaded file when the
    user visits another page.
    """
    st.session_state.pop("uploaded_corpus", None)
    st.session_state.pop("upload_error", None)
    upload = st.session_state.get("corpus_upload")
    if upload is None:
        return
    try:
        st.session_state["uploaded_corpus"] = load_corpus(upload.getvalue(), name=upload.name.removesuffix(".txt"))
    except CorpusError as err:
        st.session_state["upload_error"] = str(err)


def _pick_upload() -> Corpus | None:
    upload = st.file_uploader(
        "A plain-text file of poems (UTF-8 is best; other encodings are detected)",
        type=["txt"],
        key="corpus_upload",
        max_upload_size=math.ceil(limits.MAX_CORPUS_BYTES / 1e6),  # the browser refuses bigger files at once
        on_change=_load_upload,
    )
    if "upload_error" in st.session_state:
        raise CorpusError(st.session_state["upload_error"])
    corpus = st.session_state.get("uploaded_corpus")
    if corpus is not None and upload is None:
        st.caption(f"Using the file you uploaded earlier: **{plain(corpus.name)}**.")
    return corpus


def _pick_pasted() -> Corpus | None:
    text = st.text_area(
        "Paste or type verse (one line of poetry per line)",
        height=220,
        key=memo.kept("corpus_text", ""),
        placeholder="Paste a few poems here…",
    )
    if not text.strip():
        st.info("Paste some verse to train on. A few thousand characters is the least that works.")
        return None
    # Validated again only when the text changes: a pasted book takes a moment to check.
    pasted_text, corpus = st.session_state.get("pasted_corpus", ("", None))
    if corpus is None or pasted_text != text:
        corpus = corpus_from_text(text)
        st.session_state["pasted_corpus"] = (text, corpus)
    return corpus


def _describe(corpus: Corpus) -> None:
    for note in corpus.notes:
        st.info(plain(note), icon=":material/info:")
    st.markdown(
        f"**{size(len(corpus.text.encode('utf-8')))}** · **{corpus.n_lines:,}** lines · "
        f"**{corpus.distinct_chars}** distinct characters · **{corpus.n_words:,}** words",
        help="Distinct characters are the alphabet a character-level model learns.",
    )
    if corpus.n_chars < SMALL_CORPUS_CHARS:
        st.warning(
            f"This text is short ({corpus.n_chars:,} characters). The model will mostly memorise it rather than "
            "learn a style, and early stopping will end training quickly. That is fine for a demo; for "
            "poems of its own, give it 50,000 characters or more.",
            icon=":material/warning:",
        )
    with st.expander("Preview"):
        preview = corpus.text[:PREVIEW_CHARS]
        st.text(preview + ("\n…" if len(corpus.text) > PREVIEW_CHARS else ""))
