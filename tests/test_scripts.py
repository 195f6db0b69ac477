"""Verse in any script: cleaning, tokenizing, graphemes, word level, training and writing, the guessing game.

The lines are tiny and written for these tests; one tiny model learns them all at once.
"""

import unicodedata

import pytest

from conftest import tiny_model_config, tiny_train_config
from lstm_poem.teaching.guessing import Game, GameLine, GuessError, model_guesses
from lstm_poem.text.corpus import corpus_from_text, load_corpus
from lstm_poem.text.graphemes import graphemes, is_one_grapheme
from lstm_poem.text.tokenizer import CharTokenizer, WordTokenizer, fit_tokenizer, word_level_problem, words

VERSE = {
    "German": "Über die Brücke weht der kühle Wind,\nund süße Äpfel fallen ins Gras.\n",
    "French": "Où va la rivière, dis-moi, cœur léger ?\nElle s'en va chanter près des forêts.\n",
    "Spanish": "¿Quién canta en la huerta? ¡La niña del añil!\nY el río baja, lento, hacia el mar.\n",
    "Polish": "Źdźbło trawy drży nad łąką,\ncisza śpi nad rzeką jak żuraw.\n",
    "Greek": "Σιγά σιγά ξυπνάει η θάλασσα,\nκαι ο άνεμος ψιθυρίζει στους βράχους.\n",
    "Russian": "Ёлка стоит у окна, и тихо падает снег,\nи звёзды горят над рекой.\n",
    "Hebrew": "הים שקט והירח עולה מעל הגגות,\nוהרוח שרה בין העצים.\n",
    "Arabic": "البحر هادئ والقمر يطلع فوق البيوت،\nوالريح تغني بين الشجر.\n",
    "Japanese": "春の雨が静かに窓を打つ。\n猫は眠りながら夢を見る。\n",
    "Chinese": "月光照在小河上，风很轻。\n老树在门前慢慢地睡着了。\n",
    "Hindi": "नदी के किनारे शाम की हवा चलती है।\nपेड़ों में चिड़ियाँ गीत गाती हैं।\n",
}
NO_SPACES = {"Japanese", "Chinese"}


@pytest.mark.parametrize("language", VERSE)
def test_cleaning_keeps_every_letter_and_the_char_tokenizer_round_trips(language):
    text = VERSE[language]
    corpus = load_corpus(text.encode("utf-8"), name=language)
    assert corpus.text == unicodedata.normalize("NFC", text) and corpus.encoding == "utf-8"
    tokenizer = CharTokenizer.fit(corpus.text)
    assert tokenizer.decode(tokenizer.encode(corpus.text).ids) == corpus.text
    assert CharTokenizer.from_dict(tokenizer.to_dict()).tokens == tokenizer.tokens


@pytest.mark.parametrize("language", sorted(set(VERSE) - NO_SPACES))
def test_word_level_keeps_whole_words_in_spaced_scripts(language):
    text = VERSE[language]
    assert word_level_problem(text) is None
    tokenizer = fit_tokenizer(text, "word")
    decoded = tokenizer.decode(tokenizer.encode(text).ids)
    assert words(decoded) == words(text)  # every word back, in order


def test_hindi_words_do_not_break_at_vowel_signs():
    assert words("नदी के किनारे शाम की हवा") == ["नदी", "के", "किनारे", "शाम", "की", "हवा"]
    assert words("पेड़ों में चिड़ियाँ") == ["पेड़ों", "में", "चिड़ियाँ"]
    assert words("noe\u0308l e\u0301te\u0301") == ["noe\u0308l", "e\u0301te\u0301"]  # unnormalised marks too
    tokenizer = WordTokenizer.fit(VERSE["Hindi"])
    assert tokenizer.decode(tokenizer.encode(VERSE["Hindi"]).ids) == VERSE["Hindi"]  # no space before the danda


@pytest.mark.parametrize("language", sorted(NO_SPACES))
def test_word_level_refuses_scripts_without_spaces_and_offers_character_level(language):
    problem = word_level_problem(VERSE[language] * 3)
    assert problem and "no spaces between words" in problem and "character level" in problem
    with pytest.raises(ValueError, match="character level"):
        fit_tokenizer(VERSE[language], "word")
    assert word_level_problem(VERSE["German"] + "月") is None  # a stray character does not make a text Chinese


def test_graphemes_keep_marks_conjuncts_and_emoji_whole():
    assert graphemes("नमस्ते") == ["न", "म", "स्ते"]  # the virama joins स and त
    assert graphemes("चिड़ियाँ") == ["चि", "ड़ि", "याँ"]
    assert graphemes("e\u0301a") == ["é", "a"]  # NFC first, then one letter
    assert graphemes("q\u0307\u0323") == ["q\u0323\u0307"]  # no precomposed form: the marks stay with q
    assert graphemes("🇩🇪🇫🇷") == ["🇩🇪", "🇫🇷"]
    assert graphemes("👩\u200d🌾!") == ["👩\u200d🌾", "!"]
    assert graphemes("a\n\u0301") == ["a", "\n", "\u0301"]  # a mark never joins a line break
    for text in VERSE.values():
        assert "".join(graphemes(text)) == unicodedata.normalize("NFC", text)
    assert is_one_grapheme("कि") and not is_one_grapheme("कक")


def test_the_guessing_game_folds_greek_case_final_sigma_included():
    game = Game(GameLine("el", "Greek", "θάλασσα\n", "Σοφός"))
    assert game.guess("σ") and game.guess("Ο") and game.guess("φ")
    assert not game.guess("ο") and game.guess("Ό")  # an accented vowel is its own letter; its capital folds
    assert game.guess("Σ") and game.done and game.counts == [1, 1, 1, 2, 1]  # final ς folds with Σ and σ


def test_the_guessing_game_folds_russian_case():
    game = Game(GameLine("ru", "Russian", "снег\n", "Ёлка"))
    assert not game.guess("е")  # е is not ё
    assert game.guess("ё") and game.guess("Л") and game.guess("к") and game.guess("А")
    assert game.counts == [2, 1, 1, 1] and game.revealed == "Ёлка"


def test_the_guessing_game_takes_whole_graphemes_in_scripts_with_and_without_case():
    hindi = Game(GameLine("hi", "Hindi", "नदी\n", "नमस्ते"))
    assert hindi.guess("न") and hindi.guess("म")
    assert not hindi.guess("स")  # स alone is not the letter: स्ते is
    assert hindi.guess("स्ते") and hindi.done and hindi.counts == [1, 1, 2]
    with pytest.raises(GuessError, match="one letter"):
        Game(hindi.line).guess("नम")
    chinese = Game(GameLine("zh", "Chinese", "风很轻\n", "月光"))
    assert not chinese.guess("日") and chinese.guess("月") and chinese.guess("光") and chinese.counts == [2, 1]
    accented = Game(GameLine("fr", "French", "\n", "été"))
    assert accented.guess("e\u0301")  # typed with a combining accent: the same letter as é


@pytest.fixture(scope="module")
def every_script_model():
    """One tiny character-level model trained on the verse of every script."""
    from lstm_poem.training.train import train

    text = "".join(VERSE.values()) * 6
    return train(corpus_from_text(text), tiny_model_config(), tiny_train_config(epochs=1, seq_len=16))


@pytest.mark.parametrize("language", VERSE)
def test_a_character_model_writes_on_from_a_seed_in_every_script(every_script_model, language):
    from lstm_poem.network.generate import Generator

    generator = Generator(every_script_model.poem)
    seed = VERSE[language].split("\n")[0][:8]
    generation = generator.generate(seed, temperatures=[0.8], length=20)
    assert generation.prime == seed and not generation.unknown
    written = generation.samples[0].text
    assert len(written) == 20 and set(written) <= set("".join(VERSE.values()))


def test_the_models_odds_for_a_grapheme_are_the_product_of_its_code_points_odds(every_script_model):
    from lstm_poem.network.generate import Generator

    generator = Generator(every_script_model.poem)
    context, line = "नदी के किनारे\n", "किनारे"
    guesses = model_guesses(generator, context, line)
    assert [guess.char for guess in guesses] == graphemes(line) == ["कि", "ना", "रे"]
    vocab = every_script_model.poem.tokenizer.vocab_size

    def folded_odds(prime: str) -> dict[str, float]:  # upper and lower case added, as the game does
        odds = generator.next_token_odds(prime, [1.0], top_n=vocab)
        merged: dict[str, float] = {}
        for label, p in zip(odds.labels, odds.probs[0]):
            merged[label.casefold()] = merged.get(label.casefold(), 0.0) + float(p)
        return merged

    first, second = folded_odds(context), folded_odds(context + "क")
    assert guesses[0].prob == pytest.approx(first["क"] * second["ि"], rel=1e-3)
    # Its guesses: one per likelier first code point, then one per likelier mark after the right one.
    rank_ka = 1 + sum(1 for p in first.values() if p > first["क"] * (1 + 1e-6))
    rank_i = 1 + sum(1 for p in second.values() if p > second["ि"] * (1 + 1e-6))
    assert guesses[0].rank == rank_ka + rank_i - 1
