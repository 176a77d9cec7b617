#!/usr/bin/env python3
"""Benchmark content (../shared/bench/gen_content.py JSON) → a folio
publication, so that folio is measured on exactly the content the anchors
(Typst, WeasyPrint) were measured on.

    json_to_folio.py VI.json EN.json OUT.yaml

Both editions go into one publication (vi, en). Block kinds folio does not
have yet (figure, table, quote) are carried as what they are closest to
today: a quote becomes an italic paragraph with its attribution, a table's
caption and rows become a paragraph, a figure's caption a paragraph; the
script says how many it converted so the figures are read with that in
mind. Markup characters in the content are escaped."""
import json
import sys

SPECIAL = set("\\*[]()~<^{}")


def esc(s):
    return "".join("\\" + c if c in SPECIAL else c for c in s)


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def block_text(b, labels):
    t = b["type"]
    if t == "p":
        return esc(b["text"]), None
    if t == "quote":
        return "*" + esc(b["text"]) + "* — " + esc(b["attribution"]), t
    if t == "figure":
        return esc(labels["figure"] + ". " + b["caption"]), t
    if t == "table":
        rows = "; ".join(", ".join(r) for r in b["rows"])
        return esc(b["caption"] + ": " + ", ".join(b["header"]) + "; " + rows), t
    raise ValueError(t)


def main():
    vi, en = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
    out = [f"title: {{ vi: {q(vi['meta']['title'])}, en: {q(en['meta']['title'])} }}\n",
           f"subtitle: {{ vi: {q(vi['meta']['subtitle'])}, en: {q(en['meta']['subtitle'])} }}\n",
           "year: 2024\nslug: bench\neditions: [vi, en]\nsections:\n"]
    carried = {}
    for sv, se in zip(vi["sections"], en["sections"]):
        out.append(f"  - title: {{ vi: {q(esc(sv['heading']))}, en: {q(esc(se['heading']))} }}\n    blocks:\n")
        for bv, be in zip(sv["blocks"], se["blocks"]):
            tv, kind = block_text(bv, vi["labels"])
            te, _ = block_text(be, en["labels"])
            if kind:
                carried[kind] = carried.get(kind, 0) + 1
            out.append(f"      - p: {{ vi: {q(tv)}, en: {q(te)} }}\n")
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        f.write("".join(out))
    print(f"{sys.argv[3]}: {len(vi['sections'])} sections; carried as paragraphs: {carried}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
