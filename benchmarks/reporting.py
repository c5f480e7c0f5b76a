"""What every benchmark prints besides its figures: the machine, versions, date, tables.

A figure without the machine it came from cannot be compared with anyone else's,
so each script starts with :func:`header_lines`; tables are printed as fixed-width
text for the terminal and written as Markdown sections into one results file
(:func:`write_markdown_section`), each script replacing only its own section so
both scripts can share ``benchmarks/results.md``.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux, platform elsewhere)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine_line() -> str:
    """CPU model, logical cores and RAM of this machine, in one line."""
    import psutil

    ram_gb = psutil.virtual_memory().total / 1e9
    return (
        f"{cpu_model()}, {os.cpu_count()} logical cores, {ram_gb:.1f} GB RAM, {platform.system()}"
    )


def version_line(packages: Sequence[str]) -> str:
    """Installed versions of Python and of ``packages`` (missing ones say so)."""
    parts = [f"python {platform.python_version()}"]
    for name in packages:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def today() -> str:
    """The run's date and time in UTC, so results from several machines line up."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def header_lines(packages: Sequence[str]) -> list[tuple[str, str]]:
    """``(label, value)`` pairs for machine, versions and date."""
    return [("machine", machine_line()), ("versions", version_line(packages)), ("date", today())]


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width table: first column left-aligned, the figures right-aligned."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = (str(c) for c in cells)
        out = [first.ljust(widths[0])]
        out += [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The same table in GitHub Markdown, figures right-aligned."""
    aligns = [":---"] + ["---:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(aligns) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_markdown_section(path: Path, name: str, body: str) -> None:
    """Put ``body`` between ``<!-- begin NAME -->`` / ``<!-- end NAME -->`` in ``path``.

    Only that section is replaced (or appended when absent), so two benchmark
    scripts can each regenerate their part of one results file. The file is
    replaced atomically so an interrupted run never leaves half a table.
    """
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = f"{begin}\n{body.strip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.is_file() else "# itunlp benchmark results\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    new = (
        pattern.sub(lambda _: block, old)
        if pattern.search(old)
        else old.rstrip("\n") + "\n\n" + block
    )
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
    os.replace(tmp, path)


def fmt_rate(value: float | None) -> str:
    """A rate with thousands separators, or an em dash when not measured."""
    return "—" if value is None else f"{value:,.0f}"


def fmt_ratio(value: float | None) -> str:
    """A ratio such as ``0.42x``, or an em dash when not measured."""
    return "—" if value is None else f"{value:.2f}x"
