#!/usr/bin/env python3
"""Benchmark content (../shared/bench/gen_content.py JSON) → a folio
publication, so that folio is measured on exactly the content the anchors
(Typst, WeasyPrint: ../shared/bench/to_typst.py, to_html.py) were measured
on.

    json_to_folio.py VI.json EN.json OUT.yaml [--split DIR]

With --split, each section goes in a file of its own, DIR/sNNN.yaml (DIR
relative to OUT.yaml's folder), which OUT.yaml includes: the shape of a
publication edited section by section (tests/bench/bench.py's watch
latency edits one such file).

Both editions go into one publication (vi, en), in the anchors' structure:
title, subtitle, a cover with the JSON's cover image, then per section its
heading and its blocks, each as the folio block it is:

- p → `p`;
- figure → `figure` (src: the JSON's image, relative to OUT.yaml's folder,
  so write OUT.yaml where that path stays inside the project folder — e.g.
  beside the JSON, whose images are in img/; one column wide; caption
  "**Figure N.** caption", N the section's number, as the anchors number
  them);
- table → `table` (caption "**Table N.** caption"; the columns from the
  header, the first left-aligned, the numbers `align: decimal`: the
  generator writes 1.234,5 in vi and 1,234.5 in en, and folio aligns on the
  edition's decimal separator, ',' in vi and '.' in en);
- quote → `quote` (text, by: the attribution; folio sets "— by").

Markup characters in the content are escaped (texts are folio markup); the
caption numbers are the only markup written. Prints what it converted."""
import json
import os
import sys

SPECIAL = set("\\*[]()~<^{}")


def esc(s):
    return "".join("\\" + c if c in SPECIAL else c for c in s)


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def text(v, e):
    """A folio text: one string when both editions agree, else per edition."""
    return q(v) if v == e else f"{{ vi: {q(v)}, en: {q(e)} }}"


def figure_caption(b, n, labels):
    return f"**{esc(labels['figure'])} {n}.** {esc(b['caption'])}"


def table_caption(b, n, labels):
    return f"**{esc(labels['table'])} {n}.** {esc(b['caption'])}"


def block_yaml(bv, be, n, lv, le, src_rel):
    """The YAML lines (indented for a block list item) of one block."""
    t = bv["type"]
    if t == "p":
        return [f"      - p: {text(esc(bv['text']), esc(be['text']))}\n"]
    if t == "figure":
        assert bv["src"] == be["src"], (bv["src"], be["src"])
        return ["      - figure:\n",
                f"          src: {q(src_rel(bv['src']))}\n",
                f"          caption: {text(figure_caption(bv, n, lv), figure_caption(be, n, le))}\n",
                "          span: column\n"]
    if t == "quote":
        return ["      - quote:\n",
                f"          text: {text(esc(bv['text']), esc(be['text']))}\n",
                f"          by: {text(esc(bv['attribution']), esc(be['attribution']))}\n"]
    if t == "table":
        out = ["      - table:\n",
               f"          caption: {text(table_caption(bv, n, lv), table_caption(be, n, le))}\n",
               "          columns:\n"]
        for c, (hv, he) in enumerate(zip(bv["header"], be["header"])):
            align = "" if c == 0 else ", align: decimal"
            out.append(f"            - {{ head: {text(esc(hv), esc(he))}{align} }}\n")
        out.append("          rows:\n")
        for rv, re_ in zip(bv["rows"], be["rows"]):
            cells = ", ".join(text(esc(a), esc(b)) for a, b in zip(rv, re_))
            out.append(f"            - [ {cells} ]\n")
        return out
    raise ValueError(t)


def main():
    args = sys.argv[1:]
    split = None
    if len(args) == 5 and args[3] == "--split":
        split = args[4]
        args = args[:3]
    if len(args) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    vi, en = (json.load(open(p, encoding="utf-8")) for p in args[:2])
    json_dir = os.path.dirname(os.path.abspath(args[0]))
    out_path = args[2]
    out_dir = os.path.dirname(os.path.abspath(out_path))

    def src_rel_from(yaml_dir):
        def src_rel(src):
            return os.path.relpath(os.path.join(json_dir, src),
                                   yaml_dir).replace(os.sep, "/")
        return src_rel

    src_rel = src_rel_from(out_dir)
    assert vi["meta"]["cover_image"] == en["meta"]["cover_image"]
    lv, le = vi["labels"], en["labels"]
    out = [f"title: {text(esc(vi['meta']['title']), esc(en['meta']['title']))}\n",
           f"subtitle: {text(esc(vi['meta']['subtitle']), esc(en['meta']['subtitle']))}\n",
           "year: 2024\nslug: bench\neditions: [vi, en]\n",
           f"cover: {{ image: {q(src_rel(vi['meta']['cover_image']))} }}\n",
           "sections:\n"]
    counts = {}
    if split:
        split_dir = os.path.join(out_dir, split)
        os.makedirs(split_dir, exist_ok=True)
        split_rel = src_rel_from(split_dir)
    for n, (sv, se) in enumerate(zip(vi["sections"], en["sections"]), 1):
        assert len(sv["blocks"]) == len(se["blocks"])
        sec = [f"  - title: {text(esc(sv['heading']), esc(se['heading']))}\n",
               "    blocks:\n"]
        for bv, be in zip(sv["blocks"], se["blocks"]):
            assert bv["type"] == be["type"]
            counts[bv["type"]] = counts.get(bv["type"], 0) + 1
            sec += block_yaml(bv, be, n, lv, le,
                              split_rel if split else src_rel)
        if not split:
            out += sec
            continue
        # One section, a mapping: the list item's lines, four spaces less.
        name = f"s{n:03d}.yaml"
        with open(os.path.join(split_dir, name), "w", encoding="utf-8") as f:
            f.write("".join(l[4:] for l in sec))
        out.append(f"  - include: {q(split.rstrip('/') + '/' + name)}\n")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("".join(out))
    print(f"{out_path}: {len(vi['sections'])} sections"
          + (f" (one file each in {split})" if split else "") + "; blocks: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
