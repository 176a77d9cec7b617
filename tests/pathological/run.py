#!/usr/bin/env python3
"""Pathological inputs: each case is generated at several sizes and loaded
by patho_load (the publication and template loaders, as `folio check` runs
them before layout), which reports its own CPU time. A case fails when a
larger size takes more than FACTOR times the linear expectation from the
smallest (time(small) * size / small): a quadratic step shows at once,
while a loaded machine's noise does not, as CPU time ignores waiting.
Some cases also have an absolute bound (a 1 KB bomb is refused at once),
and each case's exit status is checked (0: loads, 1: refused).

Usage: run.py --loader PATH --work DIR [--case NAME...] [--scale K]
              [--slowdown F]
  --scale K divides every size by K (a quick look on a slow build).
  --slowdown F multiplies the absolute bounds by F (sanitizer builds).
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys

FACTOR = 10
# Below this, CPU time is mostly noise (clock granularity, page faults):
# the smallest size's time is taken as at least this much.
FLOOR = 0.004
# The smallest size is loaded this many times and the fastest run kept.
REPEAT_SMALL = 2

HEAD = """title: "Pathological"
year: 2025
editions: [vi]
sections:
  - title: "Một"
    blocks:
"""


def pub(body):
    """A publication whose one section's blocks are body (YAML lines
    indented for the blocks list)."""
    return {"publication.yaml": HEAD + body}


def para(text):
    """One paragraph holding text as a literal block scalar."""
    lines = text.split("\n")
    return "      - p: |\n" + "".join("          " + ln + "\n" for ln in lines)


# Vietnamese in NFD: base letters with their marks after them, the way a
# Mac or a careless converter writes it; NFC composes every one.
VI_NFD = ("Vie\u0323\u0302t Nam la\u0300 mo\u0323\u0302t qu\u00f4\u0301c gia "
          "na\u0306\u0300m o\u031b\u0309 \u0111o\u0302ng Nam A\u0301, "
          "ti\u0309nh Nam \u0110i\u0323nh co\u0301 nhie\u0302\u0300u "
          "le\u0302\u0303 ho\u0323\u0302i truye\u0302\u0300n tho\u0301ng. ")


def wrap(unit, nbytes, width=78):
    """unit repeated to about nbytes of UTF-8, in lines of about width: a
    block of lines is made once and repeated."""
    words = (unit * 40).split()
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = w if not cur else cur + " " + w
    block = "\n".join(lines) + "\n"
    reps = max(1, nbytes // len(block.encode()))
    return (block * reps).rstrip("\n")


# ---- cases: size -> {relative path: text} ------------------------------

def nfc_paragraph(n):
    return pub(para(wrap(VI_NFD, n)))


def long_line(n):
    # One plain scalar on one line of n bytes.
    return pub("      - p: " + ("tiếng Việt " * (n // 14)) + "x\n")


def combining_marks(n):
    # One letter carrying n marks of alternating classes (230, 220): canonical
    # reordering sorts them, which is quadratic in the run's length.
    marks = "\u0301\u0323" * (n // 2)
    return pub("      - p: \"a" + marks + "\"\n")


def many_spans(n):
    return pub(para(wrap("**đậm** *nghiêng* [liên kết](https://a.vn) x^{2} ", n)))


def many_blocks(n):
    return pub("".join('      - p: "Đoạn %d."\n' % i for i in range(n)))


def alias_errors(n):
    body = "      - p: &a \"x\"\n" + "".join("      - *a\n" for _ in range(n))
    return pub(body)


def model_errors(n):
    # Every block has a key nobody knows: one error each, all different
    # positions, the same message.
    return pub("".join('      - p: "x"\n        bogus: %d\n' % i
                       for i in range(n)))


def duplicate_keys(n):
    # One mapping with the same key n times.
    return pub("      - p: \"x\"\n" +
               "".join("        k: %d\n" % i for i in range(n)))


def alias_bomb(levels):
    # "Billion laughs": each level names the previous one ten times. Folio
    # refuses aliases instead of expanding them.
    out = "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, levels):
        refs = ", ".join("*x%d" % (i - 1) for _ in range(10))
        out += "x%d: &x%d [%s]\n" % (i, i, refs)
    return {"publication.yaml": HEAD + "      - p: \"x\"\n" + out}


def include_fanout(depth):
    # Each file includes the next one ten times: 10^depth includes from a
    # few hundred bytes; each leaf has a mistake and many values.
    files = {}
    body = "".join("      - include: f1.yaml\n" for _ in range(10))
    files["publication.yaml"] = HEAD + body
    for d in range(1, depth):
        files["f%d.yaml" % d] = "".join(
            "- include: f%d.yaml\n" % (d + 1) for _ in range(10))
    files["f%d.yaml" % depth] = ("- p: \"lá\"\n  bogus: 1\n- p: *nope\n"
                                 "- list: [" + "a," * 300 + "]\n")
    return files


def include_cycles(n):
    # n files that each include all n: every path through them is a cycle
    # with its own message.
    files = {"publication.yaml": HEAD + "      - include: f0.yaml\n"}
    for i in range(n):
        files["f%d.yaml" % i] = "".join("- include: f%d.yaml\n" % j
                                        for j in range(n))
    return files


def include_lines(n):
    # One file that names the same small file n times.
    return {"publication.yaml": HEAD + "      - include: a.yaml\n" * n,
            "a.yaml": "- p: \"x\"\n"}


def deep_flow(n):
    # n nested flow sequences, then as many mappings.
    return pub("      - p: " + "[" * n + "]" * n + "\n      - p: " +
               "{a: " * n + "}" * n + "\n")


def deep_block(n):
    # Many sibling subtrees each nested as deep as the limit allows.
    unit = "[" * 60 + "x" + "]" * 60
    return pub("".join("      - list: " + unit + "\n" for _ in range(n)))


def unmatched_braces(n):
    # n errors on one long line: each error's column is counted from the
    # text's start.
    return pub("      - p: \"" + "x} " * n + "\"\n")


def open_emphasis_then_braces(n):
    # n open '**' then n '}': each '}' looks for a '^{' below n openers.
    return pub(para("**a " * n + "}" * n))


def open_links(n):
    # n '[' with no ']': each one checks whether a link is already open.
    return pub(para("[a " * n))


def open_superscripts(n):
    return pub(para("^{a " * n))


def angle_brackets(n):
    # n '<a' without '>': each looks ahead for the end of a tag.
    return pub(para("<a " * n))


def long_stars(n):
    # Runs of stars of every length up to n, each refused or literal.
    return pub(para(" ".join("*" * k for k in range(1, 64)) * (n // 2100 + 1)))


def style_overrides(n):
    styles = "".join("  s%d: { size: 10 }\n" % i for i in range(n))
    return {"publication.yaml": HEAD + "      - p: \"x\"\nstyles:\n" + styles}


def template_errors(n):
    # A project's own template with n unknown keys in one style: loaded
    # once per edition, its errors sorted and merged.
    keys = "".join("    k%d: 1\n" % i for i in range(n))
    return {"publication.yaml": HEAD.replace("editions: [vi]",
                                             "template: ./tmpl\n"
                                             "editions: [vi, en]") +
            "      - p: \"x\"\n",
            "tmpl/template.yaml": "name: tmpl\nstyles:\n  body:\n" + keys}


def unknown_keys(n):
    keys = "".join("        k%d: 1\n" % i for i in range(n))
    return pub("      - p: \"x\"\n" + keys)


# name: (generator, sizes, expected exit, absolute bound in seconds or None).
# A bound of the form ("only", S) skips the linear check: the case's work
# grows exponentially with its size until a limit stops it, and what
# matters is how soon.
CASES = {
    "nfc-paragraph": (nfc_paragraph, [100_000, 1_000_000, 10_000_000], 0,
                      None),
    "long-line": (long_line, [100_000, 1_000_000, 10_000_000], 0, None),
    "combining-marks": (combining_marks, [2_000, 20_000, 200_000], 1, None),
    "many-spans": (many_spans, [30_000, 300_000, 3_000_000], 0, None),
    "many-blocks": (many_blocks, [1_000, 10_000, 50_000], 0, None),
    "alias-errors": (alias_errors, [3_000, 30_000, 300_000], 1, None),
    "model-errors": (model_errors, [500, 5_000, 50_000], 1, None),
    "duplicate-keys": (duplicate_keys, [500, 5_000, 50_000], 1, None),
    "template-errors": (template_errors, [200, 2_000, 20_000], 1, None),
    "unknown-keys": (unknown_keys, [500, 5_000, 50_000], 1, None),
    "alias-bomb": (alias_bomb, [10, 100, 1_000], 1, 0.5),
    "include-fanout": (include_fanout, [2, 4, 16], 1, ("only", 1.0)),
    "include-cycles": (include_cycles, [4, 8, 16], 1, ("only", 1.0)),
    "include-lines": (include_lines, [5_000, 25_000, 125_000], 1, None),
    "deep-flow": (deep_flow, [1_000, 10_000, 100_000], 1, None),
    "deep-block": (deep_block, [100, 1_000, 10_000], 1, None),
    "unmatched-braces": (unmatched_braces, [500, 5_000, 50_000], 1, None),
    "emphasis-braces": (open_emphasis_then_braces, [500, 5_000, 50_000],
                        1, None),
    "open-links": (open_links, [500, 5_000, 50_000], 1, None),
    "open-superscripts": (open_superscripts, [500, 5_000, 50_000], 1,
                          None),
    "angle-brackets": (angle_brackets, [3_000, 30_000, 300_000], 0, None),
    "long-stars": (long_stars, [10_000, 100_000, 1_000_000], 0, None),
    "style-overrides": (style_overrides, [2_000, 20_000, 100_000], 1, None),
}


# Cases whose sizes are set against a limit (4096 includes, 1000 styles):
# --scale leaves them as they are.
NO_SCALE = {"include-lines", "style-overrides"}


def write(folder, files):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    nbytes = 0
    for name, text in files.items():
        data = text.encode()
        nbytes += len(data)
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return nbytes


def limit_cpu(seconds):
    def set_limit():
        s = int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (s, s + 1))
    return set_limit


def load(loader, folder, cpu_limit):
    """(cpu seconds or None when killed, exit status, stderr's first line)"""
    errfile = os.path.join(folder, "stderr")
    try:
        with open(errfile, "wb") as err:
            p = subprocess.run([loader,
                                os.path.join(folder, "publication.yaml")],
                               stdout=subprocess.PIPE, stderr=err,
                               timeout=cpu_limit * 4 + 30,
                               preexec_fn=limit_cpu(cpu_limit))
    except subprocess.TimeoutExpired:
        return None, None, "timed out"
    with open(errfile, "rb") as err:
        first = err.readline().decode(errors="replace").rstrip("\n")
    if p.returncode < 0:
        return None, p.returncode, "killed by signal %d" % -p.returncode
    try:
        cpu = float(p.stdout.split()[0])
    except (IndexError, ValueError):
        return None, p.returncode, "no timing printed: " + first
    return cpu, p.returncode, first


def run_case(name, loader, work, scale, slowdown):
    gen, sizes, want_rc, bound = CASES[name]
    only = isinstance(bound, tuple)
    if only:
        bound = bound[1]
    if bound is not None:
        bound *= slowdown
    if not only and name not in NO_SCALE:
        sizes = [max(1, s // scale) for s in sizes]
    # a scaled run (a sanitizer build) is for memory errors more than for
    # timing, and process start-up is costly there: the smallest size once,
    # then the largest
    repeat = REPEAT_SMALL if scale == 1 else 1
    if scale != 1:
        sizes = [sizes[0], sizes[-1]]
    ok = True
    base = None
    for i, size in enumerate(sizes):
        folder = os.path.join(work, "%s-%d" % (name, size))
        nbytes = write(folder, gen(size))
        if base is None or only:
            cpu_limit = 60 if bound is None else bound
        else:
            cpu_limit = FACTOR * base * nbytes / base_bytes
            if bound is not None:
                cpu_limit = min(cpu_limit, bound)
        cpu, rc, first = None, None, ""
        for _ in range(repeat if i == 0 else 1):
            c, rc, first = load(loader, folder, cpu_limit)
            if c is None:
                cpu = None
                break
            cpu = c if cpu is None else min(cpu, c)
        verdict = "ok"
        if cpu is None:
            verdict = "FAIL (%s, limit %.2fs)" % (first, cpu_limit)
        elif rc != want_rc:
            verdict = "FAIL (exit %s, expected %d: %s)" % (rc, want_rc, first)
        elif base is not None and not only and cpu > cpu_limit:
            verdict = "FAIL (over %.3fs)" % cpu_limit
        elif bound is not None and cpu > bound:
            verdict = "FAIL (over the bound of %.2fs)" % bound
        if verdict != "ok":
            ok = False
        print("%-18s %10d bytes  %8.3fs  %s" %
              (name, nbytes, cpu if cpu is not None else float("nan"),
               verdict), flush=True)
        if base is None and cpu is not None:
            base, base_bytes = max(cpu, FLOOR), nbytes
        if cpu is None:
            break
        if verdict == "ok":
            shutil.rmtree(folder, ignore_errors=True)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loader", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--case", action="append")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--slowdown", type=float, default=1)
    args = ap.parse_args()
    names = args.case or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print("unknown case: " + ", ".join(unknown))
        return 2
    os.makedirs(args.work, exist_ok=True)
    failed = [n for n in names if not run_case(n, args.loader, args.work,
                                               args.scale, args.slowdown)]
    if failed:
        print("FAIL: " + ", ".join(failed))
        return 1
    print("ok: %d cases, each within %dx of linear growth" %
          (len(names), FACTOR))
    return 0


if __name__ == "__main__":
    sys.exit(main())
