#!/usr/bin/env python3
"""Lists the format string of every message folio can report, one a line.

Messages go through printf-like functions, which are declared with
FO_PRINTF(fmt, args) (the compiler checks their formats): the position of
the format argument comes from that declaration. Every such function must be
named below as either a message function (its formats are messages) or not
one (it formats something else), so that a new printf-like function cannot
slip past docs/errors.md unnoticed: an unclassified one is an error.

Usage: diag_formats.py PIPELINE_DIR [--where]  (prints the formats; exit 1 on an
unclassified function or a message call whose format is not a literal).
"""
import os
import re
import sys

# Functions whose formats are messages the user reads.
MESSAGES = {
    "fo_error", "fo_warning", "fo_diag_add", "fo_diag_add_where",
    "err",            # source.c, markup.c: into the fo_diags
    "check_report",   # the preflight's findings
    "image_set_why", "image_rd_fail",  # why an image cannot be read
    "usage_error",    # cli: bad usage (exit 2)
    "finding",        # cli/editions.c: the parity report's findings
}
# printf-like functions that format something other than a message, or
# pass a caller's format on (the caller's call is the one checked).
NOT_MESSAGES = {
    "fo_arena_printf", "fo_buf_printf", "str_printf", "putf",
    "cli_vsay", "cli_say", "fo_diag_vadd", "fo_diag_vadd_where",
}

DECL = re.compile(r"\b(\w+)\s*\([^;{]*?\)\s*FO_PRINTF\((\d+),\s*\d+\)", re.S)
STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def sources(root):
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(d, f)


def strip_comments(text):
    # keeps strings intact: a comment opener inside a string is not one
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_args(text, start):
    """The arguments of the call whose '(' is at start, as source text."""
    args, depth, i, cur = [], 0, start + 1, []
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append("".join(cur).strip())
                return args
            depth -= 1
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args


def literal(arg):
    """The string an argument made only of adjacent literals spells."""
    rest = STRING.sub("", arg).strip()
    if rest or '"' not in arg:
        return None
    return "".join(STRING.findall(arg))


def unescape(s):
    """A C literal's text as printed (\\" is ", \\\\ is \\)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(
        m.group(1), m.group(1)), s)


def literals(arg):
    """The strings an argument spells: one literal, or each branch of
    `cond ? "…" : "…"`; None when it is anything else."""
    s = literal(arg)
    if s is not None:
        return [s]
    bare = STRING.sub('""', arg)  # ':' and '?' inside strings do not count
    if bare.count("?") != 1 or bare.count(":") != 1:
        return None
    # the same split on the text with its strings kept
    q = re.search(r'\?(?=(?:[^"]*"[^"]*")*[^"]*$)', arg)
    c = re.search(r':(?=(?:[^"]*"[^"]*")*[^"]*$)', arg[q.end():])
    a, b = literal(arg[q.end():q.end() + c.start()]), literal(arg[q.end() + c.end():])
    return [a, b] if a is not None and b is not None else None


def main():
    root = sys.argv[1]
    texts = {p: strip_comments(open(p, encoding="utf-8").read())
             for p in sources(root)}
    fmt_arg = {}
    bad = 0
    for p, t in texts.items():
        for m in DECL.finditer(t):
            name, pos = m.group(1), int(m.group(2))
            if name not in MESSAGES and name not in NOT_MESSAGES:
                print(f"{p}: printf-like '{name}' is not classified in "
                      f"{sys.argv[0]}", file=sys.stderr)
                bad = 1
            if name in MESSAGES:
                fmt_arg[name] = pos - 1
    formats = {}
    call = re.compile(r"\b(" + "|".join(sorted(fmt_arg)) + r")\s*\(")
    for p, t in texts.items():
        for m in call.finditer(t):
            # skip the declarations and definitions themselves
            before = t[max(0, m.start() - 40):m.start()]
            if re.search(r"\b(void|int|static|char)\s*\**\s*$", before):
                continue
            args = call_args(t, m.end() - 1)
            k = fmt_arg[m.group(1)]
            if len(args) <= k:
                continue
            found = literals(args[k])
            if found is None:
                line = t.count("\n", 0, m.start()) + 1
                print(f"{p}:{line}: the format of {m.group(1)} is not a "
                      f"string literal", file=sys.stderr)
                bad = 1
                continue
            for s in found:
                if re.sub(r"%[-+ #0-9.*]*(?:l|ll|z|h)?[sdifgcuxp%]", "",
                          s).strip():
                    formats.setdefault(unescape(s), os.path.relpath(p, root))
    where = len(sys.argv) > 2 and sys.argv[2] == "--where"
    for s in sorted(formats):
        print(f"{s}\t{formats[s]}" if where else s)
    return bad


if __name__ == "__main__":
    sys.exit(main())
