#!/usr/bin/env python3
"""Writes the markup harness's seeds (tests/fuzz/seeds/markup/) from the
repository's fixtures: every string value of every YAML file under
tests/ and examples/ that holds a markup character (* [ < ~ ^ \\), one
file each, named by the SHA-1 of its bytes so that reruns add nothing
twice. Files the YAML reader refuses (the error fixtures) are skipped.
Needs python3-yaml. Run from anywhere: python3 tests/fuzz/markup_seeds.py"""
import hashlib
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fuzz" / "seeds" / "markup"
MARKS = set("*[<~^\\")


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    seen = set()
    for folder in ("tests", "examples"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            for s in strings(doc):
                if not MARKS & set(s):
                    continue
                b = s.encode("utf-8")
                name = hashlib.sha1(b).hexdigest()[:16] + ".txt"
                if name not in seen:
                    seen.add(name)
                    (OUT / name).write_bytes(b)
    print(f"{len(seen)} markup seeds in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
