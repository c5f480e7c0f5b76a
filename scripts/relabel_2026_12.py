"""Apply the December 2026 relabelling of the shipped corpus (docs/codebook.md, 2.1).

Every clause of data/seed, data/supplement and data/dev was read against the
codebook's decision rules; the candidates for each checkable rule were first
flagged by the rule patterns of data/audit_rules.toml (`itunlp audit --no-model`),
then each was decided by hand. The decisions are data/relabel-2026-12.csv, one per
changed clause: clause_id, old_themes, new_themes (";"-separated), the codebook
rule and the reason. This script applies them: it checks that each clause still
has its old themes, writes the new ones and appends
"relabel-2026-12: codebook <rule>" to its note. Text, offsets and function are
untouched. It refuses to run twice (the old themes no longer match).

Run from the repository root: python scripts/relabel_2026_12.py
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    "data/seed/clauses.jsonl",
    "data/supplement/clauses-a.jsonl",
    "data/supplement/clauses-b.jsonl",
    "data/dev/clauses.jsonl",
]
DECISIONS = ROOT / "data" / "relabel-2026-12.csv"
NOTE = "relabel-2026-12: codebook {rule}"


def read_decisions() -> dict[str, dict[str, str]]:
    with DECISIONS.open(encoding="utf-8", newline="") as handle:
        return {row["clause_id"]: row for row in csv.DictReader(handle)}


def themes_of(cell: str) -> list[str]:
    return [t for t in cell.split(";") if t]


def main() -> int:
    decisions = read_decisions()
    seen: set[str] = set()
    for name in FILES:
        path = ROOT / name
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            decision = decisions.get(record["clause_id"])
            if decision is not None:
                old, new = themes_of(decision["old_themes"]), themes_of(decision["new_themes"])
                if sorted(record["themes"]) != sorted(old):
                    print(
                        f"{record['clause_id']}: themes are {record['themes']}, expected {old}; "
                        "already relabelled?",
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
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    missing = sorted(set(decisions) - seen)
    if missing:
        print(f"clause ids not found: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"{len(seen)} clauses relabelled as {DECISIONS.relative_to(ROOT)} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
