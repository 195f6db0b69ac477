"""Slider-to-poem on the server alone, while trainings run: no browser on the machine.

``bench/class_load.py`` measures slider-to-poem in Chromium, whose rendering
shares this machine's two cores with the trainings. Here the Generate page runs
headless (Streamlit's AppTest, the same script and engine a server runs) in one
process with ``--trainings`` Quick-demo trainings going, and each nudge of a
temperature slider is timed from the change to the new poems drawn. Usage::

    python bench/slider_server.py [--trainings 2] [--moves 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from streamlit.testing.v1 import AppTest  # noqa: E402

from lstm_poem.running.job import TrainingJob  # noqa: E402
from lstm_poem.text.corpus import load_corpus  # noqa: E402
from lstm_poem.training.presets import PRESETS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def nudge_times(moves: int, seed: int) -> list[float]:
    """Seconds per slider nudge on the Generate page; each call uses its own random seed, so none of
    its poems were written before (the server remembers the pretrained model's poems)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state["kept"] = {"sample_seed": seed}
    at.run()
    at.switch_page("app_pages/generate.py").run()
    times = []
    for move in range(moves):
        value = round(1.5 - 0.05 * (move + 1), 2)  # a new temperature each time: no poem is remembered
        started = time.perf_counter()
        at.slider(key="temperature_2").set_value(value).run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainings", type=int, default=2)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()
    nudge_times(2, seed=1)  # TensorFlow started, the sampler compiled
    quiet = nudge_times(args.moves, seed=2)
    preset = PRESETS["Quick demo"]
    corpus = load_corpus(ROOT / "sample_corpora" / "sonnets.txt")
    jobs = [TrainingJob(corpus, preset.model, preset.training).start() for _ in range(args.trainings)]
    time.sleep(3)  # past building the models
    busy = nudge_times(args.moves, seed=3)
    still_training = all(job.snapshot().running for job in jobs)
    for job in jobs:
        job.stop()
        job.join()

    def summary(times: list[float]) -> dict:
        return {"median_s": round(statistics.median(times), 3), "worst_s": round(max(times), 3), "n": len(times)}

    print(
        json.dumps(
            {
                "no_training": summary(quiet),
                f"{args.trainings}_trainings": summary(busy),
                "trainings_ran_throughout": still_training,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
