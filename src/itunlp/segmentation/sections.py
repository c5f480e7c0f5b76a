"""Sections and tracked changes: what cuts a file of many texts into its parts.

A Final Acts volume, a folder of Council decisions, a regional proposal or the
International Telecommunication Regulations holds many texts in one file. Each
clause carries the *section* it sits in, named by kind and number as the text
gives them (``Resolution 70``, ``Decision 614``, ``Article 3``, ``Annex 1 to
Resolution 70``, ``Resolution [EUR-1]`` for a draft new resolution), and the
*change* a tracked-change proposal makes to it (``added``/``modified``/
``suppressed`` inside ``ADD``/``MOD``/``SUP`` blocks). The layout pass
(:mod:`itunlp.segmentation.layout`) applies these line patterns; the rules of
``data/CONVENTIONS.md`` say how.

All patterns apply to one stripped line at a time and are linear in it.
"""

from __future__ import annotations

import re

__all__ = [
    "CHANGES",
    "CHANGE_MARKER",
    "SECTION_LINE",
    "change_of_marker",
    "section_name",
]

_KINDS = (
    "RESOLUTION|Resolution|DECISION|Decision|RECOMMENDATION|Recommendation|OPINION|Opinion"
    "|ARTICLE|Article|ANNEX|Annex|APPENDIX|Appendix"
)

#: A section number: "70", "5A", "12bis", "[EUR-1]", "COM5/1", "A", "IV".
_NUMBER = (
    r"(?:\d{1,4}[A-Z]?(?:bis|ter|quater)?|\[[^\]\n]{1,40}\]|[A-Z]{1,6}\d{0,3}(?:[-/.]\d{1,3})*)"
)

#: A change marker standing before a title on the same line: "MOD ", "ADD EUR/44A7/2 ".
_MARKER_PREFIX = r"(?P<chg>MOD|ADD|SUP|NOC)\s+(?:(?:[A-Z]{2,}|[A-Z]\w{0,8}/)[\w/().-]*\s+)?"

#: A whole line that opens a section (matched on the stripped line):
#: "RESOLUTION 70 (REV. BUCHAREST, 2022)", "Resolution 64 (Rev. New Delhi, 2024)",
#: "DECISION 627 (C23)", "ARTICLE 5A", "Article 6", "ANNEX 1 TO RESOLUTION 70 (...)",
#: "DRAFT NEW RESOLUTION [EUR-1] (BUCHAREST, 2022)", "MOD RESOLUTION 102 (REV. DUBAI,
#: 2018)", "# Resolution 64 (...)" (markdown), and a MOD title with struck and inserted
#: text run together: "RESOLUTION 130 (REV. DUBAI, 2018BUCHAREST, 2022)".
SECTION_LINE = re.compile(
    rf"(?:#{{1,6}}\s*)?(?:\*{{1,2}})?(?:{_MARKER_PREFIX})?"
    r"(?:(?:DRAFT|Draft)\s+)?(?:(?:NEW|New|REVISED|Revised|PRELIMINARY DRAFT)\s+)?"
    rf"(?P<kind>{_KINDS})(?:\s+(?P<num>{_NUMBER}))?"
    rf"(?:\s+(?:TO|to)\s+(?:THE\s+|the\s+)?(?P<kind2>{_KINDS})(?:\s+(?P<num2>{_NUMBER}))?)?"
    r"(?:\s*\([^()\n]{0,80}\)){0,3}(?:\*{1,2})?"
    r"(?:\s+[–—-]\s+|\s*:\s+)?(?P<title>(?<=[\s:–—-])[^\s.;:][^\n]{0,150}(?<![.;,]))?\s*"
)

#: Change marker lines of ITU proposals, with their proposal numbers:
#: "MOD EUR/44A7/1", "ADD\tIAP/61A3/2", "SUP", "NOC ACP/64A1/5", "MOD 1", "(MOD)".
CHANGE_MARKER = re.compile(
    r"\(?(?P<chg>MOD|ADD|SUP|NOC)\)?"
    r"(?:\s+(?:[A-Z]{2,}[\w/().-]*|[A-Z]\w{0,8}/[\w/().-]*|\d{1,4}[A-Z]?))*\s*"
)

#: The ``change`` value of each marker; ``NOC`` (no change) gives "".
CHANGES = {"MOD": "modified", "ADD": "added", "SUP": "suppressed", "NOC": ""}


def section_name(match: re.Match[str]) -> str:
    """The ``section`` value of a :data:`SECTION_LINE` match.

    Examples
    --------
    >>> section_name(SECTION_LINE.fullmatch("RESOLUTION 70 (REV. DUBAI, 2018BUCHAREST, 2022)"))
    'Resolution 70'
    >>> section_name(SECTION_LINE.fullmatch("ANNEX 1 TO RESOLUTION 70 (REV. BUCHAREST, 2022)"))
    'Annex 1 to Resolution 70'
    >>> section_name(SECTION_LINE.fullmatch("DRAFT NEW RESOLUTION [EUR-1] (BUCHAREST, 2022)"))
    'Resolution [EUR-1]'
    """
    name = match.group("kind").title()
    if match.group("num"):
        name += " " + match.group("num")
    if match.group("kind2"):
        name += " to " + match.group("kind2").title()
        if match.group("num2"):
            name += " " + match.group("num2")
    return name


def change_of_marker(match: re.Match[str]) -> str:
    """The ``change`` value opened by a marker match (its ``chg`` group)."""
    return CHANGES[match.group("chg")]
