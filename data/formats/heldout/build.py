"""Build docs/, clauses.jsonl from annotated/*.txt and check every record.

Annotated source syntax (nothing of it reaches the documents):
  a line starting with '@@' sets state and is dropped:
    @@crlf                   the document is written with \\r\\n line endings; offsets
                             index the text read with universal newlines (\\n)
    @@sec KIND N|title       section and section_title ('@@sec' alone clears both)
    @@fn heading words       function (already lower case); '@@fn' alone clears it
    @@ch added|modified|suppressed   change; '@@ch' alone clears it
  a clause is written as ⟦text⟧{codes|note}; codes: C connectivity, S space_spectrum,
  G gender, P stakeholder_participation, Y cybersecurity, I internet_governance,
  H human_rights, T telecom_regulation, X institutional_process.
Run: /work/venv/bin/python build.py
"""
import csv, json, re, sys, tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = dict(C="connectivity", S="space_spectrum", G="gender", P="stakeholder_participation",
             Y="cybersecurity", I="internet_governance", H="human_rights",
             T="telecom_regulation", X="institutional_process")
OPERATIVE = ("resolves", "decides", "instructs", "invites", "encourages", "requests",
             "calls upon", "urges", "further resolves", "appeals", "approves", "endorses")
PREAMBLE = ("recalling", "considering", "recognizing", "noting", "bearing in mind",
            "having regard to", "aware", "convinced", "emphasizing", "acknowledging",
            "taking into account", "mindful", "concerned", "welcoming", "reaffirming",
            "expressing", "highlighting", "having considered", "observing")
SOURCE, ANNOTATOR = "itunlp-authored formats set", "itunlp-formats-b"


def part_of(fn):
    if not fn:
        return ""
    if fn.startswith(OPERATIVE):
        return "operative"
    if fn.startswith(PREAMBLE):
        return "preamble"
    raise SystemExit(f"unknown heading kind: {fn!r}")


def build(path):
    doc_id = path.stem
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    crlf = bool(lines) and lines[0].strip() == "@@crlf"
    out, recs = [], []
    state = dict(section="", section_title="", function="", change="")
    olen = 0
    buf = ""
    for line in lines:
        if line.startswith("@@"):
            cmd, _, arg = line[2:].rstrip("\n").partition(" ")
            if cmd == "sec":
                sec, _, title = arg.partition("|")
                state["section"], state["section_title"] = sec.strip(), title.strip()
            elif cmd == "fn":
                state["function"] = arg.strip()
            elif cmd == "ch":
                state["change"] = arg.strip()
            elif cmd != "crlf":
                raise SystemExit(f"{doc_id}: bad command {line!r}")
            continue
        buf += line
    text, i, opened = [], 0, None
    pos = 0
    while i < len(buf):
        ch = buf[i]
        if ch == "⟦":
            if opened is not None:
                raise SystemExit(f"{doc_id}: nested clause at {pos}")
            opened = (pos, dict(state_at(buf, i)))
            i += 1
            continue
        if ch == "⟧":
            m = re.match(r"⟧\{([A-Z]*)(?:\|([^}]*))?\}", buf[i:])
            if not m or opened is None:
                raise SystemExit(f"{doc_id}: bad close near {buf[i-40:i+10]!r}")
            recs.append(dict(start=opened[0], end=pos, codes=m.group(1), note=m.group(2) or "",
                             st=opened[1]))
            opened = None
            i += m.end()
            continue
        text.append(ch)
        pos += 1
        i += 1
    return doc_id, "".join(text), recs


# state is tracked by position: rebuild a map of state changes per buffer offset
def state_at(buf, i):
    return STATES[i]


def main():
    global STATES
    themes = {t["id"] for t in tomllib.loads((HERE.parent.parent / "themes.toml").read_text())["theme"]}
    allrecs, n_err = [], 0
    for path in sorted((HERE / "annotated").glob("*.txt")):
        # precompute state per buffer offset
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        crlf = bool(lines) and lines[0].strip() == "@@crlf"
        state = dict(section="", section_title="", function="", change="")
        STATES, buf = [], ""
        for line in lines:
            if line.startswith("@@"):
                cmd, _, arg = line[2:].rstrip("\n").partition(" ")
                if cmd == "sec":
                    sec, _, title = arg.partition("|")
                    state = dict(state, section=sec.strip(), section_title=title.strip())
                elif cmd == "fn":
                    state = dict(state, function=arg.strip())
                elif cmd == "ch":
                    state = dict(state, change=arg.strip())
                continue
            buf += line
            STATES.extend([state] * len(line))
        doc_id, doc, recs = build(path)
        # offsets index the text as Python (and itunlp) reads it: universal newlines,
        # so a file written with \r\n has the same offsets as its \n twin
        raw = doc.replace("\n", "\r\n") if crlf else doc
        (HERE / "docs" / f"{doc_id}.txt").write_bytes(raw.encode("utf-8"))
        with open(HERE / "docs" / f"{doc_id}.txt", encoding="utf-8") as f:
            assert f.read() == doc
        lines_doc = doc.splitlines()
        counts = {}
        for ln in lines_doc:
            if ln.strip():
                counts[ln.strip()] = counts.get(ln.strip(), 0) + 1
        prev_end = 0
        for k, r in enumerate(recs, 1):
            st = r["st"]
            t = doc[r["start"]:r["end"]]
            errs = []
            if t != t.strip() or not t:
                errs.append("whitespace")
            if r["start"] < prev_end:
                errs.append("overlap/order")
            prev_end = r["end"]
            if any(c not in CODES for c in r["codes"]) or len(set(r["codes"])) != len(r["codes"]):
                errs.append("codes")
            th = [CODES[c] for c in r["codes"] if c in CODES]
            if any(x not in themes for x in th):
                errs.append("theme id")
            fn = st["function"]
            if fn != fn.lower() or fn != " ".join(fn.split()) or fn.endswith((",", ":", ";", ".")):
                errs.append("function form")
            part = part_of(fn)
            if st["change"] not in ("", "added", "modified", "suppressed"):
                errs.append("change")
            if st["section"] and not re.match(r"^(Resolution|Decision|Recommendation|Opinion|Article|Annex) ", st["section"]):
                errs.append("section form")
            # furniture: first and last line of the clause may not be a repeated line or a marker
            s_line = doc[doc.rfind("\n", 0, r["start"]) + 1:].split("\n", 1)[0].strip()
            e_line = doc[:r["end"]].rsplit("\n", 1)[-1].strip()
            for ln in (s_line, e_line):
                if counts.get(ln, 0) > 1 and len(ln) < 90:
                    errs.append(f"repeated line {ln!r}")
                if re.match(r"^(MOD|ADD|SUP|NOC)\s|^Reasons:|^https?://|^Page \d|^- \d+ -$", ln):
                    errs.append(f"furniture line {ln!r}")
            if errs:
                n_err += 1
                print(doc_id, k, errs, repr(t[:80]))
            allrecs.append(dict(doc_id=doc_id, clause_id=f"{doc_id}-{k:03d}", start=r["start"],
                                end=r["end"], text=t, function=fn, part=part,
                                section=st["section"], section_title=st["section_title"],
                                change=st["change"], themes=th, source=SOURCE,
                                annotator=ANNOTATOR, note=r["note"]))
    # documents.csv must list exactly these docs
    with open(HERE / "documents.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["doc_id"] for r in rows] == sorted({r["doc_id"] for r in allrecs}) or \
        sorted(r["doc_id"] for r in rows) == sorted({r["doc_id"] for r in allrecs}), "documents.csv mismatch"
    for r in rows:
        assert (HERE / r["path"]).is_file(), r["path"]
    # final re-read check against written files
    for r in allrecs:
        with open(HERE / "docs" / f"{r['doc_id']}.txt", encoding="utf-8") as f:
            doc = f.read()
        assert doc[r["start"]:r["end"]] == r["text"]
    with open(HERE / "clauses.jsonl", "w", encoding="utf-8") as f:
        for r in allrecs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter
    per_doc = Counter(r["doc_id"] for r in allrecs)
    per_theme = Counter(t for r in allrecs for t in r["themes"])
    print("clauses", len(allrecs), dict(per_doc))
    print("themes", dict(per_theme), "no theme", sum(1 for r in allrecs if not r["themes"]))
    print("errors", n_err)
    sys.exit(1 if n_err else 0)


if __name__ == "__main__":
    main()
