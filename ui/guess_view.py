"""The guessing game's page parts: the line with its context, the guess box, the score table, the class total."""

from __future__ import annotations

import html

import streamlit as st

from lstm_poem.teaching.guessing import (
    MIN_POOLED_CHARS,
    Comparison,
    Game,
    GameLine,
    GuessError,
    ModelGuess,
    compare,
    game_lines,
    model_guesses,
)
from ui import classroom, memo, session_models
from ui.format import plain

PREFERRED_MODEL = session_models.PRETRAINED_PREFIX + "frost"
CLASS_REFRESH_SECONDS = 10  # the class total redraws itself this often: one locked dict read per session
TEXT_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.3rem; line-height: 1.6"
CURSOR_STYLE = "background: #4c78a8; color: white; border-radius: 3px; padding: 0 4px"
# Room for one letter of any script: a Hindi conjunct with its vowel sign, or an emoji, is several code points.
GUESS_MAX_CHARS = 8


@st.cache_resource(show_spinner=False)
def held_out_lines() -> dict[str, GameLine]:
    return {line.key: line for line in game_lines()}


def game_model() -> session_models.ModelEntry | None:
    """Frost's model when it is installed, else the first pretrained model that writes characters."""
    models = session_models.pretrained_models()
    if PREFERRED_MODEL in models:
        return models[PREFERRED_MODEL]
    return next((entry for entry in models.values() if entry.config.level == "char"), None)


def model_odds(entry: session_models.ModelEntry, line: GameLine) -> list[ModelGuess]:
    """The model's rank and probability for each character: worked out once per server and line."""
    return memo.remembered(
        ("guessing game", entry.key, line.key),
        lambda: model_guesses(entry.generator(), line.context, line.line),
        shared=True,
    )


def current_game(line: GameLine) -> Game:
    games: dict[str, Game] = st.session_state.setdefault("guess_games", {})
    return games.setdefault(line.key, Game(line))


def _take_guess(line: GameLine) -> None:
    game = current_game(line)
    char = st.session_state.get("guess_char", "")
    try:
        right = game.guess(char)
    except GuessError as err:
        st.session_state["guess_feedback"] = ("warning", str(err))
        return
    if right:
        count = game.counts[-1]
        st.session_state["guess_feedback"] = (
            "success",
            f"Right: **{_visible(game.revealed[-1])}** after {count} guess{'es' if count > 1 else ''}.",
        )
    else:
        tried = ", ".join(_visible(c) for c in game.tried)
        st.session_state["guess_feedback"] = ("info", f"Not **{_visible(char)}**. Try again (tried: {tried}).")


def _restart(line: GameLine) -> None:
    st.session_state.setdefault("guess_games", {})[line.key] = Game(line)
    st.session_state.pop("guess_feedback", None)


def _pool(line: GameLine, model: list[ModelGuess]) -> None:
    """Add this session's game on ``line`` to its class's total: once per line and browser (a replay or a
    reload does not count again), and only a game of at least ``MIN_POOLED_CHARS`` characters."""
    pooled: set = st.session_state.setdefault("guess_pooled", set())
    game = current_game(line)
    totals = classroom.guessing_totals(held_out_lines)
    if totals is None or line.key in pooled or len(game.counts) < MIN_POOLED_CHARS:
        return
    totals.add(line.key, game.counts, model, player=classroom.visitor())
    pooled.add(line.key)  # also when the browser had added it before this reload: it is in the total


def show_line(game: Game) -> None:
    line = game.line
    context = f'<span style="color: #888">{html.escape(line.context)}</span>'
    revealed = f"<b>{html.escape(game.revealed)}</b>"
    ahead = len(line.line) - len(game.counts)
    cursor = f'<span style="{CURSOR_STYLE}">?</span>' if ahead else ""
    rest = "·" * max(ahead - 1, 0)
    # dir="auto": a Hebrew or Arabic line runs right to left, its cursor after the revealed letters.
    st.html(f'<div class="guess-line" dir="auto" style="{TEXT_STYLE}">{context}{revealed}{cursor}{rest}</div>')
    st.caption(f"{len(game.counts)} of {len(line.letters)} characters guessed.")


def show_guess_box(game: Game, model: list[ModelGuess]) -> None:
    line = game.line
    in_class = classroom.current_class() is not None
    if game.done:
        _pool(line, model)
        pooled = " Your guesses are in the class total." if in_class else ""
        st.success(f"You have guessed the whole line.{pooled}", icon=":material/flag:")
    else:
        with st.form("guess_form", clear_on_submit=True, border=False):
            st.text_input(
                "Your guess for the next character",
                max_chars=GUESS_MAX_CHARS,
                key="guess_char",
                help="One letter, with its accents or vowel signs; upper or lower case count the same. "
                "Type a space for a space.",
            )
            st.form_submit_button("Guess", icon=":material/keyboard_return:", on_click=_take_guess, args=(line,))
    feedback = st.session_state.get("guess_feedback")
    if feedback:
        kind, text = feedback
        getattr(st, kind)(text)
    with st.container(horizontal=True):
        pooled = line.key in st.session_state.get("guess_pooled", set())
        if st.button(
            "Add my guesses to the class total",
            icon=":material/groups:",
            disabled=pooled or len(game.counts) < MIN_POOLED_CHARS or not in_class,
            help=f"Only the numbers of guesses are pooled, never a name. Your first try on each line counts, once "
            f"you have guessed at least {MIN_POOLED_CHARS} characters of it. Join a class on the start page first.",
        ):
            _pool(line, model)
            st.rerun()
        st.button("Start this line again", icon=":material/restart_alt:", on_click=_restart, args=(line,))


def show_scores(game: Game, model: list[ModelGuess], model_name: str) -> None:
    if not game.counts:
        return
    result = compare(game.counts, model)
    st.markdown(
        f"#### You: {result.you.upper:.2f} bits/char, the {model_name} model: {result.model.upper:.2f}, "
        f"on the same {result.chars} characters"
    )
    st.caption(
        f"Both by Shannon's guessing method (upper bounds; the lower bounds are {result.you.lower:.2f} for you and "
        f"{result.model.lower:.2f} for the model). The model's own odds give it {result.model_bits:.2f} bits/char: "
        "that is how its loss is measured."
    )
    st.markdown(_who_won(game, result, model_name))
    st.dataframe(
        [
            {
                "character": {" ": "␣"}.get(guess.char, guess.char),
                "your guesses": count,
                "the model's rank": guess.rank,
                "the model's probability": f"{guess.prob:.1%}",
                "better": "you" if count < guess.rank else "the model" if guess.rank < count else "tie",
            }
            for count, guess in zip(game.counts, model)
        ],
        hide_index=True,
    )


def _who_won(game: Game, result: Comparison, model_name: str) -> str:
    def spots(positions: list[int]) -> str:
        shown = ", ".join(f"**{_visible(game.line.letters[i])}** (character {i + 1})" for i in positions[:8])
        return shown + (f" and {len(positions) - 8} more" if len(positions) > 8 else "") if positions else "nowhere"

    return (
        f"- You beat the model at {spots(result.you_better)}.\n"
        f"- The {model_name} model beat you at {spots(result.model_better)}."
    )


def show_class_total(line: GameLine, model_name: str) -> None:
    """The pooled results of everyone in this session's class for this line, redrawn every few seconds."""

    @st.fragment(run_every=CLASS_REFRESH_SECONDS)
    def total() -> None:
        totals = classroom.guessing_totals(held_out_lines)
        if totals is None:
            st.caption(
                "You are in no class, so your guesses stay yours. Join your class on the start page (with the "
                "link or code your teacher shows) to pool them with theirs."
            )
            return
        pooled = totals.line(line.key)
        if not pooled.players:
            st.caption("No one in your class has added guesses for this line yet.")
            return
        you, model = pooled.bounds()
        students = "1 student" if pooled.players == 1 else f"{pooled.players} students"
        st.markdown(
            f"**The class: {you.upper:.2f} bits/char, the {model_name} model: {model.upper:.2f}**, "
            f"on the same {pooled.chars} characters ({students}, no names)."
        )

    total()


def _visible(char: str) -> str:
    """A character as markdown shows it: a space and a line break made visible, markup characters escaped."""
    return plain({" ": "␣", "\n": "⏎"}.get(char, char))
