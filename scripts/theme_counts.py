"""Counts per theme and corpus part, for the datasheet (data/README.md).

Prints two Markdown tables: the counts as the label files stand now, and the
counts before and after the December 2026 relabelling (the "before" labels are
rebuilt from data/relabel-2026-12.csv, the "after" labels by undoing the later
review of data/relabel-2026-12-review.csv, so no old copy of the files is needed).

With --review: the counts before and after the December 2026 label review
(data/relabel-2026-12-review.csv) over every label set it covered, the shipped
parts and the new labelled sets (data/documents, data/formats/rules), and the
themes added and removed per rule.

With --corpus: the counts of the whole training corpus as `itunlp train` reads it, per
part (seed, supplement, dev, documents, formats).

Run from the repository root: python scripts/theme_counts.py [--review | --corpus]
"""

from __future__ import annotations

import csv
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = {
    "seed": ["data/seed/clauses.jsonl"],
    "supplement": ["data/supplement/clauses-a.jsonl", "data/supplement/clauses-b.jsonl"],
    "dev": ["data/dev/clauses.jsonl"],
}
LOG = ROOT / "data" / "relabel-2026-12.csv"
REVIEW_LOG = ROOT / "data" / "relabel-2026-12-review.csv"
REVIEW_PARTS = {
    **PARTS,
    "documents": ["data/documents/clauses-a.jsonl", "data/documents/clauses-b.jsonl"],
    "formats/rules": ["data/formats/rules/clauses.jsonl"],
}


def themes_in_order() -> list[str]:
    scheme = tomllib.loads((ROOT / "data" / "themes.toml").read_text(encoding="utf-8"))
    return [t["id"] for t in scheme["theme"] if not t.get("retired", False)]


def records(part: str, parts: dict[str, list[str]] = PARTS) -> list[dict]:
    rows = []
    for name in parts[part]:
        with (ROOT / name).open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return rows


def old_themes(log: Path = LOG) -> dict[str, list[str]]:
    with log.open(encoding="utf-8", newline="") as handle:
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
    # The relabelling's "after" is the state before the later review (its old themes);
    # its "before" undoes both, the relabelling's own old themes winning.
    after = old_themes(REVIEW_LOG) if REVIEW_LOG.exists() else {}
    before = {**after, **old_themes()}
    current = {part: counts(records(part), themes, {}) for part in PARTS}
    now = {part: counts(records(part), themes, after) for part in PARTS}
    old = {part: counts(records(part), themes, before) for part in PARTS}
    keys = [*themes, "(no theme)", "clauses"]

    print("| theme | seed | supplement | dev | all |")
    print("|---|---:|---:|---:|---:|")
    for key in keys:
        cells = [current[p][key] for p in PARTS]
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


def review() -> None:
    """Counts before/after the label review, per set, and the changes per rule."""
    themes = themes_in_order()
    before = old_themes(REVIEW_LOG)
    now = {part: counts(records(part, REVIEW_PARTS), themes, {}) for part in REVIEW_PARTS}
    old = {part: counts(records(part, REVIEW_PARTS), themes, before) for part in REVIEW_PARTS}
    keys = [*themes, "(no theme)", "clauses"]
    header = " | ".join(f"{p} before / after" for p in REVIEW_PARTS)
    print(f"| theme | {header} | all before | all after | change |")
    print("|---|" + "---:|" * (len(REVIEW_PARTS) + 3))
    for key in keys:
        cells = [f"{old[p][key]} / {now[p][key]}" for p in REVIEW_PARTS]
        total_old = sum(old[p][key] for p in REVIEW_PARTS)
        total_new = sum(now[p][key] for p in REVIEW_PARTS)
        print(
            f"| {key} | "
            + " | ".join(cells)
            + f" | {total_old} | {total_new} | {total_new - total_old:+d} |"
        )
    print()
    with REVIEW_LOG.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    per_part = Counter(
        next(p for p, files in REVIEW_PARTS.items() if row["file"] in files) for row in rows
    )
    print("| set | clauses changed |")
    print("|---|---:|")
    for part in REVIEW_PARTS:
        print(f"| {part} | {per_part[part]} |")
    print(f"| all | {len(rows)} |")
    print()
    print("| rule | clauses | themes removed | themes added |")
    print("|---|---:|---|---|")
    for rule in sorted({row["rule"] for row in rows}):
        mine = [row for row in rows if row["rule"] == rule]
        removed: Counter[str] = Counter()
        added: Counter[str] = Counter()
        for row in mine:
            o = {t for t in row["old_themes"].split(";") if t}
            n = {t for t in row["new_themes"].split(";") if t}
            removed.update(o - n)
            added.update(n - o)
        fmt = lambda c: ", ".join(f"{t} {k}" for t, k in c.most_common()) or "-"  # noqa: E731
        print(f"| {rule} | {len(mine)} | {fmt(removed)} | {fmt(added)} |")


def corpus() -> None:
    """Counts per theme of every part of the training corpus."""
    themes = themes_in_order()
    parts = {
        **REVIEW_PARTS,
        "formats": sorted(
            str(p.relative_to(ROOT)) for p in (ROOT / "data" / "formats").glob("*/clauses.jsonl")
        ),
    }
    del parts["formats/rules"]
    table = {part: counts(records(part, parts), themes, {}) for part in parts}
    print("| theme | " + " | ".join(parts) + " | all |")
    print("|---|" + "---:|" * (len(parts) + 1))
    for key in [*themes, "(no theme)", "clauses"]:
        cells = [table[p][key] for p in parts]
        print(f"| {key} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")


if __name__ == "__main__":
    if "--review" in sys.argv[1:]:
        review()
    elif "--corpus" in sys.argv[1:]:
        corpus()
    else:
        main()
