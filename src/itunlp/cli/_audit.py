"""``itunlp audit``: a thin verb over :func:`itunlp.labels.audit.audit_labels`.

The verb parses options and prints; :func:`run_audit` and :func:`format_audit` do the
work and are what the tests call. The audit reports, it never fails on findings: exit
status 0 whatever it finds, 2 for usage problems (bad label files, rule files, model
folders or options).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from itunlp.cli import _options as options
from itunlp.cli._group import UsageProblem, load_model_option, main

__all__ = ["format_audit", "run_audit"]

_TABLE_SUFFIXES = (".csv", ".tsv", ".json")
#: Violations and out-of-fold findings listed on screen before "... and N more".
_SHOWN = 15

_KIND_TITLES = {
    "duplicate": "near-duplicate texts with different themes",
    "out_of_fold": "out-of-fold prediction contradicts the label",
    "rule": "codebook rule patterns",
}


def run_audit(
    labels: Sequence[Path],
    *,
    no_seed: bool = False,
    out: Path | None = None,
    no_model: bool = False,
    model_dir: Path | None = None,
    rules: Path | None = None,
    themes: Path | None = None,
    folds: int = 5,
) -> pd.DataFrame:
    """Audit the labels; the worker of ``itunlp audit``.

    Returns
    -------
    pandas.DataFrame
        The findings of :func:`itunlp.labels.audit.audit_labels`, also written to ``out``.

    Raises
    ------
    UsageProblem
        Bad labels, rule file, scheme, model folder, output file or options (exit 2).
    """
    from itunlp.labels.audit import FINDING_KINDS, audit_labels, load_audit_rules
    from itunlp.labels.errors import LabelError
    from itunlp.labels.training_corpus import load_training_corpus
    from itunlp.themes.scheme import load_themes

    if out is not None and out.suffix.lower() not in _TABLE_SUFFIXES:
        raise UsageProblem(
            f"-o {out}: unsupported table type '{out.suffix}'; use {', '.join(_TABLE_SUFFIXES)}"
        )
    if no_seed and not labels:
        raise UsageProblem("--no-seed needs label files: there is nothing else to audit")
    if no_model and model_dir is not None:
        raise UsageProblem("--no-model and --model exclude each other")
    try:
        scheme = load_themes(themes) if themes is not None else None
    except (FileNotFoundError, ValueError) as error:
        raise UsageProblem(f"--themes: {error}") from None
    try:
        rule_list = load_audit_rules(rules)
    except (FileNotFoundError, ValueError) as error:
        raise UsageProblem(f"--rules: {error}") from None
    model: Any = None if model_dir is None else load_model_option(model_dir)
    if scheme is None and model is not None:
        scheme = model.classifier.scheme_
    try:
        frame = load_training_corpus(list(labels) or None, no_seed=no_seed, scheme=scheme)
    except LabelError as error:
        raise UsageProblem(f"invalid labels: {error}") from None
    except FileNotFoundError as error:
        raise UsageProblem(str(error)) from None
    kinds = [k for k in FINDING_KINDS if not (no_model and k == "out_of_fold")]
    try:
        findings = audit_labels(frame, scheme, model, kinds=kinds, rules=rule_list, folds=folds)
    except ValueError as error:
        raise UsageProblem(f"{error} (or use --no-model)") from None
    findings.attrs["clauses"] = len(frame)
    findings.attrs["kinds"] = kinds
    if out is not None:
        suffix = out.suffix.lower()
        if suffix == ".json":
            findings.to_json(out, orient="records", indent=1, force_ascii=False)
        else:
            findings.to_csv(out, index=False, sep="\t" if suffix == ".tsv" else ",")
    return findings


def _line(row: pd.Series) -> str:
    text = " ".join(str(row["text"]).split())
    text = text if len(text) <= 90 else text[:87] + "..."
    who = row["clause_id"] or f"row {row['row']}"
    return f"    {who} [{row['themes']}] -> [{row['suggested_themes']}]: {text}"


def format_audit(findings: pd.DataFrame) -> str:
    """A summary per kind of finding, then the violations and the most confident disagreements."""
    from itunlp.labels.audit import FINDING_KINDS

    kinds = findings.attrs.get("kinds", list(FINDING_KINDS))
    lines = [f"Audited {findings.attrs.get('clauses', '?')} labelled clauses."]
    for kind in FINDING_KINDS:
        title = _KIND_TITLES[kind]
        if kind not in kinds:
            lines.append(f"  {kind:<12} skipped ({title}; drop --no-model to compute it)")
            continue
        rows = findings[findings["kind"] == kind]
        if kind != "rule":
            lines.append(f"  {kind:<12} {len(rows):>4}  {title}")
            continue
        violations = int((rows["severity"] == "violation").sum())
        lines.append(
            f"  {kind:<12} {len(rows):>4}  {title}: {violations} violations, "
            f"{len(rows) - violations} checks"
        )
        for (rule, severity), group in rows.groupby(["rule", "severity"], sort=False):
            lines.append(f"    {rule}: {len(group)} {severity}{'s' if len(group) > 1 else ''}")
    sections = [
        ("Violations of the codebook's rules", findings[findings["severity"] == "violation"]),
        ("Most confident out-of-fold disagreements", findings[findings["kind"] == "out_of_fold"]),
        ("Near-duplicates labelled differently", findings[findings["kind"] == "duplicate"]),
    ]
    for title, rows in sections:
        if rows.empty:
            continue
        lines += ["", f"{title}:"]
        lines += [_line(row) for _, row in rows.head(_SHOWN).iterrows()]
        if len(rows) > _SHOWN:
            lines.append(f"    ... and {len(rows) - _SHOWN} more (all of them with -o FILE)")
    return "\n".join(lines)


@main.command("audit")
@click.argument("labels", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-seed", is_flag=True, help="Audit LABELS only, not the shipped corpus.")
@options.output("Write every finding to this table (.csv, .tsv or .json).")
@click.option(
    "--no-model", is_flag=True, help="Skip the out-of-fold predictions (fast: rules, duplicates)."
)
@options.model("Refit this model folder's classifier for the out-of-fold predictions.")
@click.option(
    "--rules",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Rule patterns (TOML) instead of the shipped data/audit_rules.toml.",
)
@click.option(
    "--themes",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Theme scheme (TOML) instead of the shipped one.",
)
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True)
def audit_command(
    labels: tuple[Path, ...],
    no_seed: bool,
    out: Path | None,
    no_model: bool,
    model_dir: Path | None,
    rules: Path | None,
    themes: Path | None,
    folds: int,
) -> None:
    """List labels that are likely inconsistent (default: the shipped corpus).

    Three kinds of finding: near-duplicate texts labelled differently; clauses whose
    out-of-fold prediction (a classifier refitted without the clause's document)
    contradicts their label with high confidence; and the codebook's checkable rules
    (citations labelled institutional_process, reporting clauses with a topic,
    resolution numbers without their theme, keyword traps; hints for beneficiaries
    and stakeholders). The findings suggest themes; nothing is changed. Exit 0.
    """
    findings = run_audit(
        labels,
        no_seed=no_seed,
        out=out,
        no_model=no_model,
        model_dir=model_dir,
        rules=rules,
        themes=themes,
        folds=folds,
    )
    click.echo(format_audit(findings))
    if out is not None:
        click.echo(f"\n{len(findings)} findings written to {out}")
