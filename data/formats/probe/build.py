"""Build probe docs + gold from marked files.

Marked syntax: «clause»{codes}; directive lines (removed): '@f heading', '@s Section|title',
'@c change'. Theme codes: c s g p y i h r n.
"""
import json, re, sys, csv
from pathlib import Path
HERE = Path(__file__).parent
CODES = dict(c="connectivity", s="space_spectrum", g="gender", p="stakeholder_participation",
             y="cybersecurity", i="internet_governance", h="human_rights",
             r="telecom_regulation", n="institutional_process")
PRE = ("recalling", "considering", "recognizing", "noting", "bearing", "having", "aware",
       "convinced", "emphasizing", "acknowledging", "taking", "mindful", "concerned", "reaffirming")
OPS = ("resolves", "decides", "instructs", "invites", "encourages", "requests", "calls",
       "urges", "further", "appeals")
def part(f):
    if not f: return ""
    w = f.split()[0]
    return "preamble" if w in PRE else "operative" if w in OPS else "?"
def build(name):
    src = (HERE / "marked" / f"{name}.txt").read_text(encoding="utf-8")
    out, recs = [], []
    state = dict(f="", s="", t="", c="")
    pos = 0
    for line in re.split(r"(?<=\n)", src):
        if line.startswith("@"):
            k, _, v = line[1:].rstrip("\n").partition(" ")
            if k == "s":
                state["s"], _, state["t"] = v.partition("|")
            else:
                state[k] = v
            continue
        out.append((line, dict(state)))
    # second pass: text with clause markers, states by line
    text = ""; marks = []; open_ = None
    for line, st in out:
        for ch_i, ch in enumerate(line):
            if ch == "«":
                open_ = (len(text), st)
            elif ch == "»":
                marks.append([open_[0], len(text), open_[1], ""])
                open_ = None
            else:
                text += ch
    # themes: {..} right after clause end
    final = ""; shift = 0; res = []
    m_iter = iter(marks)
    # remove {codes} after each clause end
    idx = 0; pieces = []; last = 0; newmarks = []
    removed = 0
    for s, e, st, _ in marks:
        m = re.match(r"\{([a-z]*)\}", text[e:])
        assert m, (name, text[s:e])
        pieces.append(text[last:e]); last = e + m.end()
        newmarks.append((s - removed, e - removed, st, m.group(1)))
        removed += m.end()
    pieces.append(text[last:]); text = "".join(pieces)
    (HERE / "docs" / f"{name}.txt").write_text(text, encoding="utf-8")
    for n, (s, e, st, codes) in enumerate(newmarks, 1):
        recs.append(dict(doc_id=name, clause_id=f"{name}-{n:03d}", start=s, end=e, text=text[s:e],
                         function=st["f"], part=part(st["f"]), section=st["s"], section_title=st["t"],
                         change=st["c"], themes=[CODES[c] for c in codes],
                         source="itunlp-authored formats set (probe)", annotator="itunlp-formats-e", note=""))
    return recs
def verify(recs):
    prev = {}
    for r in recs:
        doc = (HERE / "docs" / f"{r['doc_id']}.txt").read_text(encoding="utf-8").replace("\r\n", "\n")
        assert doc[r["start"]:r["end"]] == r["text"], r
        assert r["text"] == r["text"].strip() and r["text"], r
        assert r["start"] >= prev.get(r["doc_id"], 0), r
        prev[r["doc_id"]] = r["end"]
        assert r["function"] == " ".join(r["function"].lower().split()).rstrip(".,:;"), r
        assert r["part"] in ("", "preamble", "operative"), r
        assert (r["part"] == "") == (r["function"] == ""), r
        assert r["change"] in ("", "added", "modified", "suppressed"), r
        assert r["section"] == "" or re.match(r"^(Resolution|Decision|Article|Annex|Recommendation|Opinion) \S+", r["section"]), r
        assert "«" not in r["text"] and "»" not in r["text"] and "{" not in r["text"], r
if __name__ == "__main__":
    names = [p.stem for p in sorted((HERE / "marked").glob("*.txt"))]
    allr = []
    for n in names:
        rs = build(n); allr += rs; print(n, len(rs))
    verify(allr)
    with open(HERE / "clauses.jsonl", "w", encoding="utf-8") as f:
        for r in allr: f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("total", len(allr))
