"""Apply the December 2026 label review (docs/codebook.md, 2.1) to every label set.

After the December 2026 relabelling (scripts/relabel_2026_12.py), the label audit
(`itunlp audit`) was run over the shipped corpus and the new labelled sets together
(data/seed, data/supplement, data/dev, data/documents, data/formats/rules). Every
out-of-fold disagreement and near-duplicate finding was read and decided by the
codebook, not by the model, and the pattern the findings pointed at (clauses that
only point back or ahead, "and that has to change.", taking a theme from their
neighbour: rule 2.1.1) was searched for in every set. The decisions are
data/relabel-2026-12-review.csv, one per changed clause: file, clause_id,
old_themes, new_themes (";"-separated), the codebook rule and the reason.

This script applies them: it checks that each clause still has its old themes,
writes the new ones and appends "relabel-2026-12-review: codebook <rule>" to its
note. Text, offsets, function and every other field are untouched, and every
other line of the files stays byte-identical. It refuses to run twice (the old
themes no longer match).

Run from the repository root: python scripts/relabel_2026_12_review.py
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DECISIONS = ROOT / "data" / "relabel-2026-12-review.csv"
NOTE = "relabel-2026-12-review: codebook {rule}"


def read_decisions() -> dict[str, dict[str, dict[str, str]]]:
    """Decisions per label file, then per clause id."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    with DECISIONS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["file"], {})[row["clause_id"]] = row
    return out


def themes_of(cell: str) -> list[str]:
    return [t for t in cell.split(";") if t]


def main() -> int:
    decisions = read_decisions()
    seen: set[str] = set()
    wanted = {cid for per_file in decisions.values() for cid in per_file}
    outputs: dict[Path, str] = {}
    for name, per_file in decisions.items():
        path = ROOT / name
        lines = path.read_text(encoding="utf-8").splitlines()
        out = []
        for line in lines:
            record = json.loads(line)
            decision = per_file.get(record["clause_id"])
            if decision is None:
                out.append(line)
                continue
            old, new = themes_of(decision["old_themes"]), themes_of(decision["new_themes"])
            if sorted(record["themes"]) != sorted(old):
                print(
                    f"{name}: {record['clause_id']}: themes are {record['themes']}, "
                    f"expected {old}; already relabelled?",
                    file=sys.stderr,
                )
                return 1
            # Keep the order of themes that stay; new ones follow, sorted.
            kept = [t for t in record["themes"] if t in new]
            record["themes"] = kept + sorted(set(new) - set(kept))
            note = NOTE.format(rule=decision["rule"])
            record["note"] = f"{record['note']}; {note}" if record["note"] else note
            seen.add(record["clause_id"])
            out.append(json.dumps(record, ensure_ascii=False))
        outputs[path] = "\n".join(out) + "\n"
    missing = sorted(wanted - seen)
    if missing:
        print(f"clause ids not found in their file: {', '.join(missing)}", file=sys.stderr)
        return 1
    # Nothing is written unless every decision checked out.
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    print(f"{len(seen)} clauses relabelled as {DECISIONS.relative_to(ROOT)} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
