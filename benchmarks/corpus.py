"""A large, varied benchmark corpus generated from the project's own texts.

Benchmarks need tens of megabytes of text that look like what itunlp reads
(resolutions with PDF furniture, statements, commentary, summaries) but that do
not repeat: a tokenizer, a regex engine or a vectorizer that sees the same
string twice may serve it from a cache and look faster than it is. So every
generated document is a project text (``data/seed``, ``data/dev/docs``,
``data/examples``) or a document assembled from the supplement's clauses, with
its sentences shuffled and swapped, its numbers redrawn, and a share of its
names and words replaced from the project's vocabulary and from invented words
(so the vocabulary keeps growing, as in real corpora).

The generator is deterministic for a given ``seed``; it is shared by the
benchmark scripts (``bench_throughput.py``, ``bench_scaling.py``) and may be
imported by others: ``python benchmarks/corpus.py --size-mb 5 -o DIR`` writes
a folder of ``.txt`` files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"

# A "sentence" for shuffling only: a full stop, '?' or '!' then a capital. Crude on
# purpose: the segmenters under test, not this, decide where sentences end.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[A-Z][a-z]{2,}|[a-z]{5,}")
# Lines that carry document structure (headings, markers, titles, page furniture)
# are short; leaving them untouched keeps resolutions recognisable as resolutions.
_STRUCTURE_LINE_CHARS = 60
# A list or resolution item marker ("a)", "(iv)", "1", "2.", "•", "-") at a line start.
_MARKER = re.compile(r"^\s*(?:\(?[a-z]{1,4}\)|\(?\d{1,3}[.)]?|[•\-–])\s+")
_SYLLABLES = (
    "ka ri to mu sen dal vo li ne ra ban tel com net cy ber sat or gen qui fa "
    "lo mi ze tra pol dem ver sta nu ex por"
).split()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def source_documents() -> list[tuple[str, str]]:
    """The project's whole documents, as ``(name, text)``, the templates of the corpus."""
    paths = [
        *sorted((DATA / "seed").glob("*.txt")),
        *sorted((DATA / "dev" / "docs").glob("*.txt")),
        *sorted((DATA / "examples").glob("*.txt")),
    ]
    return [(p.stem, _read(p)) for p in paths if p.is_file()]


def supplement_clauses() -> list[dict]:
    """The supplement's labelled clauses (text, function, note)."""
    rows: list[dict] = []
    for path in sorted((DATA / "supplement").glob("*.jsonl")):
        for line in _read(path).splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _assembled_documents(rows: list[dict], rng: random.Random) -> list[tuple[str, str]]:
    """Documents built from standalone supplement clauses, one per style.

    Resolution items go under their own headings, numbered as in ITU texts; prose
    clauses become paragraphs, so the supplement's vocabulary enters the corpus in
    the layouts the segmenter must handle.
    """
    by_function: dict[str, list[str]] = defaultdict(list)
    prose: list[str] = []
    for row in rows:
        if row.get("function"):
            by_function[row["function"]].append(row["text"])
        else:
            prose.append(row["text"])
    lines = [
        "RESOLUTION 999 (REV. SAMPLETOWN, 2026)",
        "",
        "Assembled from the itunlp supplement",
        "",
        "The Plenipotentiary Conference of the International Telecommunication Union "
        "(Sampletown, 2026),",
        "",
    ]
    for function, texts in sorted(by_function.items()):
        lines += [function, ""]
        numbered = function.startswith(("resolves", "instructs", "invites", "decides"))
        for index, text in enumerate(texts, start=1):
            marker = f"{index}" if numbered else f"{chr(ord('a') + (index - 1) % 26)})"
            lines.append(f"{marker} {text}")
        lines.append("")
    rng.shuffle(prose)
    paragraphs = [" ".join(prose[i : i + 4]) for i in range(0, len(prose), 4)]
    return [
        ("supplement-resolution", "\n".join(lines)),
        ("supplement-prose", "\n\n".join(paragraphs)),
    ]


class CorpusGenerator:
    """Deterministic stream of varied documents built from the project's texts.

    Parameters
    ----------
    seed : int
        Seeds every random choice; the same seed gives the same corpus.
    word_swap : float
        Share of eligible words (5+ letters, lower case) replaced by another word
        of the project's vocabulary.
    new_word : float
        Share of eligible words replaced by an invented word, so the vocabulary
        keeps growing and no cache sees only known strings.
    name_swap : float
        Share of capitalised words replaced by another capitalised word.
    sentence_swap : float
        Share of prose sentences replaced by a sentence from another document.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        word_swap: float = 0.12,
        new_word: float = 0.03,
        name_swap: float = 0.3,
        sentence_swap: float = 0.3,
    ) -> None:
        self.rng = random.Random(seed)
        self.word_swap = word_swap
        self.new_word = new_word
        self.name_swap = name_swap
        self.sentence_swap = sentence_swap
        self.templates = source_documents()
        self.templates += _assembled_documents(supplement_clauses(), self.rng)
        if not self.templates:
            raise FileNotFoundError(f"No project texts found under {DATA}")
        text = "\n".join(t for _, t in self.templates)
        self.words = sorted(set(re.findall(r"\b[a-z]{5,}\b", text)))
        self.names = sorted(set(re.findall(r"\b[A-Z][a-z]{2,}\b", text)))
        self.sentences = [
            s.strip()
            for _, t in self.templates
            for line in t.splitlines()
            if len(line) > _STRUCTURE_LINE_CHARS
            for s in _SENTENCE_END.split(line)
            if len(s) > 30
        ]

    def _invented_word(self, capital: bool = False) -> str:
        word = "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 4)))
        return word.capitalize() if capital else word

    def _swap_token(self, match: re.Match[str]) -> str:
        token = match.group()
        rng = self.rng
        if token[0].isdigit():
            # Keep the digit pattern (years stay four digits, "1.5" stays decimal).
            return "".join(str(rng.randint(0, 9)) if c.isdigit() else c for c in token)
        if token[0].isupper():
            if rng.random() < self.name_swap:
                return (
                    self._invented_word(capital=True)
                    if rng.random() < 0.3
                    else rng.choice(self.names)
                )
            return token
        draw = rng.random()
        if draw < self.new_word:
            return self._invented_word()
        if draw < self.new_word + self.word_swap:
            return rng.choice(self.words)
        return token

    def _vary_line(self, line: str) -> str:
        if len(line) <= _STRUCTURE_LINE_CHARS:
            return line
        marker = _MARKER.match(line)
        if marker:
            # An item keeps its marker and stays one item: only its words vary.
            return marker.group() + _TOKEN.sub(self._swap_token, line[marker.end() :])
        sentences = _SENTENCE_END.split(line)
        if len(sentences) > 1:
            self.rng.shuffle(sentences)
        sentences = [
            self.rng.choice(self.sentences) if self.rng.random() < self.sentence_swap else s
            for s in sentences
        ]
        return _TOKEN.sub(self._swap_token, " ".join(sentences))

    def document(self) -> str:
        """One generated document: 1 to 6 varied templates, as one file might hold."""
        parts = []
        for _ in range(self.rng.randint(1, 6)):
            _, template = self.rng.choice(self.templates)
            parts.append("\n".join(self._vary_line(line) for line in template.splitlines()))
        return "\n\n".join(parts) + "\n"

    def variant(self, name: str) -> str:
        """One varied copy of the template called ``name`` (e.g. ``supplement-resolution``)."""
        templates = dict(self.templates)
        if name not in templates:
            raise KeyError(f"No template {name!r}; have {', '.join(sorted(templates))}")
        return "\n".join(self._vary_line(line) for line in templates[name].splitlines()) + "\n"

    def documents(self, size_bytes: int) -> Iterator[str]:
        """Documents until their UTF-8 size reaches ``size_bytes`` (at least one)."""
        total = 0
        while True:
            doc = self.document()
            total += len(doc.encode("utf-8"))
            yield doc
            if total >= size_bytes:
                return


def generate_documents(size_bytes: int, seed: int = 0) -> list[str]:
    """A list of varied documents of about ``size_bytes`` UTF-8 bytes in total."""
    return list(CorpusGenerator(seed).documents(size_bytes))


def write_corpus(folder: Path, size_bytes: int, seed: int = 0) -> list[Path]:
    """Write a generated corpus as ``doc-NNNNNN.txt`` files; return their paths.

    The files are written one by one, so a large corpus never sits in memory.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, doc in enumerate(CorpusGenerator(seed).documents(size_bytes)):
        path = folder / f"doc-{index:06d}.txt"
        path.write_text(doc, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    """Write a generated corpus folder (for benchmarks of other tools)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    paths = write_corpus(args.out, int(args.size_mb * 1_000_000), args.seed)
    print(f"wrote {len(paths)} files to {args.out}")


if __name__ == "__main__":
    main()
