"""The guessing game's engine: Shannon's bounds, one student's game, the model's ranks, the class total."""

import math
import threading

import pytest

from lstm_poem.measuring.scoring import split_at_stanza
from lstm_poem.teaching.guessing import (
    MOST_GUESSES,
    Bounds,
    ClassTotals,
    Game,
    GameLine,
    GuessError,
    ModelGuess,
    compare,
    game_lines,
    model_guesses,
    shannon_bounds,
)
from lstm_poem.text.corpus import catalog

LINE = GameLine("test-1", "Test, line 1", "The kettle sings upon the stove\n", "and steam")


def test_shannon_bounds_are_zero_for_a_perfect_guesser_and_two_bits_for_four_equal_guess_counts():
    assert shannon_bounds([1] * 12) == shannon_bounds([]) == Bounds(0.0, 0.0)
    even = shannon_bounds([1, 2, 3, 4] * 5)
    assert even.upper == pytest.approx(2.0)
    # Lower bound with q = 1/4 each: only k = 4 has q_k - q_{k+1} > 0, so 4 * 1/4 * log2 4.
    assert even.lower == pytest.approx(2.0)
    skewed = shannon_bounds([1, 1, 1, 1, 1, 1, 2, 2, 3, 7])
    assert 0 < skewed.lower <= skewed.upper
    assert skewed.upper == pytest.approx(-(0.6 * math.log2(0.6) + 0.2 * math.log2(0.2) + 2 * 0.1 * math.log2(0.1)))


def test_a_game_counts_guesses_until_right_ignoring_case_and_repeats():
    game = Game(LINE)
    assert not game.guess("x") and not game.guess("X") and not game.guess("e")  # X again is not a new guess
    assert game.tried == ["x", "e"]
    assert game.guess("A") and game.counts == [3] and game.tried == [] and game.revealed == "a"
    with pytest.raises(GuessError, match="one letter"):
        game.guess("nd")
    for char in "nd steam":
        assert game.guess(char)
    assert game.done and game.counts == [3] + [1] * 8
    with pytest.raises(GuessError, match="finished"):
        game.guess("s")


def test_the_comparison_scores_both_on_the_same_characters_and_names_who_won_where():
    model = [ModelGuess(c, p, r) for c, p, r in [("a", 0.5, 1), ("n", 0.25, 2), ("d", 0.125, 4), (" ", 0.5, 1)]]
    result = compare([2, 1, 4], model)
    assert result.chars == 3
    assert result.you == shannon_bounds([2, 1, 4]) and result.model == shannon_bounds([1, 2, 4])
    assert result.model_bits == pytest.approx((1 + 2 + 3) / 3)
    assert (result.you_better, result.model_better) == ([1], [0])


def test_the_game_lines_come_from_the_held_out_tenth_that_no_shipped_model_trained_on():
    lines = game_lines()
    assert len(lines) == 2 * len(catalog()) and len({line.key for line in lines}) == len(lines)
    tails = [split_at_stanza(entry.path.read_text(encoding="utf-8"))[1] for entry in catalog()]
    for line in lines:
        assert any(line.context + line.line + "\n" in tail for tail in tails)
        assert "\n" not in line.line and line.context.endswith("\n")


def test_the_model_ranks_every_character_of_the_line(trained):
    from lstm_poem.network.generate import Generator

    generator = Generator(trained.poem)
    guesses = model_guesses(generator, LINE.context, LINE.line)
    assert [g.char for g in guesses] == list(LINE.line)
    assert all(0 <= g.prob <= 1 and g.rank >= 1 for g in guesses)
    # The first character's odds are the model's odds after the context, upper and lower case added.
    odds = generator.next_token_odds(LINE.context, [1.0], top_n=trained.poem.tokenizer.vocab_size)
    merged: dict[str, float] = {}
    for label, p in zip(odds.labels, odds.probs[0]):
        merged[label.casefold()] = merged.get(label.casefold(), 0.0) + float(p)
    first = guesses[0]
    assert first.prob == pytest.approx(merged["a"], rel=1e-3)
    assert first.rank == 1 + sum(1 for p in merged.values() if p > merged["a"] * (1 + 1e-6))
    again = model_guesses(generator, LINE.context, LINE.line)
    assert again == guesses  # no randomness: the same ranks for every student


def test_thirty_sessions_pool_into_one_bounded_total_per_line():
    totals = ClassTotals(["test-1"])
    model = [ModelGuess("a", 0.5, 1), ModelGuess("n", 0.2, 3)]

    def play(n: int) -> None:
        totals.add("test-1", [1 + n % 3] * 9 + [1000], model, player=f"student {n}")

    threads = [threading.Thread(target=play, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pooled = totals.line("test-1")
    assert pooled.players == 30 and pooled.chars == 300
    assert pooled.you[MOST_GUESSES] == 30 and max(pooled.you) == MOST_GUESSES  # bounded
    assert pooled.model == {1: 30, 3: 30}  # the model's ranks of the two characters it has odds for
    you, against = pooled.bounds()
    assert you.upper > 0 and against.upper == pytest.approx(1.0)
    assert not totals.add("not a game line", [1] * 10, model, player="student 0")  # not a line of the game
    assert totals.line("not a game line").players == 0
