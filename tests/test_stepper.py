import numpy as np
import pytest

from lstm_poem.checks import ConfigError
from lstm_poem.network.generate import Generator
from lstm_poem.teaching.stepper import Column, StepError, Stepper, loop_length

PRIME = "The miller hung a lantern out\n"
TEMPERATURES = [0.0, 0.5, 1.0, 1.5]


def stepper(generator, temperatures=TEMPERATURES, **kwargs) -> Stepper:
    return Stepper(PRIME, [Column(generator, t) for t in temperatures], **kwargs)


@pytest.mark.parametrize("shared_noise", [True, False])
def test_stepping_n_times_writes_what_generate_writes(generator, shared_noise):
    written = generator.generate(PRIME, TEMPERATURES, length=60, seed=7, shared_noise=shared_noise)
    steps = stepper(generator, seed=7, shared_noise=shared_noise)
    for _ in range(60):
        steps.step()
    assert [steps.text(i) for i in range(4)] == [s.text for s in written.samples]
    assert steps.prime(0) == written.prime and steps.steps == 60


def test_each_step_reports_odds_draw_and_pick_consistently(generator):
    steps = stepper(generator, seed=3)
    for number in range(1, 31):
        step = steps.step()
        assert step.number == number and len(step.columns) == 4
        draws = {column.draw for column in step.columns}
        assert len(draws) == 1  # one shared draw for every column
        for index, column in enumerate(step.columns):
            assert steps.text(index).endswith(column.pick)
            assert 0.0 <= column.draw < 1.0
            low, high = column.band
            if column.temperature > 0:
                assert low - 1e-5 <= column.draw <= high + 1e-5  # the draw fell in the pick's stretch
            assert column.prob == pytest.approx(high - low)
            assert sum(column.probs) + column.other == pytest.approx(1.0)
            assert column.probs == sorted(column.probs, reverse=True)
            if column.rank <= len(column.candidates):
                assert column.candidates[column.rank - 1] == column.pick_label
                assert column.probs[column.rank - 1] == pytest.approx(column.prob)
        greedy = step.columns[0]
        assert greedy.rank == 1 and greedy.prob == pytest.approx(1.0) and greedy.band == (0.0, 1.0)


def test_independent_draws_differ_per_column(generator):
    step = stepper(generator, [1.0, 1.0, 1.0], shared_noise=False).step()
    assert len({column.draw for column in step.columns}) == 3


def test_a_hand_picked_character_is_written_with_its_probability(generator):
    steps = stepper(generator, [0.5, 1.5], seed=1)
    steps.step()
    step = steps.step(by_hand="k")
    for index, column in enumerate(step.columns):
        assert column.by_hand and column.pick == "k" and steps.text(index).endswith("k")
        assert 0.0 < column.model_prob < 1.0
    # The hotter column gives an unlikely letter more of a chance than the model itself; the cooler one less.
    cool, hot = step.columns
    if cool.model_prob < 0.1:
        assert cool.prob < cool.model_prob < hot.prob
    # After a hand-picked step the next draw comes from the state that includes it.
    assert steps.step().number == 3


def test_a_hand_picked_unknown_character_is_refused_and_changes_nothing(generator):
    steps = stepper(generator, [1.0])
    steps.step()
    before = steps.text(0)
    with pytest.raises(StepError, match="never saw"):
        steps.step(by_hand="🌊")
    assert steps.text(0) == before and steps.steps == 1


def test_columns_with_different_models_step_together(trained, generator):
    other = Generator(trained.poem)  # a second model object: its own batch
    steps = Stepper(PRIME, [Column(generator, 0.5), Column(other, 0.5), Column(generator, 1.5)], seed=4)
    for _ in range(25):
        steps.step()
    same = generator.generate(PRIME, [0.5, 1.5], length=25, seed=4).samples
    assert [steps.text(0), steps.text(1), steps.text(2)] == [same[0].text, same[0].text, same[1].text]


def test_invalid_temperatures_are_refused(generator):
    with pytest.raises(ConfigError):
        stepper(generator, [-1.0])
    with pytest.raises(ConfigError):
        stepper(generator, [])


def test_the_greedy_loop_is_found():
    assert loop_length("so and the mill and the mill ") == len("and the mill ")
    assert loop_length("a quiet line with no loop at all") == 0
    assert loop_length("too short: the the ") == 0
    assert loop_length("x" * 30) == 1
    verse = "And see the storm of the storm\nThe way to the boy there was a storm\n"
    assert loop_length("Once " + verse * 2) == len(verse)


def test_stepping_keeps_the_compiled_step(generator):
    steps = stepper(generator)
    steps.step()
    before = generator._advance_graph.experimental_get_tracing_count()
    for _ in range(5):
        steps.step()
    stepper(generator, [0.3, 0.9]).step()
    assert generator._advance_graph.experimental_get_tracing_count() == before
    assert np.isfinite(steps.last.columns[0].model_prob)


def test_a_word_level_model_steps_word_by_word(small_text):
    from conftest import tiny_model_config, tiny_train_config
    from lstm_poem.training.train import train

    words = Generator(train(small_text, tiny_model_config(level="word"), tiny_train_config(epochs=1)).poem)
    steps = Stepper("the mill", [Column(words, 0.7), Column(words, 1.2)], seed=2)
    for _ in range(12):
        steps.step()
    step = steps.step(by_hand="the")
    assert [c.pick for c in step.columns] == [" the", " the"] and step.columns[0].pick_label == "the"
    expected = words.generate("the mill", [0.7, 1.2], length=12, seed=2).samples
    assert [steps.text(0), steps.text(1)] == [s.text + " the" for s in expected]
