"""Does retraining with a user's labels improve the rest of their documents? (issue 12)

For each held-out source (every writer of ``data/documents`` and the dev set), the
source's documents are cut into two halves (seeded). The model trained on the
shipped corpus *without* that source (the unchanged model) scores half B; then half
A's labels are given to ``itunlp.training.train`` as a user's labels, the code path
of ``itunlp train LABELS``:

* **plain**: weight 1 (ordinary extra labels), thresholds re-tuned with the user's
  clauses counting as much as the shipped corpus;
* **adapted**: what ``train`` does by default, the user's weight chosen among
  ``USER_WEIGHTS`` by grouped cross-validation on the user's documents.

Each model scores half B (micro-F1 over its clauses); with the halves swapped too
(unless ``--one-way``). The gain is the adapted model's F1 minus the unchanged one's,
averaged per source and then over sources (the issue's target: +0.03).

Run ``python benchmarks/bench_adaptation.py`` (about 10 minutes on 2 cores with
``--jobs 2``); ``--source documents:ngo --one-way`` for a quick look.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "src"))

from reporting import header_lines  # noqa: E402  (a sibling script, not a package)

PACKAGES = ("itunlp", "scikit-learn", "numpy", "pandas")
TARGET_GAIN = 0.03


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="append", default=[], help="held-out source(s)")
    parser.add_argument("--one-way", action="store_true", help="label one half only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (sources)")
    args = parser.parse_args(argv)

    from itunlp.cli._retrain import format_adaptation
    from itunlp.training import USER_WEIGHTS, adaptation_benchmark

    for label, value in header_lines(PACKAGES):
        print(f"{label}: {value}")
    print(f"candidate user weights: {', '.join(map(str, USER_WEIGHTS))}")
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = adaptation_benchmark(
            args.source or None, seed=args.seed, swap=not args.one_way, n_jobs=args.jobs
        )
    print()
    print(format_adaptation(table))
    gain = table.attrs["mean_gain"]
    verdict = "met" if gain >= TARGET_GAIN else "not met"
    print(f"Target: mean gain >= +{TARGET_GAIN:.2f} micro-F1: {verdict} ({gain:+.3f})")
    print(f"took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
