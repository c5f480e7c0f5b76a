"""Build check-set docs and gold clauses from marked sources.

Marked syntax: a line `%% key=value` (func, sec, title, chg) is dropped with its newline and
sets the state for following clauses; `⟦themes|text⟧` marks a clause (themes comma-separated,
may be empty). Everything else is copied verbatim into docs/<doc_id>.txt.
"""
import json, re, sys, tomllib
from pathlib import Path

HERE = Path(__file__).parent
PRE = ("recalling", "considering", "recognizing", "noting", "bearing", "having", "aware",
       "convinced", "emphasizing", "acknowledging", "taking", "mindful", "concerned", "observing",
       "welcoming", "highlighting", "reaffirming", "recognising", "expressing")
OPS = ("resolves", "decides", "instructs", "invites", "encourages", "requests", "calls",
       "urges", "further", "appeals", "charges")
THEMES = {t["id"] for t in tomllib.loads((HERE.parent.parent / "themes.toml").read_text())["theme"]}


def part_of(func):
    if not func:
        return ""
    w = func.split()[0]
    if w in PRE:
        return "preamble"
    if w in OPS:
        return "operative"
    raise ValueError(func)


def build(doc_id):
    src = (HERE / "marked" / f"{doc_id}.txt").read_text(encoding="utf-8")
    state = {"func": "", "sec": "", "title": "", "chg": ""}
    out, recs, i = [], [], 0
    pending = []  # (start_in_out, themes, state snapshot)
    text = ""
    lines = src.split("\n")
    body = []
    # directives: turn into inline control tokens so state changes at the right place
    for ln in lines:
        m = re.fullmatch(r"%% (\w+)=(.*)", ln)
        if m:
            body.append(("\x00", m.group(1), m.group(2)))
        else:
            body.append(ln)
    buf = []
    for j, item in enumerate(body):
        if isinstance(item, tuple):
            buf.append(item)
        else:
            buf.append(item)
            buf.append("\n")
    if buf and buf[-1] == "\n":
        buf.pop()
    doc = []
    pos = 0
    stack = None
    for piece in buf:
        if isinstance(piece, tuple):
            state[piece[1]] = piece[2]
            continue
        k = 0
        while k < len(piece):
            ch = piece[k]
            if ch == "⟦":
                bar = piece.index("|", k)
                th = [t for t in piece[k + 1:bar].split(",") if t]
                stack = (pos, th, dict(state))
                k = bar + 1
                continue
            if ch == "⟧":
                s, th, st = stack
                stack = None
                recs.append((s, pos, th, st))
                k += 1
                continue
            doc.append(ch)
            pos += 1
            k += 1
    text = "".join(doc)
    (HERE / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    out = []
    for n, (s, e, th, st) in enumerate(recs, 1):
        for t in th:
            assert t in THEMES, (doc_id, t)
        out.append({"doc_id": doc_id, "clause_id": f"{doc_id}-{n:03d}", "start": s, "end": e,
                    "text": text[s:e], "function": st["func"], "part": part_of(st["func"]),
                    "section": st["sec"], "section_title": st["title"], "change": st["chg"],
                    "themes": th, "source": "itunlp-authored formats check set",
                    "annotator": "itunlp-formats-d", "note": ""})
    return text, out


def verify(text, recs):
    last = 0
    for r in recs:
        t = r["text"]
        assert t == text[r["start"]:r["end"]], r
        assert t and t == t.strip(), r
        assert r["start"] >= last, r
        last = r["end"]
        f = r["function"]
        assert f == " ".join(f.lower().split()) and not f.endswith((":", ",", ";", ".")), r
        assert r["change"] in ("", "added", "modified", "suppressed"), r
        assert r["section"] == "" or re.fullmatch(r"(Resolution|Decision|Article|Annex|Recommendation|Opinion) \S+( to (Resolution|Decision) \S+)?", r["section"]), r
        assert r["themes"] == sorted(set(r["themes"]), key=r["themes"].index)


def main():
    ids = [l.split(",")[0] for l in (HERE / "documents.csv").read_text().splitlines()[1:] if l]
    allrecs = []
    for d in ids:
        text, recs = build(d)
        verify(text, recs)
        # re-read through the normalised path
        again = open(HERE / "docs" / f"{d}.txt", encoding="utf-8").read()
        verify(again, recs)
        allrecs += recs
        print(d, len(recs))
    with open(HERE / "clauses.jsonl", "w", encoding="utf-8") as f:
        for r in allrecs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("total", len(allrecs))


if __name__ == "__main__":
    main()
