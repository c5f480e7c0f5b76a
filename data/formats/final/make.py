"""Assemble data/formats/final/ from the annotated sources in src/*.src.

Source syntax (one directive per line, the line is dropped from the output):
  %doc id ; style ; layout ; crlf(0|1) ; description
  %sec Kind N ; title        (%sec - for none)
  %fn heading                (%fn - for none)
  %chg added|modified|suppressed|-
Clauses: <<text>>{letters}  or <<text>>{letters:note}.
Letters: c connectivity s space_spectrum g gender p stakeholder_participation
y cybersecurity i internet_governance h human_rights r telecom_regulation
x institutional_process.
"""
import csv, json, re, sys
from pathlib import Path

D = Path(__file__).resolve().parent
T = dict(c="connectivity", s="space_spectrum", g="gender", p="stakeholder_participation",
         y="cybersecurity", i="internet_governance", h="human_rights",
         r="telecom_regulation", x="institutional_process")
PRE = ("recalling", "considering", "recognizing", "noting", "bearing in mind", "having regard",
       "aware", "convinced", "emphasizing", "acknowledging", "taking into account", "mindful",
       "concerned", "reaffirming", "welcoming", "observing", "stressing", "having considered",
       "further recalling", "further recognizing", "further noting", "deeply concerned")
OPR = ("resolves", "decides", "instructs", "invites", "encourages", "requests", "calls upon",
       "urges", "further resolves", "further decides", "resolve")


def part(fn):
    if not fn:
        return ""
    for w in OPR:
        if fn == w or fn.startswith(w + " "):
            return "operative"
    for w in PRE:
        if fn == w or fn.startswith(w + " "):
            return "preamble"
    raise SystemExit(f"unknown heading {fn!r}")


CL = re.compile(r"<<(.*?)>>\{([a-z]*)(?::([^}]*))?\}", re.S)


def one(path):
    raw = path.read_text(encoding="utf-8").replace("␌", "\f")
    sec = title = fn = chg = ""
    meta = None
    out, recs, pos = [], [], 0
    keep = []
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for ln in lines:
        if ln.startswith("%doc "):
            meta = [x.strip() for x in ln[5:].split(";", 4)]
            continue
        if ln.startswith("%sec "):
            v = ln[5:].strip()
            keep.append(("sec", v))
            continue
        if ln.startswith("%fn "):
            keep.append(("fn", ln[4:].strip()))
            continue
        if ln.startswith("%chg "):
            keep.append(("chg", ln[5:].strip()))
            continue
        keep.append(("t", ln))
    # rebuild text with directive markers as sentinels
    buf = []
    for k, v in keep:
        if k == "t":
            buf.append(v + "\n")
        else:
            buf.append(f"\x00{k}\x01{v}\x02")
    s = "".join(buf)
    doc_id = meta[0]
    i = 0
    text = []
    n = 0
    tok = re.compile(r"\x00(sec|fn|chg)\x01(.*?)\x02|<<(.*?)>>\{([a-z]*)(?::([^}]*))?\}", re.S)
    for m in tok.finditer(s):
        text.append(s[i:m.start()])
        i = m.end()
        if m.group(1):
            k, v = m.group(1), m.group(2)
            if k == "sec":
                if v == "-":
                    sec = title = ""
                else:
                    a, _, b = v.partition(";")
                    sec, title = a.strip(), b.strip()
            elif k == "fn":
                fn = "" if v == "-" else v
            else:
                chg = "" if v == "-" else v
            continue
        body = m.group(3)
        start = len("".join(text))
        text.append(body)
        n += 1
        assert body == body.strip(), (doc_id, body)
        recs.append(dict(doc_id=doc_id, clause_id=f"{doc_id}-{n:03d}", start=start,
                         end=start + len(body), text=body, function=fn, part=part(fn),
                         section=sec, section_title=title, change=chg,
                         themes=[T[c] for c in m.group(4)], source="itunlp-authored formats set (final)",
                         annotator="itunlp-formats-c", note=m.group(5) or ""))
    text.append(s[i:])
    doc = "".join(text)
    assert "<<" not in doc and ">>{" not in doc and "\x00" not in doc, doc_id
    name = f"docs/{doc_id}.txt"
    data = doc.replace("\n", "\r\n") if meta[3] == "1" else doc
    (D / name).write_bytes(data.encode("utf-8"))
    return meta, name, recs


def check(rows):
    import tomllib
    ids = {t["id"] for t in tomllib.loads((D.parent.parent / "themes.toml").read_text())["theme"]}
    last = {}
    for r in rows:
        doc = open(D / "docs" / (r["doc_id"] + ".txt"), encoding="utf-8").read()
        assert doc[r["start"]:r["end"]] == r["text"], r["clause_id"]
        assert r["text"] == r["text"].strip() and r["text"], r["clause_id"]
        assert r["start"] >= last.get(r["doc_id"], 0), r["clause_id"]
        last[r["doc_id"]] = r["end"]
        assert set(r["themes"]) <= ids and len(set(r["themes"])) == len(r["themes"]), r["clause_id"]
        f = r["function"]
        assert f == f.lower() and f == " ".join(f.split()) and not f.endswith((",", ":", ";", ".")), r["clause_id"]
        assert r["part"] == part(f)
        assert r["change"] in ("", "added", "modified", "suppressed")
        assert r["section"] == "" or re.fullmatch(r"(Resolution|Decision|Recommendation|Opinion|Article|Annex)( \S+)( to (Resolution|Decision) \S+)?", r["section"]), r["section"]
        assert not re.match(r"(\(?[a-z0-9]{1,4}[).]|[•◦▪–-])\s", r["text"]), r["clause_id"]  # no item marker or bullet
        assert r["clause_id"] == f"{r['doc_id']}-{r['clause_id'][-3:]}"


def main():
    rows, metas = [], []
    for p in sorted((D / "src").glob("*.src")):
        meta, name, recs = one(p)
        metas.append([meta[0], name, meta[1], meta[2], meta[4]])
        rows += recs
    with open(D / "documents.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["doc_id", "path", "style", "layout", "description"])
        w.writerows(metas)
    with open(D / "clauses.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    check(rows)
    from collections import Counter
    print(len(rows), Counter(r["doc_id"] for r in rows))
    print(Counter(t for r in rows for t in r["themes"]))


main()
