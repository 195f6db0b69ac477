"""What one step of Watch it write costs, against re-writing the whole poem at every step.

With the default pretrained model and three temperatures, writes N tokens three ways:

- ``generate``: one call to Generator.generate(length=N) (the Generate page);
- ``stepper``: N calls to Stepper.step(), which keeps the recurrent state between steps;
- ``rewrite``: at step k, generate(length=k) from the seed again (what a stateless page would do).

It also times what the page adds to a step: the Vega-Lite specs of the draw chart and of three
columns' odds. Ratios are against ``generate`` in the same run.

Usage (from the repo root)::

    python bench/bench_stepper.py [--steps 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.files.pretrained import pretrained_catalog  # noqa: E402
from lstm_poem.network.generate import Generator  # noqa: E402
from lstm_poem.teaching.step_charts import draw_spec, step_odds_spec  # noqa: E402
from lstm_poem.teaching.stepper import Column, Stepper  # noqa: E402

SEED_TEXT = "Two roads diverged in a yellow wood,\n"
TEMPERATURES = [0.5, 1.0, 1.5]


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    item = pretrained_catalog()[0]
    generator = Generator(item.load())
    n = args.steps

    def step_all() -> None:
        stepper = Stepper(SEED_TEXT, [Column(generator, t) for t in TEMPERATURES], seed=42)
        for _ in range(n):
            stepper.step()

    def rewrite_all() -> None:
        for k in range(1, n + 1):
            generator.generate(SEED_TEXT, TEMPERATURES, length=k, seed=42)

    stepper = Stepper(SEED_TEXT, [Column(generator, t) for t in TEMPERATURES], seed=42)
    stepper.step()
    # Warm-up: compile both graphs once, so the figures are the steady state a class sees.
    generator.generate(SEED_TEXT, TEMPERATURES, length=5, seed=1)
    step_all()

    def charts_all() -> None:
        for _ in range(n):
            draw_spec(stepper.last)
            for column in stepper.last.columns:
                step_odds_spec(column)

    seconds = {
        "generate": timed(lambda: generator.generate(SEED_TEXT, TEMPERATURES, length=n, seed=42)),
        "stepper": timed(step_all),
        "rewrite": timed(rewrite_all),
        "charts": timed(charts_all),
    }
    result = {
        "model": item.name,
        "steps": n,
        "columns": len(TEMPERATURES),
        "ms_per_step": {name: round(1000 * s / n, 2) for name, s in seconds.items()},
        "ratio_to_generate": {name: round(s / seconds["generate"], 1) for name, s in seconds.items()},
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
