"""The copy detector: every stretch of at least N characters found in a training text is found, whole, and
nothing else; the sources of each pretrained model; the Train page's memorising chart."""

import random

import pytest

from conftest import SHARED_CORPORA
from lstm_poem.teaching.copy_charts import memorising_chart
from lstm_poem.teaching.copy_sources import pretrained_sources
from lstm_poem.teaching.copying import MIN_COPY_LENGTH, STRIDE, CopyIndex, check_copying
from lstm_poem.training.records import EpochRecord

TRAINING = (
    "The lamplighter goes along the row\n"
    "and leaves a string of small moons on the street;\n"
    "the children follow him through falling snow\n"
    "and count the lamps, and stamp their frozen feet.\n"
)


def noise(length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("qxzjvkw") for _ in range(length))


def test_a_copied_stretch_is_found_whole_wherever_it_starts():
    index = CopyIndex(TRAINING, "lamps")
    line = "and leaves a string of small moons on the street;"
    for offset in range(STRIDE + 1):  # every alignment with the sampled windows
        poem = noise(offset, offset) + line + noise(13, 99)
        (stretch,) = check_copying(poem, [index]).stretches
        assert poem[stretch.start : stretch.end] == line
        assert stretch.source == "lamps" and stretch.source_line == line


def test_only_stretches_at_least_the_minimum_long_count():
    index = CopyIndex(TRAINING, "lamps")
    piece = TRAINING[40 : 40 + MIN_COPY_LENGTH]
    assert check_copying(noise(10, 1) + piece + noise(10, 2), [index]).copied_chars == MIN_COPY_LENGTH
    shorter = piece[:-1]
    assert check_copying(noise(10, 1) + shorter + noise(10, 2), [index]).stretches == []


def test_text_never_seen_is_not_marked_and_an_empty_poem_has_no_share():
    index = CopyIndex(TRAINING, "lamps")
    report = check_copying("A heron stands in water to the knee\nand waits for nothing that the river brings.", [index])
    assert report.stretches == [] and report.share == 0.0
    assert check_copying("", [index]).share == 0.0
    assert CopyIndex("short", "tiny").find("short text that is long enough to check") == []


def test_the_seed_is_searched_but_only_the_poem_after_it_is_counted():
    index = CopyIndex(TRAINING, "lamps")
    seed, poem = "The lamplighter goes along", " the row\nand then the cat sat on a warm stone."
    report = check_copying(seed + poem, [index], skip=len(seed))
    (stretch,) = report.stretches
    assert (stretch.start, poem[stretch.start : stretch.end]) == (0, " the row\nand ")
    assert report.chars == len(poem) and report.share == pytest.approx(len(" the row\nand ") / len(poem))


def test_overlapping_stretches_from_two_texts_are_counted_once():
    first = CopyIndex(TRAINING, "lamps")
    second = CopyIndex("xx and count the lamps, and stamp their frozen feet in the hall", "hall")
    poem = "and count the lamps, and stamp their frozen feet in the hall"
    report = check_copying(poem, [first, second])
    assert report.copied_chars == len(poem)
    assert [s.source for s in report.stretches] == ["hall"]  # the longer reach wins the overlap
    assert all(a.end <= b.start for a, b in zip(report.stretches, report.stretches[1:]))


def test_a_line_repeated_many_times_in_the_text_is_still_found():
    refrain = "with a hey and a ho and a hey nonino\n"
    index = CopyIndex(refrain * 300 + TRAINING, "refrains")
    assert check_copying("so sang they: " + refrain, [index]).copied_chars == len(refrain)


def test_the_stride_must_leave_a_window_to_hash():
    with pytest.raises(ValueError, match="stride"):
        CopyIndex(TRAINING, "lamps", min_length=10, stride=6)


def test_a_model_whose_training_text_is_missing_cannot_be_checked(tmp_path, monkeypatch):
    from lstm_poem.teaching import copy_sources

    monkeypatch.setattr(copy_sources, "PACKED_TEXTS", tmp_path / "none shipped")
    assert pretrained_sources("frost", corpora=tmp_path) is None  # nothing in that folder
    assert pretrained_sources("sample_verse", corpora=tmp_path) is None  # its base read the 18 MB of verse
    assert pretrained_sources("no such model") is None


@pytest.mark.skipif(not (SHARED_CORPORA / "english_verse.txt").is_file(), reason="the shared corpora are not here")
def test_a_fine_tuned_model_is_checked_against_its_own_text_and_its_bases():
    names = [source.path.name for source in pretrained_sources("frost")]
    assert names == ["frost_north_of_boston.txt", "frost_mountain_interval.txt", "english_verse.txt"]
    sonnets = [source.path.name for source in pretrained_sources("sonnets")]
    assert sonnets == ["shakespeare_sonnets.txt", "tinyshakespeare.txt", "english_verse.txt"]
    sample_verse = [source.path.name for source in pretrained_sources("sample_verse")]
    assert sample_verse[-1] == "english_verse.txt" and "haiku.txt" in sample_verse  # the project's own verse


@pytest.mark.skipif(not (SHARED_CORPORA / "english_verse.txt").is_file(), reason="the shared corpora are not here")
def test_every_shipped_model_is_checked_and_a_transformer_against_its_lstm_twins_texts():
    from lstm_poem.files.pretrained import pretrained_catalog

    assert all(pretrained_sources(model.name) for model in pretrained_catalog())
    for transformer, lstm in (("transformer_sonnets", "sonnets"), ("transformer_frost", "frost")):
        assert [s.path.name for s in pretrained_sources(transformer)] == [s.path.name for s in pretrained_sources(lstm)]


def test_with_only_the_repository_a_pretrained_models_copied_lines_are_marked(tmp_path, monkeypatch):
    # A hosted copy has no ../shared: the compressed texts in pretrained/training_texts/ stand in.
    from lstm_poem.teaching import copy_sources
    from ui import copy_marks, session_models

    monkeypatch.setattr(copy_sources, "SHARED_CORPORA", tmp_path / "no shared corpora")
    copy_marks._pretrained_indexes.clear()
    try:
        assert all(pretrained_sources(model) for model in copy_sources.PRETRAINED_TEXTS)
        shipped = session_models.pretrained_models()["pretrained-frost"]

        def never_read() -> None:
            raise AssertionError("the copy check read the network, not only the texts")

        # A fresh entry of its own: the server's shared one may have been read by an earlier test.
        frost = session_models.ModelEntry(shipped.key, shipped.name, "pretrained", None, read=never_read)
        prime = "Two roads\n"
        written = (
            noise(40, 1)
            + "\nSomething there is that doesn't love a wall,\n"  # North of Boston, its own text
            + noise(40, 2)
            + "\nI wandered lonely as a cloud\nThat floats on high\n"  # its base's verse
        )
        report = copy_marks.check_poem(frost, prime, written)
        assert report is not None, "the copy check said 'not checked'"
        marked = {stretch.source: "" for stretch in report.stretches}
        for stretch in report.stretches:  # positions count from the end of the seed
            marked[stretch.source] += written[stretch.start : stretch.end]
        assert "Something there is that doesn't love a wall," in marked["frost_north_of_boston"]
        assert "I wandered lonely as a cloud" in marked["english_verse"]
    finally:
        copy_marks._pretrained_indexes.clear()


def test_the_memorising_chart_puts_the_copied_share_under_the_losses():
    epochs = [EpochRecord(e, 2.0 / e, 1.5 + abs(e - 3) / 10, 1.5, 3, 0, 5, 0.01, float(e)) for e in range(1, 6)]
    spec = memorising_chart(epochs, [0.0, 0.0, 0.1, 0.4, 0.7], "nats per character").to_dict()
    losses, copied = spec["vconcat"]
    assert (losses["description"], copied["description"]) == ("losses", "copied share")
    assert [row["copied"] for row in copied["data"]["values"]] == [0.0, 0.0, 0.1, 0.4, 0.7]


def test_the_session_text_cache_is_bounded_in_measured_bytes():
    import sys

    from lstm_poem.teaching.copying import CopyIndexCache, entry_bytes

    texts = [f"student {n} wrote this diary line about the river and the mill\n" * 200 for n in range(4)]
    one = CopyIndex(texts[0], "a")
    measured = one.hashes.nbytes + one.positions.nbytes + sys.getsizeof(texts[0])
    assert entry_bytes(one) == measured
    cache = CopyIndexCache(max_bytes=2 * measured + measured // 2)  # room for two of them
    lease = cache.lease()
    for n, text in enumerate(texts):
        lease.index(text, f"text {n}")
    assert cache.texts() == texts[2:] and cache.nbytes == 2 * measured <= cache.max_bytes


def test_a_students_text_leaves_the_cache_with_the_last_session_that_used_it():
    import gc

    from lstm_poem.teaching.copying import CopyIndexCache

    cache = CopyIndexCache(max_bytes=10**9)
    first, second = cache.lease(), cache.lease()
    shared, private = "a class's sample corpus line\n" * 50, "my secret diary, every word of it\n" * 50
    assert first.index(shared, "sample") is second.index(shared, "sample")  # built once, shared
    first.index(private, "emma_private_diary")
    del first  # the session ended: its state, and its lease, are collected
    gc.collect()
    assert cache.texts() == [shared]  # still used by the second session
    del second
    gc.collect()
    assert cache.texts() == [] and cache.nbytes == 0
