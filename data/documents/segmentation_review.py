"""Apply the segmentation review's gold fixes to clauses-a.jsonl / clauses-b.jsonl.

Each fix names a document and the old spans it replaces (merge: several spans -> one;
split: one span -> several at given offsets). Offsets, text and clause_ids are
recomputed from the document; every other field is kept (a merged clause gets the
union of its parts' themes in order; a split gives each part the themes listed).
Idempotent: a fix whose old spans are no longer in the gold is skipped.
Writes segmentation-review.csv (doc_id, old spans, new spans, reason) and verifies
all records: text == doc[start:end], no edge whitespace, ordered, non-overlapping,
ids consecutive.

Run from the repository root: python data/documents/segmentation_review.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (doc_id, kind, old spans, new spans, themes per new span or None = union, reason)
FIXES = [
    (
        "team-debrief-memo-wtdc22",
        "merge",
        [(1168, 1223), (1224, 1260)],
        [(1168, 1260)],
        None,
        "colon split where what follows cannot stand alone: 'no mention at all in the final "
        "text' is a verbless phrase completing the lead-in (codebook 1: split at ':' only when "
        "what follows could stand alone; data/dev keeps 'a clear mission: to connect ...' whole)",
    ),
]


def _docs() -> dict[str, str]:
    out = {}
    for name in ("documents-a.csv", "documents-b.csv"):
        with open(HERE / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                out[row["doc_id"]] = (HERE / row["path"]).read_text(encoding="utf-8")
    return out


def main() -> None:
    docs = _docs()
    log = []
    for name in ("clauses-a.jsonl", "clauses-b.jsonl"):
        path = HERE / name
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for doc_id, kind, old, new, themes, reason in FIXES:
            idx = [i for i, r in enumerate(records) if r["doc_id"] == doc_id and (r["start"], r["end"]) in old]
            if len(idx) != len(old):
                continue
            text = docs[doc_id]
            base = records[idx[0]]
            union: list[str] = []
            for i in idx:
                union += [t for t in records[i]["themes"] if t not in union]
            repl = []
            for k, (s, e) in enumerate(new):
                rec = dict(base)
                rec.update(start=s, end=e, text=text[s:e], themes=union if themes is None else themes[k])
                repl.append(rec)
            records[idx[0] : idx[-1] + 1] = repl
            log.append(
                {
                    "doc_id": doc_id,
                    "old_spans": " | ".join(f"{s}-{e} {text[s:e]!r}" for s, e in old),
                    "new_spans": " | ".join(f"{s}-{e} {text[s:e]!r}" for s, e in new),
                    "reason": f"{kind}: {reason}",
                }
            )
        # renumber clause ids per document, in text order
        counter: dict[str, int] = {}
        for r in records:
            counter[r["doc_id"]] = counter.get(r["doc_id"], 0) + 1
            r["clause_id"] = f"{r['doc_id']}-{counter[r['doc_id']]:03d}"
        _verify(records, docs)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    if log:
        with open(HERE / "segmentation-review.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["doc_id", "old_spans", "new_spans", "reason"])
            writer.writeheader()
            writer.writerows(log)
    print(f"{len(log)} fix(es) applied")


def _verify(records: list[dict], docs: dict[str, str]) -> None:
    last: dict[str, int] = {}
    n: dict[str, int] = {}
    for r in records:
        text = docs[r["doc_id"]]
        assert r["text"] == text[r["start"] : r["end"]], r["clause_id"]
        assert r["text"] == r["text"].strip() and r["text"], r["clause_id"]
        assert r["start"] >= last.get(r["doc_id"], 0) and r["start"] < r["end"], r["clause_id"]
        last[r["doc_id"]] = r["end"]
        n[r["doc_id"]] = n.get(r["doc_id"], 0) + 1
        assert r["clause_id"] == f"{r['doc_id']}-{n[r['doc_id']]:03d}", r["clause_id"]


if __name__ == "__main__":
    main()
