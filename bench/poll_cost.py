"""What one poll of a running training costs the server's script thread, before and after.

While a training runs, every student's Train page redraws its live view once a
second, on a script thread that shares the GIL with all the trainings. This
measures, in one process, the two costs that made a class crawl:

- drawing the loss chart: building and validating an Altair chart and handing
  it to Streamlit on every poll (before), against filling a cached Vega-Lite
  template (a poll that brings new records) and re-sending the cached spec (a
  poll that finds nothing new);
- the full garbage collection Streamlit ran after every script run, with
  TensorFlow and the pretrained models in memory, against the same collection
  once the long-lived heap is frozen (ui/memory.py).

Streamlit runs "bare" here (no server), which still serialises each chart
exactly as it would for a page. Usage::

    python bench/poll_cost.py [--epochs 30] [--batches 1800]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import statistics
import time

from lstm_poem import limits

limits.set_tensorflow_defaults()
logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare mode warns on every call

import streamlit as st  # noqa: E402

from lstm_poem.teaching.loss_charts import loss_chart, loss_chart_spec  # noqa: E402
from lstm_poem.training.records import BatchRecord, EpochRecord  # noqa: E402


def records(epochs: int, batches: int) -> tuple[list[EpochRecord], list[BatchRecord]]:
    per_epoch = max(batches // epochs, 1)
    epoch_records = [
        EpochRecord(e, 2.5 - 0.02 * e, 2.6 - 0.02 * e, 2.6 - 0.02 * e, e, 0, 5, 0.01, float(e), "a sample " * 18)
        for e in range(1, epochs + 1)
    ]
    batch_records = [BatchRecord(1 + i // per_epoch, i % per_epoch + 1, per_epoch, 2.0, i / 10) for i in range(batches)]
    return epoch_records, batch_records


def milliseconds(work, repeats: int) -> float:
    """Median wall time of ``work()`` in ms."""
    work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30, help="epochs recorded so far")
    parser.add_argument("--batches", type=int, default=1800, help="batch records so far (the job keeps 2000)")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    epochs, batches = records(args.epochs, args.batches)
    cached = loss_chart_spec(epochs, batches)
    report = {
        "chart_altair_per_poll_ms": milliseconds(lambda: st.altair_chart(loss_chart(epochs, batches)), args.repeats),
        "chart_new_records_ms": milliseconds(
            lambda: st.vega_lite_chart(spec=loss_chart_spec(epochs, batches)), args.repeats
        ),
        "chart_nothing_new_ms": milliseconds(lambda: st.vega_lite_chart(spec=cached), args.repeats),
    }
    from lstm_poem.files.pretrained import pretrained_catalog
    from lstm_poem.network.generate import Generator

    # The server's heap once a class has used it: TensorFlow, every pretrained model and its sampler.
    samplers = [Generator(item.load()) for item in pretrained_catalog()]
    for sampler in samplers:
        sampler.generate("The ", [0.5, 1.0, 1.5], 40, seed=1)
    report["full_collection_ms"] = milliseconds(gc.collect, 5)
    gc.freeze()
    report["full_collection_frozen_ms"] = milliseconds(gc.collect, 5)
    report = {key: round(value, 3) for key, value in report.items()}
    report["chart_speedup_nothing_new"] = round(report["chart_altair_per_poll_ms"] / report["chart_nothing_new_ms"], 1)
    report["chart_speedup_new_records"] = round(report["chart_altair_per_poll_ms"] / report["chart_new_records_ms"], 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
