"""Counts per theme and corpus part, for the datasheet (data/README.md).

Prints two Markdown tables: the counts as the label files stand now, and the
counts before and after the December 2026 relabelling (the "before" labels are
rebuilt from data/relabel-2026-12.csv, so no old copy of the files is needed).

Run from the repository root: python scripts/theme_counts.py
"""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = {
    "seed": ["data/seed/clauses.jsonl"],
    "supplement": ["data/supplement/clauses-a.jsonl", "data/supplement/clauses-b.jsonl"],
    "dev": ["data/dev/clauses.jsonl"],
}
LOG = ROOT / "data" / "relabel-2026-12.csv"


def themes_in_order() -> list[str]:
    scheme = tomllib.loads((ROOT / "data" / "themes.toml").read_text(encoding="utf-8"))
    return [t["id"] for t in scheme["theme"] if not t.get("retired", False)]


def records(part: str) -> list[dict]:
    rows = []
    for name in PARTS[part]:
        with (ROOT / name).open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return rows


def old_themes() -> dict[str, list[str]]:
    with LOG.open(encoding="utf-8", newline="") as handle:
        return {
            row["clause_id"]: [t for t in row["old_themes"].split(";") if t]
            for row in csv.DictReader(handle)
        }


def counts(rows: list[dict], themes: list[str], override: dict[str, list[str]]) -> dict:
    out = dict.fromkeys([*themes, "(no theme)", "clauses"], 0)
    for row in rows:
        labels = override.get(row["clause_id"], row["themes"])
        for theme in labels:
            out[theme] += 1
        if not labels:
            out["(no theme)"] += 1
        out["clauses"] += 1
    return out


def main() -> None:
    themes = themes_in_order()
    before = old_themes()
    now = {part: counts(records(part), themes, {}) for part in PARTS}
    old = {part: counts(records(part), themes, before) for part in PARTS}
    keys = [*themes, "(no theme)", "clauses"]

    print("| theme | seed | supplement | dev | all |")
    print("|---|---:|---:|---:|---:|")
    for key in keys:
        cells = [now[p][key] for p in PARTS]
        print(f"| {key} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    print()
    print(
        "| theme | seed before | seed after | supplement before | supplement after "
        "| dev before | dev after | all before | all after | change |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in keys:
        cells = []
        for part in PARTS:
            cells += [old[part][key], now[part][key]]
        total_old = sum(old[p][key] for p in PARTS)
        total_new = sum(now[p][key] for p in PARTS)
        print(
            f"| {key} | "
            + " | ".join(map(str, cells))
            + f" | {total_old} | {total_new} | {total_new - total_old:+d} |"
        )


if __name__ == "__main__":
    main()
