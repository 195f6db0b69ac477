import pytest

from lstm_poem.measuring.poem_stats import poem_stats, real_word_share, repetition


def test_real_word_share_counts_words_from_the_training_text():
    vocabulary = {"the", "sea", "is", "grey"}
    assert real_word_share("The sea is grey", vocabulary) == 1.0
    assert real_word_share("The sae is grye", vocabulary) == pytest.approx(0.5)
    assert real_word_share("…  12 !", vocabulary) is None
    assert real_word_share("the sea", set()) is None


def test_repetition_is_high_for_loops_and_zero_for_fresh_text():
    assert repetition("the sea the sea the sea the sea") == pytest.approx(4 / 6)  # 6 phrases, only 2 different
    assert repetition("one two three four five six") == 0.0
    assert repetition("too short") == 0.0


def test_poem_stats_counts_lines_and_words():
    stats = poem_stats("The sea,\n\nthe grey sea\n", {"the", "sea"})
    assert stats.lines == 2 and stats.words == 5
    assert stats.real_word_share == pytest.approx(4 / 5)
