"""Print the README's table of the default model's figures from its model card.

The figures in README.md are the ones `itunlp train` recorded in
models/default/meta.json; tests/test_readme.py checks that they agree. Run
`python scripts/model_card_table.py [MODEL_DIR]` after rebuilding the model and paste
its output over the table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cell(scores: dict, key: str) -> str:
    entry = scores.get(key)
    return f"{entry['f1']:.3f}" if entry else "–"


def main(model_dir: Path) -> None:
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    metrics = meta["metrics"]
    grouped = metrics["grouped_cv"]
    model, keywords = grouped["model"], grouped.get("keywords", {})
    random = metrics.get("cv", {}).get("model", {})
    formats = metrics.get("all but formats -> formats", {}).get("model", {})
    print(
        "| theme | grouped CV F1 (± std) | support | random-fold CV F1 "
        "| trained without formats → formats F1 | keyword rules, grouped CV F1 |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for theme in [*meta["themes"], "micro", "macro"]:
        name = f"**{theme}**" if theme in ("micro", "macro") else theme
        row = model[theme]
        print(
            f"| {name} | {row['f1']:.3f} ± {row['f1_std']:.3f} | {row['support']} "
            f"| {_cell(random, theme)} | {_cell(formats, theme)} | {_cell(keywords, theme)} |"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "default")
