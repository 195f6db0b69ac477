"""Property tests: the corpus loader and both tokenizers, on text nobody thought of."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_poem.text.corpus import CorpusError, load_corpus
from lstm_poem.text.tokenizer import CharTokenizer, WordTokenizer

VERSE = (
    "Shall the river keep its song, when the mill-wheel's still?\n"
    "O'er the hill (and far away) the lanterns burn; 12 boats, 3 nets.\n"
    '"Come home," she said. Who knows? The sea! The sea;\n'
)
WORDS = WordTokenizer.fit(VERSE, max_words=500)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text())
def test_char_tokenizer_round_trips_any_text_it_was_fitted_on(text):
    tokenizer = CharTokenizer.fit(text) if text else CharTokenizer(["a"])
    encoded = tokenizer.encode(text)
    assert encoded.unknown == []
    assert tokenizer.decode(encoded.ids) == text


@FAST
@given(st.text(), st.text())
def test_char_tokenizer_reports_exactly_the_unseen_characters(known, text):
    tokenizer = CharTokenizer.fit(known) if known else CharTokenizer(["a"])
    encoded = tokenizer.encode(text)
    assert set(encoded.unknown) == set(text) - set(tokenizer.tokens)
    assert tokenizer.decode(encoded.ids) == "".join(ch for ch in text if ch in tokenizer.index)


@FAST
@given(st.lists(st.sampled_from(WORDS.tokens[1:]), max_size=60))
def test_word_tokenizer_round_trips_any_sequence_of_its_tokens(tokens):
    ids = [WORDS.index[token] for token in tokens]
    text = WORDS.decode(ids)
    assert WORDS.encode(text).ids == ids
    assert WORDS.decode(WORDS.encode(text).ids) == text


@FAST
@given(st.text())
def test_word_tokenizer_never_fails_and_keeps_every_known_word(text):
    encoded = WORDS.encode(text)
    assert all(piece not in WORDS.index for piece in encoded.unknown)
    assert all(0 < token_id < WORDS.vocab_size for token_id in encoded.ids)


@FAST
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_load_or_raise_corpus_error_only(data):
    try:
        corpus = load_corpus(data)
    except CorpusError as err:
        assert str(err)  # always a message to show
    else:
        assert corpus.text.strip() and corpus.text.endswith("\n") and "\r" not in corpus.text


@FAST
@given(st.text(min_size=1))
def test_any_text_in_any_common_encoding_loads_or_says_why(text):
    for encoding in ("utf-8", "utf-16", "utf-8-sig"):
        data = text.encode(encoding, errors="replace")
        try:
            load_corpus(data)
        except CorpusError as err:
            assert str(err)
