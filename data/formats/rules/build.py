"""Build data/formats/rules/ from the marked sources in marked/.

A marked source is the document text with:
  - directive lines starting with '@' (removed with their newline):
      @doc <doc_id> | <style> | <layout> | <crlf:0/1> | <description>
      @sec <Section> | <section title>     (or '@sec -' for none)
      @fn <heading>                          (or '@fn -' for none)
      @chg added|modified|suppressed|-
      @furn <regex>                          a page-furniture line pattern
  - clauses wrapped as ⟦text⟧{THEMES} or ⟦text⟧{THEMES|note}
  - ⇥ for a tab character.
Theme letters: C connectivity, S space_spectrum, G gender, P stakeholder_participation,
Y cybersecurity, I internet_governance, H human_rights, R telecom_regulation,
X institutional_process.
"""
import csv, json, re, sys, tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
THEMES = dict(C="connectivity", S="space_spectrum", G="gender", P="stakeholder_participation",
              Y="cybersecurity", I="internet_governance", H="human_rights",
              R="telecom_regulation", X="institutional_process")
PREAMBLE = ("recalling", "considering", "recognizing", "noting", "bearing in mind", "having regard",
            "aware", "convinced", "emphasizing", "acknowledging", "taking into account", "mindful",
            "concerned", "reaffirming", "welcoming", "having considered", "observing", "stressing",
            "further recalling", "further recognizing", "further noting")
OPERATIVE = ("resolves", "decides", "instructs", "invites", "encourages", "requests", "calls upon",
             "urges", "further resolves", "appeals", "charges", "endorses", "approves", "resolve")


def part_of(fn):
    if not fn:
        return ""
    for w in OPERATIVE:
        if fn == w or fn.startswith(w + " "):
            return "operative"
    for w in PREAMBLE:
        if fn == w or fn.startswith(w + " "):
            return "preamble"
    raise ValueError(f"unknown heading {fn!r}")


def build(src):
    meta = None
    sec, title, fn, chg = "", "", "", ""
    furn = []
    out = []          # list of str pieces of the output text
    pos = 0
    recs = []
    crlf = False
    lines = src.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    body = []
    for ln in lines:
        if ln.startswith("@"):
            body.append(("D", ln))
        else:
            body.append(("T", ln))
    cur = None  # open clause: dict
    for kind, ln in body:
        if kind == "D":
            key, _, val = ln[1:].partition(" ")
            val = val.strip()
            if key == "doc":
                f = [x.strip() for x in val.split("|")]
                meta = dict(doc_id=f[0], style=f[1], layout=f[2], description=f[4])
                crlf = f[3] == "1"
            elif key == "sec":
                if val == "-":
                    sec, title = "", ""
                else:
                    s, _, t = val.partition("|")
                    sec, title = s.strip(), t.strip()
            elif key == "fn":
                fn = "" if val == "-" else val
            elif key == "chg":
                chg = "" if val == "-" else val
            elif key == "furn":
                furn.append(re.compile(val))
            else:
                raise ValueError(ln)
            continue
        i = 0
        ln = ln.replace("⇥", "\t").replace("␌", "\f")
        while i < len(ln):
            ch = ln[i]
            if ch == "⟦":
                assert cur is None, (src, ln)
                cur = dict(start=pos, function=fn, part=part_of(fn), section=sec,
                           section_title=title, change=chg)
                i += 1
                continue
            if ch == "⟧":
                assert cur is not None, (src, ln)
                m = re.match(r"⟧\{([A-Z]*)(?:\|([^}]*))?\}", ln[i:])
                assert m, (src, ln[i:])
                cur["end"] = pos
                cur["themes"] = [THEMES[c] for c in m.group(1)]
                cur["note"] = (m.group(2) or "").strip()
                recs.append(cur)
                cur = None
                i += len(m.group(0))
                continue
            out.append(ch)
            pos += 1
            i += 1
        nl = "\r\n" if crlf else "\n"
        out.append(nl)
        pos += 1  # offsets index the newline-normalised text, as itunlp reads it
    assert cur is None, src
    text = "".join(out)
    return meta, text, recs, furn


def check(meta, text, recs, furn, theme_ids):
    prev = 0
    for r in recs:
        t = text[r["start"]:r["end"]]
        assert t == r["text"]
        assert t and t == t.strip(), (meta["doc_id"], repr(t))
        assert r["start"] >= prev, (meta["doc_id"], t)
        prev = r["end"]
        for th in r["themes"]:
            assert th in theme_ids
        assert r["part"] == part_of(r["function"])
        assert r["function"] == r["function"].lower().strip() and "  " not in r["function"]
        assert r["change"] in ("", "added", "modified", "suppressed")
        if r["section"]:
            assert re.fullmatch(r"(Resolution|Decision|Recommendation|Opinion|Article|Annex)"
                                r" [\w\[\]\-\.]+( to (Resolution|Decision) \w+)?", r["section"]), r["section"]
        # no clause starts or ends on a furniture line
        for off in (r["start"], r["end"] - 1):
            ls = text.rfind("\n", 0, off) + 1
            le = text.find("\n", off)
            line = text[ls:le if le >= 0 else len(text)].rstrip("\r")
            for f in furn:
                assert not f.fullmatch(line), (meta["doc_id"], line, t)
        assert not re.match(r"^(\(?[a-z]\)|\(?[ivx]+\)|\d+(\.\d+)*[.)]?|[a-z]\.)\s", t), (meta["doc_id"], t[:40])
        assert not t.startswith(("•", "◦", "▪", "*")), t[:30]
    assert not text.startswith("\ufeff")


def main():
    theme_ids = {t["id"] for t in tomllib.loads((HERE.parents[1] / "themes.toml").read_text())["theme"]}
    rows, allrecs = [], []
    for src in sorted((HERE / "marked").glob("*.marked")):
        meta, text, recs, furn = build(src)
        doc = meta["doc_id"]
        path = f"docs/{doc}.txt"
        (HERE / path).write_bytes(text.encode("utf-8"))
        again = (HERE / path).read_bytes().decode("utf-8").replace("\r\n", "\n")
        for n, r in enumerate(recs, 1):
            r["text"] = again[r["start"]:r["end"]]
        check(meta, again, recs, furn, theme_ids)
        rows.append([doc, path, meta["style"], meta["layout"], meta["description"]])
        for n, r in enumerate(recs, 1):
            allrecs.append(dict(doc_id=doc, clause_id=f"{doc}-{n:03d}", start=r["start"], end=r["end"],
                                text=r["text"], function=r["function"], part=r["part"],
                                section=r["section"], section_title=r["section_title"],
                                change=r["change"], themes=r["themes"],
                                source="itunlp-authored formats set", annotator="itunlp-formats-a",
                                note=r["note"]))
        print(f"{doc}: {len(recs)} clauses")
    with open(HERE / "documents.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["doc_id", "path", "style", "layout", "description"])
        w.writerows(rows)
    with open(HERE / "clauses.jsonl", "w", encoding="utf-8") as fh:
        for r in allrecs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("total", len(allrecs))


if __name__ == "__main__":
    main()
