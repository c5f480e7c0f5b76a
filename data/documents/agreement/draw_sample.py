"""Draw the blind agreement sample of data/documents (issue 12, item 2).

A seeded random 10% of the clauses of clauses-a.jsonl and clauses-b.jsonl,
stratified by document: each document gives round(10% of its clauses), at least
2, so the sample has at least 80 clauses. The sample file carries only what a
second annotator may see (position, text, heading, section and the neighbouring
clauses' text for context), never the gold themes or notes.

Run from the repository root:  python data/documents/agreement/draw_sample.py
"""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 20261202
FRACTION = 0.10
MIN_PER_DOC = 2
MIN_TOTAL = 80
VISIBLE = ["doc_id", "clause_id", "start", "end", "text", "function", "section"]
COLUMNS = [*VISIBLE, "previous_text", "next_text"]


def load() -> dict[str, list[dict]]:
    by_doc: dict[str, list[dict]] = {}
    for name in ("clauses-a.jsonl", "clauses-b.jsonl"):
        with open(ROOT / name, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                # Keep only the visible fields: themes and notes never leave this function.
                by_doc.setdefault(row["doc_id"], []).append({k: row[k] for k in VISIBLE})
    return by_doc


def draw(by_doc: dict[str, list[dict]]) -> list[dict]:
    rng = random.Random(SEED)
    total = sum(len(rows) for rows in by_doc.values())
    quota = {d: max(MIN_PER_DOC, round(FRACTION * len(rows))) for d, rows in by_doc.items()}
    # Top up (largest documents first) if rounding left the sample short of 10% / 80.
    target = max(MIN_TOTAL, math.ceil(FRACTION * total))
    for doc in sorted(by_doc, key=lambda d: (-len(by_doc[d]), d)):
        if sum(quota.values()) >= target:
            break
        quota[doc] += 1
    sample = []
    for doc in sorted(by_doc):
        rows = sorted(by_doc[doc], key=lambda r: r["start"])
        for i in sorted(rng.sample(range(len(rows)), quota[doc])):
            row = dict(rows[i])
            row["previous_text"] = rows[i - 1]["text"] if i > 0 else ""
            row["next_text"] = rows[i + 1]["text"] if i + 1 < len(rows) else ""
            sample.append(row)
    return sample


def main() -> None:
    by_doc = load()
    sample = draw(by_doc)
    with open(HERE / "sample.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(sample)
    total = sum(len(rows) for rows in by_doc.values())
    print(f"{len(sample)} of {total} clauses from {len(by_doc)} documents -> sample.csv")


if __name__ == "__main__":
    main()
