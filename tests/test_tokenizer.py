import random

import pytest

from lstm_poem.text.tokenizer import UNKNOWN_WORD, CharTokenizer, Tokenizer, WordTokenizer, fit_tokenizer

POEM = "The lantern's light, o'er \"quiet\" water—\nIt burns; it (still) burns!\n\nAnd well-known roads...\n"


def test_char_round_trip(ballads_text):
    tokenizer = CharTokenizer.fit(ballads_text)
    encoded = tokenizer.encode(ballads_text)
    assert encoded.unknown == []
    assert tokenizer.decode(encoded.ids) == ballads_text


def test_char_unknown_characters_are_reported_and_skipped():
    tokenizer = CharTokenizer.fit("abc \n")
    encoded = tokenizer.encode("a zebra!")
    assert tokenizer.decode(encoded.ids) == "a ba"
    assert encoded.unknown == ["z", "e", "r", "!"]


def test_word_tokens_keep_newlines_and_punctuation():
    tokenizer = WordTokenizer.fit(POEM)
    pieces = tokenizer.split(POEM)
    assert pieces[:4] == ["The", "lantern's", "light", ","]
    assert "o'er" in pieces and "well-known" in pieces and "—" in pieces
    assert pieces.count("\n") == 4


def test_word_decode_restores_natural_spacing():
    tokenizer = WordTokenizer.fit(POEM)
    assert tokenizer.decode(tokenizer.encode(POEM).ids) == POEM


def test_word_vocabulary_cap_maps_rare_words_to_unknown():
    text = "the sea the sea the sea a gull\n" * 3 + "rare\n"
    tokenizer = WordTokenizer.fit(text, max_words=4)
    assert tokenizer.tokens[0] == UNKNOWN_WORD
    assert tokenizer.vocab_size == 4
    encoded = tokenizer.encode("the rare gull", skip_unknown=False)
    assert tokenizer.unknown_id in encoded.ids
    assert set(encoded.unknown) == {"rare", "gull"}
    assert tokenizer.encode("the rare gull").ids == [tokenizer.index["the"]]


@pytest.mark.parametrize("level", ["char", "word"])
def test_json_round_trip(level):
    tokenizer = fit_tokenizer(POEM, level)
    again = Tokenizer.from_dict(tokenizer.to_dict())
    assert type(again) is type(tokenizer)
    assert again.tokens == tokenizer.tokens


def test_word_ids_round_trip_through_text(ballads_text):
    """Any id sequence decodes to text that encodes back to the same ids."""
    tokenizer = WordTokenizer.fit(ballads_text + " \" ' ( ) — ’ ‘ 42 ")
    rng = random.Random(7)
    for _ in range(200):
        ids = [rng.randrange(1, tokenizer.vocab_size) for _ in range(rng.randrange(1, 40))]
        assert tokenizer.encode(tokenizer.decode(ids)).ids == ids


@pytest.mark.parametrize(
    "data",
    [
        {"level": "char", "tokens": ["ab"]},
        {"level": "word", "tokens": ["a"]},
        {"level": "x", "tokens": ["a"]},
        {"level": "char", "tokens": ["a", "a"]},
        {"level": "char", "tokens": []},
        {"tokens": "abc"},
    ],
)
def test_invalid_json_is_rejected(data):
    with pytest.raises(ValueError):
        Tokenizer.from_dict(data)


def test_display_spells_out_invisible_tokens():
    tokenizer = CharTokenizer.fit("a \n")
    assert [tokenizer.display(i) for i in range(3)] == ["⏎ newline", "␣ space", "a"]
