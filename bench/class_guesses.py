"""What the guessing game's class total costs a server with 30 students.

Thirty threads (one per session) each add a finished game on the same line and
then read the total as often as the page's fragment would over a lesson step
(every 10 seconds for 7 minutes: 42 reads), all at once. Reports the time per
add and per read (with Shannon's bounds worked out, as the page does) and the
pool's size after 1 and after 30 students: it holds tallies, not games, so it
does not grow with the class.

Usage (from the repo root)::

    flock /tmp/lstm-poem-bench.lock nice -n 0 python bench/class_guesses.py [--sessions 30]
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import threading
import time
from pathlib import Path

from lstm_poem.teaching.guessing import ClassTotals, ModelGuess, game_lines

ROOT = Path(__file__).resolve().parent.parent

READS_PER_SESSION = 42  # a 7-minute step, redrawn every 10 seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=30)
    args = parser.parse_args()
    line = game_lines()[0]
    rng = random.Random(3)
    model = [ModelGuess(char, 0.5, rng.randint(1, 12)) for char in line.letters]
    games = [[rng.randint(1, 15) for _ in line.letters] for _ in range(args.sessions)]
    totals = ClassTotals([other.key for other in game_lines()])
    add_times: list[float] = []
    read_times: list[float] = []
    sizes = {}
    lock = threading.Lock()
    start_together = threading.Barrier(args.sessions)

    def student(number: int, counts: list[int]) -> None:
        start_together.wait()
        begin = time.thread_time()  # this thread's own CPU time: the work, not the wait for the GIL
        totals.add(line.key, counts, model, player=f"student {number}")
        added = time.thread_time() - begin
        reads = []
        for _ in range(READS_PER_SESSION):
            begin = time.thread_time()
            totals.line(line.key).bounds()
            reads.append(time.thread_time() - begin)
        with lock:
            add_times.append(added)
            read_times.extend(reads)

    totals_one = ClassTotals([line.key])
    totals_one.add(line.key, games[0], model, player="student 0")
    sizes["pool_bytes_after_1"] = len(pickle.dumps(totals_one.line(line.key)))
    threads = [threading.Thread(target=student, args=(n, counts)) for n, counts in enumerate(games)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    pooled = totals.line(line.key)
    sizes[f"pool_bytes_after_{args.sessions}"] = len(pickle.dumps(pooled))
    read_times.sort()
    print(
        json.dumps(
            {
                "sessions": args.sessions,
                "line_chars": len(line.line),
                "players_pooled": pooled.players,
                "chars_pooled": pooled.chars,
                "add_cpu_us_max": round(max(add_times) * 1e6, 1),
                "read_cpu_us_median": round(read_times[len(read_times) // 2] * 1e6, 1),
                "read_cpu_us_p99": round(read_times[int(len(read_times) * 0.99)] * 1e6, 1),
                "all_sessions_wall_ms": round(wall * 1000, 1),
                **sizes,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
