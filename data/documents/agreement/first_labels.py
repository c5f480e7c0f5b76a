"""Write first-annotator.csv: the gold themes (clauses-a/b.jsonl) of the sample's clauses.

Run AFTER second-annotator.csv exists (the second labelling is blind to these).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COLUMNS = ["doc_id", "clause_id", "start", "end", "text", "themes", "annotator"]


def main() -> None:
    if not (HERE / "second-annotator.csv").exists():
        sys.exit("second-annotator.csv first: the second labelling must be blind")
    gold = {}
    for name in ("clauses-a.jsonl", "clauses-b.jsonl"):
        with open(ROOT / name, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    gold[row["clause_id"]] = row
    with open(HERE / "sample.csv", encoding="utf-8", newline="") as handle:
        sample = list(csv.DictReader(handle))
    with open(HERE / "first-annotator.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for s in sample:
            g = gold[s["clause_id"]]
            assert g["text"] == s["text"] and str(g["start"]) == s["start"]
            writer.writerow(
                {
                    **{k: g[k] for k in COLUMNS[:5]},
                    "themes": ";".join(g["themes"]),
                    "annotator": g["annotator"],
                }
            )
    print(f"{len(sample)} clauses -> first-annotator.csv")


if __name__ == "__main__":
    main()
