"""Score itunlp's segmenter on data/documents (clauses-a + clauses-b) per writer.

Usage, from the repository root:
    python data/documents/score_segmentation.py [DIFF.tsv]
Prints P/R/F1 overall and per writer under itunlp.evaluation.segmentation's matching
rule; with a path, also writes every disagreement (missed GOLD span, extra PRED span).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from itunlp.evaluation.segmentation import match_spans, score_spans
from itunlp.segmentation.component import split_into_clauses
from itunlp.segmentation.edges import edges_match

HERE = Path(__file__).resolve().parent


def main() -> None:
    docs: dict[str, str] = {}
    writer: dict[str, str] = {}
    for part in "ab":
        with open(HERE / f"documents-{part}.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                docs[row["doc_id"]] = (HERE / row["path"]).read_text(encoding="utf-8")
                writer[row["doc_id"]] = row["writer"]
    gold: dict[str, list[tuple[int, int, str]]] = {d: [] for d in docs}
    for part in "ab":
        for line in (HERE / f"clauses-{part}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                gold[r["doc_id"]].append((r["start"], r["end"], r["clause_id"]))
    acc: dict[str, list[int]] = {}
    diffs = []
    for d, text in docs.items():
        pred = [(c.start, c.end) for c in split_into_clauses(text)]
        g = [(s, e) for s, e, _ in gold[d]]
        m = match_spans(text, pred, g)
        for key in ("overall", writer[d]):
            a = acc.setdefault(key, [0, 0, 0, 0])
            for i, v in enumerate((1, len(g), len(pred), m)):
                a[i] += v
        used_g = [False] * len(g)
        used_p = [False] * len(pred)
        for i, (ps, pe) in enumerate(pred):
            for j, (gs, ge) in enumerate(g):
                if not used_g[j] and edges_match(text, ps, gs) and edges_match(text, pe, ge):
                    used_g[j] = used_p[i] = True
                    break
        diffs += [(d, gs, "GOLD", gold[d][j][2], text[gs:ge]) for j, (gs, ge) in enumerate(g) if not used_g[j]]
        diffs += [(d, ps, "PRED", f"{ps}-{pe}", text[ps:pe]) for i, (ps, pe) in enumerate(pred) if not used_p[i]]
    print("writer       docs  gold  pred match     P     R    F1")
    for key in ["overall", *sorted(k for k in acc if k != "overall")]:
        n, s, p, m = acc[key]
        prec, rec, f1 = score_spans(m, p, s)
        print(f"{key:12s} {n:4d} {s:5d} {p:5d} {m:5d} {prec:.3f} {rec:.3f} {f1:.3f}")
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as out:
            for d, s, kind, cid, t in sorted(diffs, key=lambda x: (x[0], x[1])):
                out.write(f"{d}\t{s}\t{kind}\t{cid}\t{t!r}\n")


if __name__ == "__main__":
    main()
