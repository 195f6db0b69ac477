"""The command line, run as a user would: a separate process, JSON on stdout."""

import json
import subprocess
import sys

import pytest
from bundle_edits import deeply_nested_json, huge_array_claim

from conftest import BALLADS, ROOT


def run_cli(*args, expect=0):
    proc = subprocess.run(
        [sys.executable, "-m", "lstm_poem", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == expect, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture(scope="module")
def model_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "m.zip"
    proc = run_cli(
        "train",
        BALLADS,
        "--out",
        out,
        "--units",
        32,
        "--embedding",
        16,
        "--seq-len",
        32,
        "--epochs",
        2,
        "--learning-rate",
        0.01,
        "--json",
    )
    summary = json.loads(proc.stdout)
    assert {
        "best_val_loss",
        "best_epoch",
        "epochs_run",
        "stopped_early",
        "stop_reason",
        "val_bits_per_char",
        "train_tokens_per_s",
        "seconds",
        "vocab_size",
        "level",
        "cell",
    } <= set(summary)
    assert summary["epochs_run"] == 2 and summary["stop_reason"] == "max_epochs"
    assert "epoch   2" in proc.stderr
    return out


def test_generate_json_is_deterministic(model_zip):
    args = [
        "generate",
        model_zip,
        "--prime",
        "The miller",
        "--temperatures",
        0,
        0.5,
        1.0,
        1.5,
        "--length",
        100,
        "--seed",
        7,
        "--json",
    ]
    first = json.loads(run_cli(*args).stdout)
    second = json.loads(run_cli(*args).stdout)
    assert [s["temperature"] for s in first["samples"]] == [0, 0.5, 1.0, 1.5]
    assert [s["text"] for s in first["samples"]] == [s["text"] for s in second["samples"]]
    assert first["unknown_chars"] == [] and first["seconds"] > 0
    assert all(s["mean_logprob"] < 0 for s in first["samples"])


def test_generate_human_output_and_unknown_note(model_zip):
    proc = run_cli("generate", model_zip, "--prime", "The §miller", "--temperatures", 0.5, "--length", 20)
    assert "temperature 0.5" in proc.stdout and "'§'" in proc.stderr


def test_evaluate_reports_bits_per_char(model_zip):
    result = json.loads(run_cli("evaluate", model_zip, BALLADS, "--json").stdout)
    assert set(result) >= {"loss", "bits_per_char", "tokens", "chars"}
    assert result["tokens"] == result["chars"] > 10_000


def test_corpora_lists_the_catalog():
    result = json.loads(run_cli("corpora", "--json").stdout)
    assert "ballads" in [c["name"] for c in result["corpora"]]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["train", "missing.txt", "--out", "x.zip"], "No such file"),
        (["train", "lstm_poem/__init__.py", "--out", "x.zip", "--units", 0], "units must be"),
        (["train", "pyproject.toml", "--out", "x.zip", "--seq-len", 900], "too short"),
        (["generate", "pyproject.toml", "--prime", "x"], "not an lstm-poem model bundle"),
        (["evaluate", "missing.zip", BALLADS], "No such model file"),
        (["train", BALLADS, "--out", "/nonexistent/folder/m.zip"], "folder for --out does not exist"),
        (["train", BALLADS, "--out", "x.zip", "--freeze-layers", 1], "only make sense with --init-from"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, fragment):
    proc = run_cli(*args, expect=2)
    assert fragment in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_binary_corpus_and_unknown_prime(model_zip, tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "PNG" in run_cli("train", binary, "--out", tmp_path / "x.zip", expect=2).stderr
    proc = run_cli("generate", model_zip, "--prime", "§§§", expect=2)
    assert "None of the seed" in proc.stderr


def test_fine_tune_from_a_bundle(model_zip, tmp_path):
    text = tmp_path / "mine.txt"
    text.write_text("(my own) small poems about the rain;\nthe rain is mine, and mine the lane.\n" * 30)
    out = tmp_path / "tuned.zip"
    proc = run_cli("train", text, "--init-from", model_zip, "--out", out, "--seq-len", 32, "--epochs", 1, "--json")
    assert "note: The base model had never seen" in proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["units"] == 32 and summary["epochs_run"] == 1  # the base's architecture
    poems = json.loads(run_cli("generate", out, "--prime", "(my", "--length", 20, "--json").stdout)
    assert len(poems["samples"][0]["text"]) == 20
    refused = run_cli("train", text, "--init-from", model_zip, "--units", 64, "--out", out, expect=2)
    assert "architecture is the base model's" in refused.stderr


@pytest.mark.parametrize(
    ("hostile", "fragment"),
    [
        (huge_array_claim, "has shape (100000, 100000), the model needs"),
        (deeply_nested_json, "nested more than 100 levels deep"),
    ],
)
@pytest.mark.parametrize("command", ["generate", "evaluate"])
def test_hostile_bundles_exit_2_with_one_line(good_bytes, tmp_path, hostile, fragment, command):
    """A header claiming 37 GiB and a 100,000-deep bundle.json once ended in MemoryError and RecursionError."""
    path = tmp_path / "hostile.zip"
    path.write_bytes(hostile(good_bytes))
    args = ["--prime", "The"] if command == "generate" else [BALLADS]
    proc = run_cli(command, path, *args, expect=2)
    assert proc.stderr.startswith("error: ") and fragment in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_checkpointed_run_resumes_and_saves_float16(tmp_path):
    poems = tmp_path / "poems.txt"
    stanzas = [s for s in BALLADS.read_text(encoding="utf-8").split("\n\n") if s.strip()]
    poems.write_text("\n\n\n".join(stanzas) + "\n", encoding="utf-8")
    folder, out = tmp_path / "run", tmp_path / "base.zip"
    args = ["train", poems, "--out", out, "--units", 32, "--embedding", 16, "--seq-len", 32, "--holdout", "poems"]
    args += ["--steps-per-epoch", 3, "--checkpoint-dir", folder, "--weight-dtype", "float16", "--json"]
    first = run_cli(*args, "--epochs", 1)
    assert "checkpoints go to" in first.stderr and (folder / "best.zip").is_file()
    second = run_cli(*args, "--epochs", 2)
    assert "after epoch 1" in second.stderr and json.loads(second.stdout)["epochs_run"] == 2
    assert out.stat().st_size < (folder / "best.zip").stat().st_size  # float16 weights, float32 checkpoint
    assert json.loads(run_cli("evaluate", out, poems, "--json").stdout)["loss"] > 0
    assert "other settings (seq_len)" in run_cli(*args[:-5], "--seq-len", 16, *args[-5:], expect=2).stderr


def test_a_new_transformer_trains_by_its_own_recipe(tmp_path):
    """Only the shape given: the batch, rate, optimizer and schedule are the Transformer's, not the LSTM's."""
    from lstm_poem.files.bundle import load_bundle
    from lstm_poem.training.train_config import TRANSFORMER_TRAINING

    out = tmp_path / "gpt.zip"
    shape = ["--cell", "transformer", "--layers", 1, "--units", 16, "--heads", 2, "--context", 16, "--seq-len", 16]
    run_cli("train", BALLADS, "--out", out, *shape, "--epochs", 1, "--steps-per-epoch", 2, "--warmup-steps", 1)
    training = load_bundle(out).info["training"]
    assert {key: training[key] for key in TRANSFORMER_TRAINING} == {**TRANSFORMER_TRAINING, "warmup_steps": 1}
