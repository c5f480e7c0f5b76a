"""Rule patterns for the label audit: the codebook's checkable decision rules as data.

Each rule of ``data/audit_rules.toml`` (the shipped file; users pass their own) is a
regex on a clause's text and a condition on its themes, with the codebook rule it
checks, a severity (``violation`` or ``check``), a message and the themes it
proposes instead. :func:`load_audit_rules` reads and validates a rule file;
:meth:`AuditRule.fires` tells whether a rule flags a clause. The audit itself is
:func:`itunlp.labels.audit.audit_labels`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from itunlp._resources import data_dir

__all__ = ["AuditRule", "default_rules_path", "load_audit_rules"]

SEVERITIES = ("violation", "check")
_RULE_KEYS = {
    "id", "codebook", "severity", "pattern", "unless", "has_theme", "lacks_theme",
    "other_than", "suggest_add", "suggest_remove", "message",
}  # fmt: skip
#: In ``suggest_remove``: every theme except ``other_than``.
OTHER = "*other*"


def default_rules_path() -> Path:
    """The shipped rule file, ``data/audit_rules.toml``."""
    return data_dir() / "audit_rules.toml"


# ----------------------------------------------------------------------- rules
#: PDF page furniture a clause span can run across (see data/CONVENTIONS.md): a footnote
#: rule and the footnote under it, and a running head or foot with its page number in a
#: column ("Res. 102        212"). Its words are not the clause's own (codebook 2.1.1).
_FOOTNOTE_RULE = re.compile(r"^\s*_{5,}\s*$")
_PAGE_COLUMN = re.compile(r"\S\s{4,}\d{1,4}\s*$|^\s*\d{1,4}\s{4,}\S")


def _own_lines(text: str) -> list[str]:
    """The words of ``text`` without the page furniture a page break left inside it."""
    words: list[str] = []
    in_footnote = False
    for line in text.splitlines():
        if _FOOTNOTE_RULE.match(line):
            in_footnote = True
            continue
        if in_footnote and (not line.strip() or "\f" in line):
            in_footnote = False
            continue
        if in_footnote or _PAGE_COLUMN.search(line):
            continue
        words.extend(line.split())
    return words


@dataclass(frozen=True)
class AuditRule:
    """One checkable decision rule: a text pattern and a condition on the themes."""

    id: str
    codebook: str
    severity: str
    pattern: re.Pattern[str]
    message: str
    unless: re.Pattern[str] | None = None
    has_theme: str | None = None
    lacks_theme: str | None = None
    other_than: str | None = None
    suggest_add: tuple[str, ...] = ()
    suggest_remove: tuple[str, ...] = ()

    def themes_used(self) -> set[str]:
        """Theme ids the rule names (to skip rules a custom scheme cannot use)."""
        named = {self.has_theme, self.lacks_theme, self.other_than, *self.suggest_add}
        named |= {t for t in self.suggest_remove if t != OTHER}
        return {t for t in named if t}

    def fires(self, text: str, themes: Iterable[str]) -> bool:
        """Whether the rule flags a clause with this text and these themes."""
        given = set(themes)
        if self.has_theme and self.has_theme not in given:
            return False
        if self.lacks_theme and self.lacks_theme in given:
            return False
        if self.other_than and not (given - {self.other_than}):
            return False
        folded = " ".join(_own_lines(str(text)))
        if not self.pattern.search(folded):
            return False
        return not (self.unless and self.unless.search(folded))

    def suggest(self, themes: Iterable[str]) -> list[str]:
        """The themes the rule proposes instead of ``themes``."""
        kept = set(themes)
        for theme in self.suggest_remove:
            kept = {self.other_than} & kept if theme == OTHER else kept - {theme}
        return sorted(kept | set(self.suggest_add))


def _compile(value: object, where: str, key: str) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: '{key}' must be a non-empty regular expression string")
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"{where}: '{key}' is not a valid regular expression ({error})") from error


def _rule_from_dict(data: dict, where: str) -> AuditRule:
    unknown = sorted(set(data) - _RULE_KEYS)
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(unknown)}; valid keys: "
            f"{', '.join(sorted(_RULE_KEYS))}"
        )
    for key in ("id", "pattern", "message"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"{where}: '{key}' is required (a non-empty string)")
    severity = data.get("severity", "violation")
    if severity not in SEVERITIES:
        raise ValueError(f"{where}: severity '{severity}' is not one of {', '.join(SEVERITIES)}")
    lists = {}
    for key in ("suggest_add", "suggest_remove"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}: '{key}' must be a list of theme ids")
        lists[key] = tuple(value)
    return AuditRule(
        id=data["id"],
        codebook=str(data.get("codebook", "")),
        severity=severity,
        pattern=_compile(data["pattern"], where, "pattern"),
        message=data["message"],
        unless=_compile(data["unless"], where, "unless") if data.get("unless") else None,
        has_theme=data.get("has_theme") or None,
        lacks_theme=data.get("lacks_theme") or None,
        other_than=data.get("other_than") or None,
        **lists,
    )


def load_audit_rules(path: str | Path | None = None) -> list[AuditRule]:
    """Read rule patterns from a TOML file (the shipped ``data/audit_rules.toml`` by default).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is not valid TOML, or a rule lacks a field or has a bad regex; the
        message names the file and the rule.
    """
    file = Path(path) if path is not None else default_rules_path()
    if not file.is_file():
        raise FileNotFoundError(f"Audit rule file not found: {file}")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{file}: not a valid TOML rule file ({error})") from error
    blocks = data.get("rule", [])
    if not isinstance(blocks, list) or not blocks:
        raise ValueError(f"{file}: no [[rule]] blocks")
    rules = [_rule_from_dict(block, f"{file} rule {i}") for i, block in enumerate(blocks, 1)]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"{file}: rule id '{rule.id}' appears twice")
        seen.add(rule.id)
    return rules
