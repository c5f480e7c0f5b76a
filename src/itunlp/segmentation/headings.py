"""Headings that are always headings: the ITU heading scheme, as data.

The preamble and operative headings of resolutions, decisions and
recommendations (``recalling``, ``considering further``, ``resolves to instruct
the Director of ...``, ``invites Member States and Sector Members``) live in
``data/headings.toml``, which a user extends like the theme scheme. The
segmenter takes a clause's ``function`` and ``part`` only from lines this module
recognises; :meth:`HeadingScheme.match` reads one line, after bullets, markdown
emphasis and indentation, and says whether it is a heading, which one, and where
the clause starts when the heading runs on into it (``noting a) the report ...``,
``resolves that the Union ...``, ``*encourages* academia ...``).

Whether the line *may* be a heading at all (the line before it ends a sentence,
no quotation is open) is the layout pass's business
(:mod:`itunlp.segmentation.layout`); this module only reads the line itself.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from itunlp._resources import data_dir

__all__ = ["HeadingMatch", "HeadingScheme", "HeadingSchemeError", "load_headings"]

#: Bullet glyphs and dashes that may stand before a heading or an item on a web page.
LEAD_BULLETS = "•◦▪‣●■□►▶➢∙·⁃–—-"

#: Longest addressee (words) of a heading such as "instructs the Secretary-General,
#: in consultation with the Directors of the three Bureaux".
MAX_ADDRESSEE_WORDS = 20

#: Characters that never occur in a heading: sentence punctuation and quotation marks.
_NOT_IN_HEADING = frozenset('.;!?"“”«»')

#: A list marker right after a heading on the same line: "noting a) the report",
#: "recalling (a) Resolution 70", "resolves 1 to continue", "decides 1. that".
_RUN_ON_MARKER = re.compile(r"(?:\(?(?:[a-z]|[ivx]{1,5}|\d{1,2})\)|\d{1,2}\.?|[a-z]\.)\s+(?=\S)")

#: A running paragraph number in a left margin, set off by a tab or a wide gap:
#: " 4   decides", "12\tnoting". Before a heading alone on its line it is no item.
_MARGIN_NUMBER = re.compile(r"\d{1,4}(?:\t|  )[ \t]*(?=[^\d\s])")


class HeadingSchemeError(ValueError):
    """A headings file that cannot be read or is not laid out as data/headings.toml."""


@dataclass(frozen=True, slots=True)
class HeadingMatch:
    """A line read as a heading.

    Parameters
    ----------
    function : str
        The heading as the ``function`` column gives it: lower case, markup and
        bullets removed, inner whitespace folded, trailing ``,``/``:`` removed.
    part : str
        ``"preamble"`` or ``"operative"``.
    body : int
        Offset (into the text given to :meth:`HeadingScheme.match`) where the
        first clause starts when the heading runs on into it on the same line;
        ``-1`` when the line holds the heading alone.
    capitalised : bool
        A capitalised heading of more than three words ("Call upon development
        partners and the international community"), which may as well be a
        title: the layout pass takes it only when items follow it.
    """

    function: str
    part: str
    body: int = -1
    capitalised: bool = False


def _phrase_regex(phrases: list[str]) -> str:
    """An alternation of phrases, longest first, whitespace-tolerant."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)


@dataclass(frozen=True)
class HeadingScheme:
    """The heading words, their parts and the words that may go with them.

    Build it with :func:`load_headings`; the fields mirror ``data/headings.toml``.
    """

    parts: dict[str, tuple[str, ...]]
    addressee_parts: frozenset[str]
    variants: tuple[str, ...]
    addressee_starts: frozenset[str]
    clause_starts: frozenset[str]
    source: str = "<memory>"
    _part_of: dict[str, str] = field(init=False, repr=False)
    _first_words: frozenset[str] = field(init=False, repr=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _starts_lower: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        part_of: dict[str, str] = {}
        for part, words in self.parts.items():
            for word in words:
                part_of[" ".join(word.lower().split())] = part
        words = list(part_of)
        variant_alt = _phrase_regex(list(self.variants)) if self.variants else "(?!)"
        pattern = re.compile(
            rf"(?:(?P<pre>{variant_alt})\s+)?(?P<word>{_phrase_regex(words)})"
            rf"(?:\s+(?P<post>{variant_alt}))?(?![\w-])",
            re.IGNORECASE,
        )
        first = {w.split()[0] for w in words} | {v.split()[0] for v in self.variants}
        object.__setattr__(self, "_part_of", part_of)
        object.__setattr__(self, "_first_words", frozenset(first))
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(
            self, "_starts_lower", frozenset(w.lower() for w in self.addressee_starts)
        )

    @property
    def words(self) -> list[str]:
        """All heading words, lower case."""
        return sorted(self._part_of)

    def part_of(self, function: str) -> str:
        """The part (``preamble``/``operative``) of a function value, ``""`` if none.

        Examples
        --------
        >>> load_headings().part_of("instructs the secretary-general")
        'operative'
        >>> load_headings().part_of("considering further")
        'preamble'
        """
        m = self._pattern.match(function)
        if m is None:
            return ""
        return self._part_of.get(" ".join(m.group("word").lower().split()), "")

    def match(
        self, text: str, start: int = 0, end: int | None = None, loose: bool = False
    ) -> HeadingMatch | None:
        """Read ``text[start:end]`` (one line) as a heading, or return None.

        Bullets, markdown emphasis (``*x*``, ``**x**``, ``_x_``) and indentation
        are skipped. A heading alone on the line gives ``body == -1``; a heading
        that runs on into its first clause gives the clause's start offset. The
        clause starts after the heading when a list marker (``noting a) the
        report``), ``that``/``to`` (``resolves that``, ``instructs the
        Secretary-General to report``) or the end of markup (``*encourages*
        academia``) follows it; with ``loose`` (a clause may start on this line,
        the caller knows), a preamble heading runs on into any text
        (``recalling the outcomes of WSIS;``).

        Examples
        --------
        >>> scheme = load_headings()
        >>> scheme.match("• *considering further*")
        HeadingMatch(function='considering further', part='preamble', body=-1, capitalised=False)
        >>> line = "resolves that the Union shall act;"
        >>> m = scheme.match(line); (m.function, line[m.body:])
        ('resolves', 'that the Union shall act;')
        >>> scheme.match("resolves complaints from users with disabilities") is None
        True
        """
        if end is None:
            end = len(text)
        pos = start
        while pos < end and (text[pos].isspace() or text[pos] in LEAD_BULLETS or text[pos] == "#"):
            pos += 1
        if pos >= end:
            return None
        if text[pos] in "*+" and pos + 1 < end and text[pos + 1] in " \t":
            # "* **considering**": a markdown list bullet (a star or plus and a space)
            # before the heading, never the opening of emphasis.
            return self.match(text, pos + 2, end, loose=loose)
        if text[pos] in "*_":
            return self._match_markup(text, pos, end)
        if text[pos].isdigit():
            margin = _MARGIN_NUMBER.match(text, pos, end)
            if margin is None:
                return None
            # "14   decides", "3\t**noting**", "9   resolves that ...": a heading after a
            # margin number (never "loose": a preamble word there may start an item).
            return self.match(text, margin.end(), end)
        return self._match_plain(text, pos, end, markup_end=-1, loose=loose)

    def _match_markup(self, text: str, pos: int, end: int) -> HeadingMatch | None:
        """A heading inside emphasis: ``*recognizing*``, ``**resolves** that ...``."""
        mark = text[pos]
        run = pos
        while run < end and run - pos < 3 and text[run] == mark:
            run += 1
        delim = text[pos:run]
        close = text.find(delim, run, end)
        if close < 0:
            return None
        inner_end = close
        while inner_end > run and text[inner_end - 1] in " ,:":
            inner_end -= 1
        found = self._match_plain(text, run, inner_end, markup_end=close + len(delim))
        return found

    def _match_plain(
        self, text: str, pos: int, end: int, markup_end: int, loose: bool = False
    ) -> HeadingMatch | None:
        """A heading without markup at ``pos``; ``markup_end`` >= 0 when inside emphasis."""
        word_end = pos
        while word_end < end and (text[word_end].isalpha()):
            word_end += 1
        if text[pos:word_end].lower() not in self._first_words:
            return None
        m = self._pattern.match(text, pos, end)
        if m is None:
            return None
        head = " ".join(m.group("word").lower().split())
        part = self._part_of.get(head, "")
        cut = m.end()
        rest = cut
        while rest < end and text[rest] in " \t,:":
            rest += 1
        capital = text[pos].isupper()
        if markup_end >= 0:
            # Inside emphasis the heading is the whole emphasised text.
            if rest < end and not self._is_addressee(text, part, rest, end):
                return None
            if text[pos:end].isupper():
                capital = False
            function = _fold(text[pos:end])
            after = markup_end
            tail = len(text)
            while after < tail and text[after] in " \t,:":
                after += 1
            if after >= tail or text[after] in "\n\r":
                return HeadingMatch(function, part)
            return HeadingMatch(function, part, after)
        if rest >= end:
            if capital and len(text[pos:end].split()) > 3 and not text[pos:end].isupper():
                return None
            return HeadingMatch(_fold(text[pos:cut]), part)
        long_capital = capital and not text[pos:end].isupper()
        marker = None if long_capital else _RUN_ON_MARKER.match(text, rest, end)
        if marker is not None:
            return HeadingMatch(_fold(text[pos:cut]), part, rest)
        first = _first_word(text, rest, end)
        if first in self.clause_starts and not long_capital:
            return HeadingMatch(_fold(text[pos:cut]), part, rest)
        if part not in self.addressee_parts:
            # "recalling the outcomes of WSIS;" where a clause may start: the heading
            # runs on into its clause (the caller says whether a clause may start).
            if loose and not long_capital and part == "preamble":
                return HeadingMatch(_fold(text[pos:cut]), part, rest)
            return None
        if not self._is_addressee_start(first):
            return None
        # An addressee: to the end of the line, or up to "to"/"that" where the clause starts.
        split = _clause_split(text, rest, end, self.clause_starts)
        addressee_end = end if split < 0 else split
        if not self._is_addressee(text, part, rest, addressee_end):
            return None
        function = _fold(text[pos:addressee_end])
        if split < 0:
            # "Noting that ...", "Invites Member States to ..." capitalised: a sentence.
            return HeadingMatch(function, part, -1, long_capital)
        if long_capital:
            return None
        return HeadingMatch(function, part, split)

    def addressed_item(self, text: str, start: int, end: int) -> bool:
        """Whether a line opens an item addressed to someone: an addressee, then ``to``
        and a verb ("Member States and Sector Members to take part ...", "developing
        countries to seek ..."), the form of items under a lost ``invites``/``urges``."""
        split = text.find(" to ", start, min(end, start + 120))
        if split < 0 or not text[start].isalpha():
            return False
        words = text[start:split].split()
        if not words or len(words) > MAX_ADDRESSEE_WORDS or not self._is_addressee_start(words[0]):
            return False
        if any(ch in _NOT_IN_HEADING or ch == "," for ch in text[start:split]):
            return False
        verb = text[split + 4 : end].split(None, 1)
        return (
            bool(verb)
            and verb[0].isalpha()
            and verb[0].islower()
            and verb[0] not in ("the", "a", "an", "its", "their", "be")
        )

    def _is_addressee_start(self, word: str) -> bool:
        return word.lower() in self._starts_lower

    def _is_addressee(self, text: str, part: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` can be the addressee of an operative heading."""
        if part not in self.addressee_parts:
            return False
        piece = text[start:end]
        if any(ch in _NOT_IN_HEADING for ch in piece):
            return False
        words = piece.split()
        if not words or len(words) > MAX_ADDRESSEE_WORDS:
            return False
        return self._is_addressee_start(words[0].strip(",:"))

    def to_dict(self) -> dict:
        """The scheme as the TOML layout (a dict)."""
        return {
            "version": 1,
            "variants": list(self.variants),
            "addressee_starts": sorted(self.addressee_starts),
            "clause_starts": sorted(self.clause_starts),
            "part": [
                {"name": name, "addressee": name in self.addressee_parts, "words": list(words)}
                for name, words in self.parts.items()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict, source: str = "<memory>") -> HeadingScheme:
        """Build a scheme from the TOML layout; raise HeadingSchemeError on a bad one."""
        blocks = data.get("part")
        if not isinstance(blocks, list) or not blocks:
            raise HeadingSchemeError(
                f"{source}: no [[part]] blocks; see data/headings.toml for the format."
            )
        parts: dict[str, tuple[str, ...]] = {}
        addressed: set[str] = set()
        for block in blocks:
            name = block.get("name") if isinstance(block, dict) else None
            words = block.get("words") if isinstance(block, dict) else None
            if not isinstance(name, str) or not name or not isinstance(words, list):
                raise HeadingSchemeError(
                    f"{source}: each [[part]] needs a `name` and a list of `words`; "
                    "see data/headings.toml for the format."
                )
            bad = [w for w in words if not isinstance(w, str) or not w.split()]
            if bad:
                raise HeadingSchemeError(f"{source}: part {name!r} has empty or non-text words.")
            parts[name] = parts.get(name, ()) + tuple(w.strip().lower() for w in words)
            if block.get("addressee", False):
                addressed.add(name)
        return cls(
            parts=parts,
            addressee_parts=frozenset(addressed),
            variants=tuple(str(v).lower() for v in data.get("variants", [])),
            addressee_starts=frozenset(str(w) for w in data.get("addressee_starts", [])),
            clause_starts=frozenset(str(w).lower() for w in data.get("clause_starts", [])),
            source=source,
        )


def _fold(piece: str) -> str:
    """The function value of a heading: lower case, whitespace folded, no trailing , or :."""
    return " ".join(piece.split()).rstrip(",: ").strip("*_ ").lower()


def _first_word(text: str, start: int, end: int) -> str:
    stop = start
    while stop < end and not text[stop].isspace() and text[stop] not in ",;:":
        stop += 1
    return text[start:stop]


def _clause_split(text: str, start: int, end: int, starts: frozenset[str]) -> int:
    """Offset of the first ``to``/``that`` word in ``text[start:end]``, or -1."""
    best = -1
    for word in starts:
        i = start
        while True:
            i = text.find(f" {word} ", i, end)
            if i < 0:
                break
            at = i + 1
            if best < 0 or at < best:
                best = at
            break
    return best


def load_headings(path: str | Path | None = None) -> HeadingScheme:
    """Load a heading scheme (``data/headings.toml`` when ``path`` is None).

    Parameters
    ----------
    path : path, optional
        A TOML file laid out like ``data/headings.toml``.

    Returns
    -------
    HeadingScheme

    Raises
    ------
    HeadingSchemeError
        If the file is missing, not TOML, or not laid out as expected.
    """
    if path is None:
        return _shipped()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _shipped() -> HeadingScheme:
    return _load(data_dir() / "headings.toml")


def _load(file: Path) -> HeadingScheme:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HeadingSchemeError(f"No headings file at {str(file)!r}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise HeadingSchemeError(f"{file}: not a valid TOML headings file: {error}") from None
    return HeadingScheme.from_dict(data, source=str(file))
