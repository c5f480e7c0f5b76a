"""The theme scheme, read from data so that users add themes without editing Python.

The scheme lives in ``data/themes.toml`` (see the comments there for the fields).
Besides ids and names it carries each theme's description, term list and traps: the
classifier uses them as knowledge for themes that have few labelled clauses.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from itunlp._resources import data_dir

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Theme:
    """One policy theme of the scheme."""

    id: str
    name: str
    description: str = ""
    not_: str = ""
    terms: tuple[str, ...] = ()
    traps: tuple[str, ...] = ()
    retired: bool = False


def _term_regex(term: str) -> str:
    """A regex for one term: word-bounded, a trailing ``*`` matching any word ending."""
    stem = term.rstrip("*")
    body = re.escape(stem).replace(r"\ ", r"\s+")
    if term.endswith("*"):
        body += r"[\w-]*"
    return rf"(?<![\w-]){body}(?![\w])" if not term.endswith("*") else rf"(?<![\w-]){body}"


def _is_case_sensitive(term: str) -> bool:
    # Acronyms (AI, PP, NoW, ITU-D) would match ordinary words if folded.
    letters = [c for c in term if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 2


def terms_pattern(terms: Sequence[str]) -> str | None:
    """One alternation of ``terms``: case-folded ones, then case-sensitive acronyms."""
    folded = [_term_regex(t) for t in terms if not _is_case_sensitive(t)]
    exact = [_term_regex(t) for t in terms if _is_case_sensitive(t)]
    parts = []
    if folded:
        parts.append("(?i:" + "|".join(sorted(folded, key=len, reverse=True)) + ")")
    if exact:
        parts.append("(?:" + "|".join(sorted(exact, key=len, reverse=True)) + ")")
    return "|".join(parts) if parts else None


def _compile_terms(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    pattern = terms_pattern(terms)
    return re.compile(pattern) if pattern else None


@dataclass(frozen=True)
class ThemeScheme:
    """The ordered set of themes a model predicts, with their knowledge.

    Parameters
    ----------
    themes : tuple of Theme
        All themes in file order, retired ones included.
    source : str
        Where the scheme was read from, for error messages.
    """

    themes: tuple[Theme, ...]
    source: str = "<memory>"
    _term_patterns: dict[str, re.Pattern[str] | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    _trap_patterns: dict[str, re.Pattern[str] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for theme in self.themes:
            self._term_patterns[theme.id] = _compile_terms(theme.terms)
            self._trap_patterns[theme.id] = _compile_terms(theme.traps)

    @property
    def ids(self) -> list[str]:
        """Ids of the active (not retired) themes, in file order."""
        return [t.id for t in self.themes if not t.retired]

    def __getitem__(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(self.unknown_theme_message(theme_id))

    def unknown_theme_message(self, theme_id: str, where: str = "") -> str:
        """A message naming the bad id, the closest valid one and all valid ids."""
        place = f" in {where}" if where else ""
        close = difflib.get_close_matches(theme_id, self.ids, n=1, cutoff=0.5)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        retired = [t.id for t in self.themes if t.retired and t.id == theme_id]
        if retired:
            return f"Theme '{theme_id}'{place} is retired in {self.source}; valid themes: " + (
                ", ".join(self.ids)
            )
        return (
            f"Unknown theme '{theme_id}'{place}{hint}; valid themes: {', '.join(self.ids)}. "
            f"To add a theme, add it to {self.source}."
        )

    def _hits(self, patterns: dict[str, re.Pattern[str] | None], text: str) -> dict[str, list[str]]:
        hits: dict[str, list[str]] = {}
        for theme_id in self.ids:
            pattern = patterns.get(theme_id)
            found = [m.group(0) for m in pattern.finditer(text)] if pattern else []
            if found:
                hits[theme_id] = found
        return hits

    def term_hits(self, text: str) -> dict[str, list[str]]:
        """The scheme terms of each theme found in ``text`` (themes with no hit omitted)."""
        return self._hits(self._term_patterns, text)

    def trap_hits(self, text: str) -> dict[str, list[str]]:
        """The trap phrases of each theme found in ``text`` (themes with no hit omitted)."""
        return self._hits(self._trap_patterns, text)

    def to_dict(self) -> dict:
        """A JSON-able copy, stored in model folders so a model keeps its own scheme."""
        return {
            "themes": [
                {
                    "id": t.id,
                    "name": t.name,
                    "description": t.description,
                    "not": t.not_,
                    "terms": list(t.terms),
                    "traps": list(t.traps),
                    "retired": t.retired,
                }
                for t in self.themes
            ]
        }

    @classmethod
    def from_dict(cls, data: dict, source: str = "<memory>") -> ThemeScheme:
        """Build and validate a scheme from parsed TOML or JSON."""
        raw = data.get("themes", data.get("theme"))
        if not isinstance(raw, list) or not raw:
            raise ValueError(
                f"{source}: expected a list of [[theme]] blocks, got {type(raw).__name__}; "
                "see data/themes.toml for the format"
            )
        themes: list[Theme] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw, start=1):
            where = f"{source}, theme #{index}"
            if not isinstance(entry, dict):
                raise ValueError(f"{where}: expected a table, got {type(entry).__name__}")
            theme_id = entry.get("id")
            if not isinstance(theme_id, str) or not _ID_PATTERN.match(theme_id):
                raise ValueError(
                    f"{where}: id {theme_id!r} must be lower_snake_case text "
                    "(letters, digits, underscores, starting with a letter)"
                )
            if theme_id in seen:
                raise ValueError(f"{where}: duplicate theme id '{theme_id}'")
            seen.add(theme_id)
            for key in ("terms", "traps"):
                value = entry.get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"{where} ('{theme_id}'): '{key}' must be a list of strings")
            themes.append(
                Theme(
                    id=theme_id,
                    name=str(entry.get("name", theme_id)),
                    description=" ".join(str(entry.get("description", "")).split()),
                    not_=str(entry.get("not", "")),
                    terms=tuple(entry.get("terms", [])),
                    traps=tuple(entry.get("traps", [])),
                    retired=bool(entry.get("retired", False)),
                )
            )
        return cls(themes=tuple(themes), source=source)


def load_themes(path: str | Path | None = None) -> ThemeScheme:
    """Read a theme scheme file (TOML).

    Parameters
    ----------
    path : str or Path, optional
        A ``themes.toml``; the shipped scheme when omitted.

    Returns
    -------
    ThemeScheme

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When it is not valid TOML or a theme block is malformed.

    Examples
    --------
    >>> scheme = load_themes()
    >>> scheme.ids[:3]
    ['connectivity', 'space_spectrum', 'gender']
    """
    file = Path(path) if path is not None else data_dir() / "themes.toml"
    if not file.is_file():
        raise FileNotFoundError(f"Theme scheme not found: {file}")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{file}: not a valid TOML theme scheme: {error}") from error
    return ThemeScheme.from_dict(data, source=str(file))
