"""The guessing game page and the copy marks, driven with AppTest from the app's entry point."""

from app_helpers import button, charts, finished, new_class, open_page, paste_and_configure, texts, wait_for

from lstm_poem.teaching.guessing import MIN_POOLED_CHARS, game_lines


def guess(at, char: str) -> None:
    at.text_input(key="guess_char").set_value(char)
    button(at, "Guess").click().run()
    assert not at.exception, at.exception


def class_line(at) -> str:
    return next((text for text in texts(at.markdown) if text.startswith("**The class:")), "")


def test_a_student_plays_a_line_against_the_model_and_joins_the_class_total():
    line = game_lines()[0]
    link = {"class": new_class()}
    at = open_page("app_pages/guess.py", link)
    assert at.selectbox(key="guess_line").value == line.key
    guess(at, "#")
    assert any("Not" in text and "tried" in text for text in texts(at.info))
    for char in line.line[:5]:
        guess(at, char)
    (score,) = [text for text in texts(at.markdown) if text.startswith("#### You:")]
    assert "bits/char" in score and "Robert Frost model" in score and "on the same 5 characters" in score
    table = at.dataframe[0].value
    assert list(table["your guesses"]) == [2, 1, 1, 1, 1] and (table["the model's rank"] >= 1).all()
    assert button(at, "Add my guesses to the class total").disabled  # too short to count yet
    for char in line.line[5:MIN_POOLED_CHARS]:
        guess(at, char)

    players_before = class_line(open_page("app_pages/guess.py", link))
    button(at, "Add my guesses to the class total").click().run()
    assert button(at, "Add my guesses to the class total").disabled  # once per line and session
    after = class_line(open_page("app_pages/guess.py", link))  # a classmate sees it
    assert after and after != players_before and "(1 student, no names)" in after
    assert not class_line(open_page("app_pages/guess.py", {"class": new_class()}))  # another class does not

    # A reload is a new session of the same browser (its token is in the address): the line does not count twice.
    again = open_page("app_pages/guess.py", {**link, "me": at.session_state["visitor"]})
    for char in line.line[:MIN_POOLED_CHARS]:
        guess(again, char)
    button(again, "Add my guesses to the class total").click().run()
    assert class_line(open_page("app_pages/guess.py", link)) == after


def test_a_student_in_no_class_plays_alone():
    at = open_page("app_pages/guess.py")
    for char in game_lines()[0].line[:MIN_POOLED_CHARS]:
        guess(at, char)
    assert button(at, "Add my guesses to the class total").disabled
    assert any("You are in no class" in text for text in texts(at.caption))


def test_an_empty_guess_is_refused_with_a_message():
    at = open_page("app_pages/guess.py")
    button(at, "Guess").click().run()
    assert any("exactly one letter" in text for text in texts(at.warning))


def test_generate_says_how_much_of_each_poem_was_copied():
    at = open_page("app_pages/generate.py")
    captions = [text for text in texts(at.caption) if "copied:" in text]
    assert len(captions) == 3
    assert all("of this poem" in text or "not checked" in text for text in captions)


def test_after_a_run_the_train_page_charts_the_copied_share_of_each_epoch(small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(at, small_text, setting_epochs=3, setting_patience=5)
    button(at, "Train").click().run()
    wait_for(at, finished)
    assert "Is it learning, or memorising?" in texts(at.subheader)
    (chart,) = [spec for spec in charts(at) if "vconcat" in spec]
    losses, copied = chart["vconcat"]
    assert copied["description"] == "copied share" and len(copied["data"]["values"]) == 3


def test_a_german_line_is_guessed_letter_by_letter_with_unicode_case_folding():
    line = next(line for line in game_lines() if line.key == "lieder-1")
    at = open_page("app_pages/guess.py")
    at.selectbox(key="guess_line").set_value(line.key).run()
    for letter in line.letters[:6]:
        guess(at, letter.swapcase())
    table = at.dataframe[0].value
    assert list(table["your guesses"]) == [1] * 6 and list(table["character"]) == [
        {" ": "␣"}.get(letter, letter) for letter in line.letters[:6]
    ]
    assert any('dir="auto"' in element.proto.body for element in at.get("html"))
