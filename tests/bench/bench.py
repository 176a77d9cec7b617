#!/usr/bin/env python3
"""folio's speed on the yearbook benchmark, side by side with Typst.

    tests/bench/bench.py [--folio BUILD/folio] [--sizes 5,27,113,580]
                         [--profiles archive,screen,print] [--runs 3]
                         [--cache DIR] [--install-anchors] [--anchors DIR]
                         [--no-typst] [--no-weasyprint] [--no-warm]
                         [--watch SECTIONS] [--watch-edits 10]
                         [--no-typst-watch] [--fixed-runs 10]
                         [--callgrind SECTIONS [--callgrind-profile P]]
                         [--example DIR]

A program that prints figures, not a test: it checks no time limit. Its
columns are those of the targets in docs/benchmark.md.

Cold and warm builds. For each size (a number of sections of
../shared/bench/gen_content.py's content; the defaults give folio about 10,
50, 200 and 1,000 pages, since folio opens each section on a new page), it

- generates the content once (JSON, and the images with ImageMagick's real
  `convert`: their bytes matter for the timing and the PDF size) into the
  cache folder, where the next run finds it; the images depend only on their
  index, so every size shares one img/ folder. Beside bench-N.yaml
  (json_to_folio.py: both editions, the yearbook template) it writes
  bench-N-edit.yaml, the same with the first paragraph of every section
  changed and the images untouched: the warm build's input;
- in each round (--runs rounds, one for sizes of 300 sections or more unless
  --runs-large says otherwise), runs every tool once, one after the other,
  so that a change in the machine's load falls on all of them alike:
  folio in each of --profiles (`folio build bench-N.yaml --edition vi
  --profile P`: print converts every RGB image to CMYK; archive keeps RGB
  and passes JPEGs and opaque PNGs through, as the anchors do; screen
  downsamples to 150 ppi), Typst 0.14 (the typst.ts node compiler of the
  anchors' npm packages, through to_typst.py and typst_node.js) and
  WeasyPrint (Debian's, through to_html.py) when installed;
- gives each folio round a fresh, empty cache folder (FOLIO_CACHE, which
  comes before folio's default cache in $XDG_CACHE_HOME, so no cache of an
  earlier run makes a cold build warm; XDG_CACHE_HOME itself stays, since
  fontconfig keeps its own cache there): the cold build fills it, then the
  warm build sets bench-N-edit.yaml with it. When the cold build left the
  folder empty (a folio without a disk cache), the warm figure is only a
  second build, and the output says so;
- times each build as a whole process (posix_spawn and wait4: wall seconds
  from the spawn to the exit, peak RSS and CPU seconds of the process), and
  reports the median of the rounds, the largest peak RSS, and each PDF's
  page count (pdfinfo). The same-content ratio is Typst's seconds over
  folio's for the same sections (folio sets them on more pages); pages per
  second are each tool's own pages over its own time. Typst keeps nothing
  between processes, so its cold time is also what a second build costs it.

--watch N (default 113, 0 to skip) measures watch latency on N sections:
the publication is written one section per file (json_to_folio.py
--split), `folio watch --edition vi` (the print profile's soft proof) runs
on it, and --watch-edits scripted edits each add a few words to the first
paragraph of one section file (a different section each time, spread over
the publication). The latency of an edit is from the moment the edited file
is closed to the last rename into the output folder (the PDF, the changed
pages' PNGs and thumbnails, proof.html, build.js) before folio prints that
its build is done; it includes folio's 200 ms debounce. The renames are
seen through Linux inotify (ctypes on libc: no package), read by a
select() loop that stamps each event with time.perf_counter() as it wakes,
so the resolution is the scheduler's wake-up delay. The Typst 0.10 CLI of
the anchors' npm packages (the only Typst there with a `watch` command) is
measured the same way on the same edits of its one source file, to the
close of the PDF it writes in place, and so is Typst 0.14's watch as the
typst.ts node compiler offers it (its ProjectWatcher, driven by
typst_watch.js, which renames the PDF into place), both PDF only.

--fixed-runs N (default 10, 0 to skip) times a tiny publication (one
paragraph, no image) N times with each folio profile, Typst 0.14 and the
Typst 0.10 CLI: the fixed cost of a build.

--install-anchors first installs WeasyPrint (apt-get) and the Typst
packages (npm ci in a copy of the anchors' folder, --anchors, default
/tmp/bench-anchors); without it a missing tool is skipped. --callgrind N
runs folio once under valgrind's callgrind on N sections (--callgrind-
profile, default archive) and prints the top 15 functions by inclusive
instruction count. --example DIR times `folio build` of both editions,
print and screen profiles, with -j 1 and with -j 2.
"""
import argparse
import ctypes
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))

# What the anchors' npm packages hold (package.json): the typst.ts node
# compiler (a Typst of the 0.14 line) and the Typst 0.10 command line.
TYPST_NODE_PKG = ("@myriaddreamin", "typst-ts-node-compiler")
TYPST_010_BIN = ("@typst-community", "typst-linux-x64", ".typst", "bin",
                 "typst")

TARGETS = {  # docs/benchmark.md, "Targets": Typst 0.14's time ÷ folio's
    "cold": {"archive": 6.0, "screen": 4.0, "print": 2.5},
    "warm": {"archive": 10.0, "print": 8.0},
}
WATCH_TARGET_MS = 300
RSS_TARGET_MB = 100
FIXED_TARGET_MS = 30


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, **kw):
    try:
        return subprocess.run(cmd, check=True, **kw)
    except subprocess.CalledProcessError as e:
        err = kw.get("stderr")
        sys.exit(f"bench: {' '.join(cmd)}: exit {e.returncode}"
                 + (f" (see {err.name})" if hasattr(err, "name") else ""))


def real_convert_dir(cache):
    """A folder whose `convert` is ImageMagick's own binary, to put first on
    PATH: /usr/local/bin may hold a stand-in. None when there is none."""
    for c in ("/usr/bin/convert-im6.q16", "/usr/bin/convert"):
        if os.path.exists(c):
            d = os.path.join(cache, "bin")
            os.makedirs(d, exist_ok=True)
            link = os.path.join(d, "convert")
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.realpath(c), link)
            return d
    return None


def edit_first_paragraph(text, words):
    """text (folio YAML) with words put before the Vietnamese text of its
    first paragraph (`- p: { vi: "…`): a one-paragraph edit."""
    new, k = re.subn(r'(- p: \{ vi: ")', r"\g<1>" + words + " ", text, count=1)
    if k != 1:
        raise ValueError("no paragraph to edit")
    return new


def content(cache, n, gen):
    """The cached content of n sections: (vi JSON, folio YAML, the YAML with
    one paragraph changed in every section)."""
    d = os.path.join(cache, "content")
    vi, en = (os.path.join(d, f"{l}-{n}.json") for l in ("vi", "en"))
    yaml = os.path.join(d, f"bench-{n}.yaml")
    edit = os.path.join(d, f"bench-{n}-edit.yaml")
    if not (os.path.exists(vi) and os.path.exists(en)):
        conv = real_convert_dir(cache)
        if not conv:
            sys.exit("bench: ImageMagick's convert is not installed "
                     "(apt-get install imagemagick)")
        env = dict(os.environ, PATH=conv + os.pathsep + os.environ["PATH"])
        log(f"generating {n} sections into {d} (ImageMagick: ~1 s an image "
            "on 2 cores, kept for the next run)")
        run([sys.executable, gen, "--sections", str(n), "--out", d], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(yaml):
        run([sys.executable, os.path.join(HERE, "json_to_folio.py"), vi, en,
             yaml], stderr=subprocess.DEVNULL)
    if not os.path.exists(edit):
        with open(yaml, encoding="utf-8") as f:
            parts = re.split(r"(?m)^(?=  - title:)", f.read())
        parts = parts[:1] + [edit_first_paragraph(p, "Bản sửa:")
                             for p in parts[1:]]
        with open(edit + ".tmp", "w", encoding="utf-8") as f:
            f.write("".join(parts))
        os.replace(edit + ".tmp", edit)
    return vi, yaml, edit


def spawn_timed(cmd, env, err_path):
    """One whole process: (wall s, peak RSS KiB, CPU s). posix_spawn and
    wait4 rather than /usr/bin/time, whose 10 ms steps are too coarse for a
    fixed cost of some 20 ms."""
    acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, err_path,
             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, env, file_actions=acts)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        with open(err_path, errors="replace") as f:
            log(f.read()[-2000:])
        raise RuntimeError(f"failed ({rc}): {' '.join(cmd)}")
    return wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime


def pdf_pages(path):
    out = run(["pdfinfo", path], capture_output=True, text=True).stdout
    return int(next(l.split()[1] for l in out.splitlines()
                    if l.startswith("Pages:")))


def install_anchors(anchors):
    if not shutil.which("weasyprint"):
        run(["apt-get", "install", "-y", "weasyprint"])
    if not os.path.isdir(os.path.join(anchors, "node_modules")):
        if not os.path.isdir(anchors):
            shutil.copytree(SHARED, anchors)
            for base, dirs, files in os.walk(anchors):
                for f in dirs + files:
                    os.chmod(os.path.join(base, f), 0o755)
            os.chmod(anchors, 0o755)
        run(["npm", "ci"], cwd=anchors)


def folio_env(cache_dir=None):
    env = dict(os.environ, FOLIO_DATA_DIR=ROOT, LC_ALL="C.UTF-8")
    if cache_dir:
        env["FOLIO_CACHE"] = cache_dir
    return env


def cache_files(cache_dir):
    return sum(len(f) for _, _, f in os.walk(cache_dir))


def typst_node(a):
    """The typst.ts node compiler's folder, or None when not installed."""
    d = os.path.join(a.anchors, "node_modules", *TYPST_NODE_PKG)
    return d if shutil.which("node") and os.path.isdir(d) else None


def typst010(a):
    """The Typst 0.10 command line of the npm package, or None."""
    b = os.path.join(a.anchors, "node_modules", *TYPST_010_BIN)
    return b if os.access(b, os.X_OK) else None


class Tool:
    """cold: the command of a cold build; warm: that of the warm build (folio
    only); pdf: what cold writes."""

    def __init__(self, name, cold, pdf, env=None, warm=None):
        self.name, self.cold, self.pdf = name, cold, pdf
        self.env, self.warm = env or dict(os.environ), warm


def tools(a, n, vi, yaml, edit, out):
    ts = []
    for p in a.profiles:
        suffix = "" if p == "print" else "-" + p
        ts.append(Tool(
            f"folio {p}",
            [a.folio, "build", yaml, "-o", out, "--edition", "vi",
             "--profile", p],
            os.path.join(out, f"bench-vi{suffix}.pdf"),
            warm=[a.folio, "build", edit, "-o", out + "-warm", "--edition",
                  "vi", "--profile", p]))
    if not a.no_typst and typst_node(a):
        typ = vi[:-len(".json")] + ".typ"   # beside img/
        if not os.path.exists(typ):
            run([sys.executable, os.path.join(SHARED, "to_typst.py"), vi, typ])
        pdf = os.path.join(out, "typst.pdf")
        ts.append(Tool("Typst 0.14", ["node", os.path.join(
            a.anchors, "typst_node.js"), typ, pdf], pdf))
    elif not a.no_typst:
        log(f"skipping Typst: no npm install in {a.anchors} "
            "(--install-anchors)")
    if not a.no_weasyprint and shutil.which("weasyprint"):
        html = vi[:-len(".json")] + ".html"
        if not os.path.exists(html):
            run([sys.executable, os.path.join(SHARED, "to_html.py"), vi, html])
        pdf = os.path.join(out, "weasyprint.pdf")
        ts.append(Tool("WeasyPrint", ["weasyprint", "-q", html, pdf], pdf))
    elif not a.no_weasyprint:
        log("skipping WeasyPrint: not installed (--install-anchors)")
    return ts


def mb(kib):
    return kib / 1024


def bench(a):
    gen = os.path.join(SHARED, "gen_content.py")
    if not os.path.exists(gen):
        sys.exit(f"bench: {gen} not found")
    rows = []
    for n in a.sizes:
        vi, yaml, edit = content(a.cache, n, gen)
        runs = a.runs if n < 300 else a.runs_large
        out = os.path.join(a.cache, "out", f"{n}")
        os.makedirs(out, exist_ok=True)
        os.makedirs(out + "-warm", exist_ok=True)
        ts = tools(a, n, vi, yaml, edit, out)
        res = {t.name: dict(cold=[], warm=[], rss=[], cpu=[], load=[],
                            cached=[]) for t in ts}
        failed = set()
        for r in range(runs):
            for t in ts:
                if t.name in failed:
                    continue
                log(f"{n} sections, round {r + 1} of {runs}: {t.name}")
                m = res[t.name]
                m["load"].append(os.getloadavg()[0])
                err = os.path.join(out, t.name.replace(" ", "-") + ".log")
                try:
                    if t.warm:
                        cdir = tempfile.mkdtemp(prefix="folio-cache-",
                                                dir=a.cache)
                        env = folio_env(cdir)
                        s, rss, cpu = spawn_timed(t.cold, env, err)
                        m["cached"].append(cache_files(cdir))
                        if not a.no_warm:
                            ws, wrss, _ = spawn_timed(t.warm, env, err)
                            m["warm"].append(ws)
                            rss = max(rss, wrss)
                        shutil.rmtree(cdir)
                    else:
                        s, rss, cpu = spawn_timed(t.cold, t.env, err)
                except RuntimeError as e:
                    log(f"  {e}")
                    failed.add(t.name)
                    continue
                m["cold"].append(s)
                m["rss"].append(rss)
                m["cpu"].append(cpu)
                if r == 0:
                    m["pages"] = pdf_pages(t.pdf)
                    m["size"] = os.path.getsize(t.pdf)
        for t in ts:
            m = res[t.name]
            if t.name in failed or not m["cold"]:
                continue
            s = statistics.median(m["cold"])
            rows.append(dict(
                n=n, tool=t.name, pages=m["pages"], s=s,
                warm=statistics.median(m["warm"]) if m["warm"] else None,
                cached=max(m["cached"]) if m["cached"] else None,
                runs=len(m["cold"]), cpu=statistics.median(m["cpu"]),
                load=max(m["load"]), pps=m["pages"] / s, rss=max(m["rss"]),
                size=m["size"]))
    print_table(rows)
    return rows


def anchor_of(rows, n, name):
    return next((x for x in rows if x["n"] == n and x["tool"] == name), None)


def print_table(rows):
    anchors = [t for t in dict.fromkeys(r["tool"] for r in rows)
               if not t.startswith("folio")]
    print("\n## Cold and warm builds, Vietnamese edition\n")
    print("| sections | tool | pages | cold s | warm s | runs | CPU s "
          "(cold) | load | peak RSS | PDF size | pages/s | "
          + " | ".join(f"{t} s ÷ cold | {t} s ÷ warm | {t} CPU ÷ cold CPU"
                       for t in anchors) + " |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
          + "---:|---:|---:|" * len(anchors))
    for r in rows:
        ratio = []
        for t in anchors:
            x = anchor_of(rows, r["n"], t)
            fol = r["tool"].startswith("folio")
            ratio.append(f"{x['s'] / r['s']:.2f}×" if x and fol else "")
            ratio.append(f"{x['s'] / r['warm']:.2f}×"
                         if x and fol and r["warm"] else "")
            ratio.append(f"{x['cpu'] / r['cpu']:.2f}×" if x and fol else "")
        warm = f"{r['warm']:.2f}" if r["warm"] else "—"
        print(f"| {r['n']} | {r['tool']} | {r['pages']} | {r['s']:.2f} "
              f"| {warm} | {r['runs']} | {r['cpu']:.2f} | {r['load']:.1f} "
              f"| {mb(r['rss']):.0f} MB | {r['size'] / 2**20:.1f} MB "
              f"| {r['pps']:.1f} | {' | '.join(ratio)} |")
    print("\nSame content: every tool sets the same sections; folio opens "
          "each on a new page, so its page count is higher. \"X s ÷ cold\" "
          "is X's seconds over folio's (above 1: folio is faster); "
          "\"X CPU ÷ cold CPU\", X's CPU seconds over folio's, moves less "
          "with the machine's load (but does not count folio's second "
          "core as a gain). "
          "Load: the largest 1-minute load average at the start of a "
          "round.")
    cached = {r["tool"]: r["cached"] for r in rows
              if r["cached"] is not None and r["warm"]}
    if cached:
        if any(cached.values()):
            print("Warm: a second build (first paragraph of every section "
                  "changed, images unchanged) with the cache the cold build "
                  "filled (files in it after the cold build: "
                  + ", ".join(f"{t} {c}" for t, c in cached.items()) + ").")
        else:
            print("Warm: NO CACHE — this folio left the fresh FOLIO_CACHE "
                  "folder empty, so the warm figure is only a second build "
                  "(first paragraph of every section changed, images "
                  "unchanged), not a cached one.")
    for t in dict.fromkeys(r["tool"] for r in rows):
        own = [r for r in rows if r["tool"] == t]
        if t.startswith("folio") and len(own) >= 2:
            big, mid = own[-1], own[-2]
            print(f"\n{t}: peak RSS at {big['pages']} pages is "
                  f"{big['rss'] / mid['rss']:.2f}× that at {mid['pages']} "
                  "pages.")
    for n in dict.fromkeys(r["n"] for r in rows):
        typ = anchor_of(rows, n, "Typst 0.14")
        lines = []
        for r in (x for x in rows if x["n"] == n
                  and x["tool"].startswith("folio")):
            p = r["tool"].split()[1]
            for kind, secs in (("cold", r["s"]), ("warm", r["warm"])):
                want = TARGETS[kind].get(p)
                if typ and want and secs:
                    got = typ["s"] / secs
                    lines.append(f"{p} {kind} {got:.2f}× Typst 0.14 "
                                 f"(target ≥ {want:g}×: "
                                 f"{'met' if got >= want else 'not met'})")
            if r["pages"] >= 900:
                lines.append(f"{p} peak RSS {mb(r['rss']):.0f} MB at "
                             f"{r['pages']} pages (target ≤ {RSS_TARGET_MB} "
                             f"MB: {'met' if mb(r['rss']) <= RSS_TARGET_MB else 'not met'})")
        if lines:
            print(f"\nAgainst the targets, {n} sections:")
            for l in lines:
                print("- " + l)
    sys.stdout.flush()


# ---- watch latency -------------------------------------------------------

IN_CLOSE_WRITE, IN_MOVED_TO = 0x8, 0x80


class Inotify:
    """Linux inotify through ctypes (libc's inotify_init1 and
    inotify_add_watch): the events on files of some folders."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.dirs = {}

    def add(self, path, mask=IN_CLOSE_WRITE | IN_MOVED_TO):
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(path), mask)
        if wd < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch", path)
        self.dirs[wd] = path

    def read(self):
        """The pending events, [(stamp, mask, path)], stamped now."""
        evs = []
        while True:
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                return evs
            now = time.perf_counter()
            i = 0
            while i < len(buf):
                wd, mask, _, ln = struct.unpack_from("iIII", buf, i)
                name = buf[i + 16:i + 16 + ln].rstrip(b"\0").decode()
                i += 16 + ln
                evs.append((now, mask, os.path.join(self.dirs.get(wd, ""),
                                                    name)))

    def close(self):
        os.close(self.fd)


class Lines:
    """A child's stdout, read line by line without blocking."""

    def __init__(self, f):
        self.fd, self.buf = f.fileno(), b""
        os.set_blocking(self.fd, False)

    def read(self):
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        if not chunk:
            raise EOFError
        self.buf += chunk
        *lines, self.buf = self.buf.split(b"\n")
        return [l.decode(errors="replace") for l in lines]


def wait_for(ino, lines, until, timeout):
    """Reads events and lines until until(events, lines) is true; returns
    (events, lines). Raises TimeoutError after timeout seconds."""
    evs, got, end = [], [], time.perf_counter() + timeout
    fds = [ino.fd] + ([lines.fd] if lines else [])
    while True:
        left = end - time.perf_counter()
        if left <= 0:
            raise TimeoutError
        r, _, _ = select.select(fds, [], [], left)
        if ino.fd in r:
            evs += ino.read()
        if lines and lines.fd in r:
            got += lines.read()
        if until(evs, got):
            evs += ino.read()   # what was queued before the line came
            return evs, got


def save(path, text):
    """Writes path in place, as an editor saving; returns the moment the
    file was closed."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return time.perf_counter()


def sections_to_edit(n, edits):
    """Section numbers (1-based) spread over the publication."""
    return [1 + (k * n) // edits + (n // edits) // 2 for k in range(edits)]


def this_build(lines, path):
    """The line that ends the build of folio watch that saw path change
    (`changed: …path…`, then `build N: …`), or None. A build that something
    else set off (say, a file written into the content folder meanwhile) is
    not the edit's."""
    seen = False
    for x in lines:
        if x.startswith("changed: "):
            seen = path in x.split(": ", 1)[1].split(", ")
        elif seen and re.match(r"build \d+: ", x):
            return x
    return None


def watch_folio(a, n, d, out_root):
    """[(latency ms, folio's own ms, pages rendered, outputs renamed)]."""
    vi, en = (os.path.join(d, f"{l}-{n}.json") for l in ("vi", "en"))
    pub = os.path.join(d, f"watch-{n}.yaml")
    split = f"watch-{n}"
    # Written again each run, so an interrupted run leaves no edit behind.
    run([sys.executable, os.path.join(HERE, "json_to_folio.py"), vi, en, pub,
         "--split", split], stderr=subprocess.DEVNULL)
    out = os.path.join(out_root, f"watch-{n}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    cdir = tempfile.mkdtemp(prefix="folio-cache-", dir=a.cache)
    errf = open(os.path.join(out_root, f"watch-{n}.log"), "w")
    cmd = [a.folio, "watch", pub, "-o", out, "--edition", "vi"]
    log(f"watch, {n} sections: {' '.join(cmd)}")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf,
                         env=folio_env(cdir))
    ino = Inotify()
    res = []
    try:
        lines = Lines(p.stdout)
        _, first = wait_for(ino, lines, lambda e, l: any(
            x.startswith("watching ") for x in l), a.watch_timeout)
        first_ms = next((m.group(1) for x in first for m in
                         [re.search(r"^build 1: .*?(\d+) ms$", x)] if m), "?")
        log(f"  first build: {first_ms} ms")
        ino.add(out)
        ino.add(os.path.join(out, "thumbs"))
        for k, sec in enumerate(sections_to_edit(n, a.watch_edits)):
            time.sleep(a.watch_pause)
            f = os.path.join(d, split, f"s{sec:03d}.yaml")
            with open(f, encoding="utf-8") as fh:
                text = edit_first_paragraph(fh.read(), f"Sửa lần {k + 1}:")
            ino.read()
            lines.read()
            t0 = save(f, text)
            evs, got = wait_for(ino, lines, lambda e, l: this_build(l, f),
                                a.watch_timeout)
            done = this_build(got, f)
            if "failed" in done:
                raise RuntimeError(f"folio watch: {done}")
            moved = [(t, path) for t, mask, path in evs
                     if mask & IN_MOVED_TO]
            if a.verbose:
                log("  folio watch said: " + " / ".join(got))
                log("  renamed into place: " + ", ".join(
                    f"{os.path.relpath(path, out)} at "
                    f"{(t - t0) * 1000:.0f} ms" for t, path in moved))
            pdfs = [path for _, path in moved if path.endswith(".pdf")]
            pngs = [path for _, path in moved if path.endswith(".png")
                    and "/thumbs/" not in path]
            ms = (max(t for t, _ in moved) - t0) * 1000 if moved else None
            pdf_ms = (max(t for t, path in moved if path.endswith(".pdf"))
                      - t0) * 1000 if pdfs else None
            own = re.search(r"(\d+) of (\d+) pages rendered.*?(\d+) ms", done)
            res.append(dict(ms=ms, pdf_ms=pdf_ms, own=int(own.group(3)),
                            rendered=f"{own.group(1)} of {own.group(2)}",
                            pdf=len(pdfs), png=len(pngs), section=sec))
            log(f"  edit {k + 1}, section {sec}: {ms:.0f} ms (folio's own "
                f"{own.group(3)} ms, {own.group(1)} of {own.group(2)} pages "
                f"rendered, {len(pdfs)} PDF and {len(pngs)} page PNGs "
                "renamed)")
    finally:
        ino.close()
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        errf.close()
        shutil.rmtree(cdir, ignore_errors=True)
        run([sys.executable, os.path.join(HERE, "json_to_folio.py"), vi, en,
             pub, "--split", split], stderr=subprocess.DEVNULL)
    return res, first_ms


def watch_typst(a, n, d, out_root, v010):
    """[latency ms] of a Typst watch on the same edits: the 0.10 CLI's
    `typst watch` (v010) or typst_watch.js (Typst 0.14's ProjectWatcher)."""
    vi = os.path.join(d, f"vi-{n}.json")
    tag = "typst010" if v010 else "typst014"
    typ = os.path.join(d, f"vi-{n}-{tag}-watch.typ")
    run([sys.executable, os.path.join(SHARED, "to_typst.py"), vi, typ]
        + (["--v010"] if v010 else []))
    with open(typ, encoding="utf-8") as f:
        src = f.read()
    # The paragraphs are lines `#"…"`; a section's first is the one after
    # its heading. The same sections as folio's edits.
    lines = src.split("\n")
    heads = [i for i, l in enumerate(lines) if l.startswith("= ")
             or l.startswith("#heading")]
    out = os.path.join(out_root, f"{tag}-watch-{n}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    pdf = os.path.join(out, "typst.pdf")
    errf = open(os.path.join(out_root, f"{tag}-watch-{n}.log"), "w")
    env = dict(os.environ, NODE_PATH=os.path.join(a.anchors, "node_modules"))
    cmd = [typst010(a), "watch", typ, pdf] if v010 else \
        ["node", os.path.join(HERE, "typst_watch.js"), typ, pdf]
    log(f"watch, {n} sections: {' '.join(cmd)}")
    ino = Inotify()
    ino.add(out)
    p = subprocess.Popen(cmd, stdout=errf, stderr=errf, env=env)
    res = []

    def pdf_written(evs, _):
        return any(path == pdf and mask & (IN_CLOSE_WRITE | IN_MOVED_TO)
                   for _, mask, path in evs)
    try:
        wait_for(ino, None, pdf_written, a.watch_timeout)
        for k, sec in enumerate(sections_to_edit(n, a.watch_edits)):
            time.sleep(a.watch_pause)
            at = heads[sec - 1] if len(heads) >= n else None
            i = next(j for j in range((at or 0) + 1, len(lines))
                     if lines[j].startswith('#"'))
            lines[i] = '#"' + f"Sửa lần {k + 1}: " + lines[i][2:]
            ino.read()
            t0 = save(typ, "\n".join(lines))
            evs, _ = wait_for(ino, None, pdf_written, a.watch_timeout)
            t = max(t for t, mask, path in evs if path == pdf)
            res.append((t - t0) * 1000)
            log(f"  edit {k + 1}, section {sec}: {res[-1]:.0f} ms")
    finally:
        ino.close()
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        errf.close()
    return res, len(heads) >= n


def watch(a):
    gen = os.path.join(SHARED, "gen_content.py")
    n = a.watch
    vi, yaml, _ = content(a.cache, n, gen)
    d = os.path.dirname(vi)
    out_root = os.path.join(a.cache, "out")
    os.makedirs(out_root, exist_ok=True)
    load = os.getloadavg()[0]
    res, first_ms = watch_folio(a, n, d, out_root)
    ms = [r["ms"] for r in res if r["ms"] is not None]
    own = [r["own"] for r in res]
    print(f"\n## Watch latency, {n} sections (load {load:.1f} at the start)"
          "\n")
    print(f"`folio watch --edition vi` (print profile, soft proof), first "
          f"build {first_ms} ms; {len(res)} one-paragraph edits, from "
          "the save to the last output renamed into place (200 ms of "
          "debounce included):\n")
    print("| edit | section | save → done ms | save → PDF ms | folio's own "
          "build ms | pages rendered | PDFs renamed | page PNGs renamed |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|")
    for k, r in enumerate(res, 1):
        lat = f"{r['ms']:.0f}" if r["ms"] is not None else "—"
        pdf = f"{r['pdf_ms']:.0f}" if r["pdf_ms"] is not None else "—"
        print(f"| {k} | {r['section']} | {lat} | {pdf} | {r['own']} | "
              f"{r['rendered']} | {r['pdf']} | {r['png']} |")
    if ms:
        med = statistics.median(ms)
        print(f"\nfolio watch: median {med:.0f} ms from save to done "
              f"(min {min(ms):.0f}, max {max(ms):.0f}); folio's own build "
              f"median {statistics.median(own):.0f} ms (target < "
              f"{WATCH_TARGET_MS} ms from save to done: "
              f"{'met' if med < WATCH_TARGET_MS else 'not met'})")
    if a.no_typst_watch:
        return
    for v010, have, what in (
            (True, typst010(a), "Typst 0.10 CLI `typst watch`"),
            (False, typst_node(a), "Typst 0.14 (typst.ts ProjectWatcher, "
             "tests/bench/typst_watch.js)")):
        if not have:
            log(f"skipping {what}: no npm install in {a.anchors} "
                "(--install-anchors)")
            continue
        tres, same = watch_typst(a, n, d, out_root, v010)
        if tres:
            print(f"{what} on the same content "
                  f"({'the same sections' if same else 'paragraphs spread alike'}"
                  f"), PDF only (no PNGs): median "
                  f"{statistics.median(tres):.0f} ms from save to the PDF "
                  f"written (min {min(tres):.0f}, max {max(tres):.0f}; "
                  f"each: {', '.join(f'{x:.0f}' for x in tres)})")
    sys.stdout.flush()


# ---- fixed cost ------------------------------------------------------------

TINY_YAML = """title: "Tiny"
year: 2024
slug: tiny
editions: [vi]
sections:
  - title: "Một đoạn"
    blocks:
      - p: "Một đoạn văn ngắn: chi phí cố định của một lần dựng."
"""

TINY_TYP = """#set page(paper: "a4", margin: 20mm)
#set text(font: "Noto Serif", size: 10pt, lang: "vi")
= Một đoạn
Một đoạn văn ngắn: chi phí cố định của một lần dựng.
"""


def fixed(a):
    d = os.path.join(a.cache, "content", "tiny")
    out = os.path.join(a.cache, "out", "tiny")
    os.makedirs(d, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    for name, text in (("tiny.yaml", TINY_YAML), ("tiny.typ", TINY_TYP)):
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
    yaml, typ = os.path.join(d, "tiny.yaml"), os.path.join(d, "tiny.typ")
    cmds = [(f"folio {p}", [a.folio, "build", yaml, "-o", out, "--profile",
                            p], True) for p in a.profiles]
    if not a.no_typst and typst_node(a):
        cmds.append(("Typst 0.14", ["node", os.path.join(
            a.anchors, "typst_node.js"), typ, os.path.join(out, "t14.pdf")],
            False))
    if not a.no_typst and typst010(a):
        cmds.append(("Typst 0.10 CLI", [typst010(a), "compile", typ,
                                        os.path.join(out, "t10.pdf")], False))
    res = {c[0]: ([], [], []) for c in cmds}
    load = os.getloadavg()[0]
    err = os.path.join(out, "err.log")
    for _ in range(a.fixed_runs):
        for name, cmd, is_folio in cmds:
            cdir = tempfile.mkdtemp(prefix="folio-cache-", dir=a.cache) \
                if is_folio else None
            s, rss, cpu = spawn_timed(
                cmd, folio_env(cdir) if is_folio else dict(os.environ), err)
            if cdir:
                shutil.rmtree(cdir)
            res[name][0].append(s * 1000)
            res[name][1].append(rss)
            res[name][2].append(cpu * 1000)
    print(f"\n## Fixed cost: a one-paragraph publication, {a.fixed_runs} "
          f"runs each, interleaved (load {load:.1f} at the start)\n")
    print("| tool | median ms | min ms | CPU ms (median) | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for name, (s, rss, cpu) in res.items():
        print(f"| {name} | {statistics.median(s):.1f} | {min(s):.1f} | "
              f"{statistics.median(cpu):.1f} | {mb(max(rss)):.0f} MB |")
    for name, (s, _, _) in res.items():
        if name.startswith("folio"):
            med = statistics.median(s)
            print(f"- {name}: {med:.1f} ms (target < {FIXED_TARGET_MS} ms: "
                  f"{'met' if med < FIXED_TARGET_MS else 'not met'})")
    sys.stdout.flush()


def callgrind(a):
    gen = os.path.join(SHARED, "gen_content.py")
    vi, yaml, _ = content(a.cache, a.callgrind, gen)
    d = os.path.join(a.cache, "callgrind")
    os.makedirs(d, exist_ok=True)
    prof = a.callgrind_profile
    outf = os.path.join(d, f"callgrind.out.{a.callgrind}.{prof}")
    log(f"callgrind on {a.callgrind} sections, {prof} (slow: minutes)")
    cdir = tempfile.mkdtemp(prefix="folio-cache-", dir=a.cache)
    run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={outf}",
         a.folio, "build", yaml, "-o", os.path.join(d, "out"), "--edition",
         "vi", "--profile", prof],
        env=folio_env(cdir), stdout=subprocess.DEVNULL,
        stderr=open(outf + ".log", "w"))
    shutil.rmtree(cdir)
    ann = run(["callgrind_annotate", "--inclusive=yes", outf],
              capture_output=True, text=True).stdout.splitlines()
    total = next((l for l in ann if "PROGRAM TOTALS" in l), "")
    body = [l for l in ann if ":" in l and l.strip()[:1].isdigit()
            and "PROGRAM TOTALS" not in l]
    print(f"\ncallgrind, {a.callgrind} sections, --profile {prof}, "
          f"inclusive Ir: {total.strip()}")
    for l in body[:15]:
        print("  " + l.strip())


def example(a):
    """-j 1 and -j 2 on both editions × print and screen of an example."""
    pub = os.path.join(a.example, "publication.yaml")
    print(f"\n{pub}, every edition, --profile print --profile screen:")
    for j in (1, 2):
        out = os.path.join(a.cache, "out", f"example-j{j}")
        os.makedirs(out, exist_ok=True)
        secs, cpus = [], []
        for _ in range(a.runs):
            cdir = tempfile.mkdtemp(prefix="folio-cache-", dir=a.cache)
            s, _, cpu = spawn_timed(
                [a.folio, "build", pub, "-o", out, "--profile", "print",
                 "--profile", "screen", "-j", str(j)], folio_env(cdir),
                os.path.join(out, "err.log"))
            shutil.rmtree(cdir)
            secs.append(s)
            cpus.append(cpu)
        pdfs = sorted(f for f in os.listdir(out) if f.endswith(".pdf"))
        print(f"  -j {j}: {statistics.median(secs):.2f} s wall, "
              f"{statistics.median(cpus):.2f} s CPU of the parent and its "
              f"children (median of {a.runs}, cold cache), {len(pdfs)} "
              f"PDFs: {', '.join(pdfs)}")


def main():
    global SHARED  # --shared
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folio", default=os.path.join(ROOT, "build", "folio"))
    ap.add_argument("--sizes", default="5,27,113,580",
                    type=lambda s: [int(x) for x in s.split(",") if x])
    ap.add_argument("--profiles", default="archive,screen,print",
                    type=lambda s: s.split(","))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-large", type=int, default=1)
    ap.add_argument("--cache", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--anchors", default="/tmp/bench-anchors")
    ap.add_argument("--shared", default=SHARED,
                    help="the anchors' folder (gen_content.py, to_typst.py…)")
    ap.add_argument("--install-anchors", action="store_true")
    ap.add_argument("--no-typst", action="store_true")
    ap.add_argument("--no-weasyprint", action="store_true")
    ap.add_argument("--no-warm", action="store_true",
                    help="cold builds only")
    ap.add_argument("--watch", type=int, default=113, metavar="SECTIONS",
                    help="watch latency on this size (0: none)")
    ap.add_argument("--watch-edits", type=int, default=10)
    ap.add_argument("--watch-pause", type=float, default=1.0,
                    help="seconds between a build's end and the next edit")
    ap.add_argument("--watch-timeout", type=float, default=900.0)
    ap.add_argument("--no-typst-watch", action="store_true")
    ap.add_argument("--verbose", action="store_true",
                    help="show what folio watch prints after each edit")
    ap.add_argument("--fixed-runs", type=int, default=10,
                    help="runs of the tiny publication (0: none)")
    ap.add_argument("--callgrind", type=int, metavar="SECTIONS")
    ap.add_argument("--callgrind-profile", default="archive")
    ap.add_argument("--example", metavar="DIR")
    a = ap.parse_args()
    a.folio = os.path.abspath(a.folio)
    a.cache = os.path.abspath(a.cache)
    a.anchors = os.path.abspath(a.anchors)
    SHARED = os.path.abspath(a.shared)
    if not os.access(a.folio, os.X_OK):
        sys.exit(f"bench: no folio at {a.folio} (--folio)")
    if a.install_anchors:
        install_anchors(a.anchors)
    if typst_node(a):
        log(f"Typst 0.14: {os.path.join(a.anchors, 'node_modules', *TYPST_NODE_PKG)}")
    print(f"folio: {a.folio}; load average at the start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} cores")
    if a.sizes:
        bench(a)
    if a.watch:
        watch(a)
    if a.fixed_runs:
        fixed(a)
    if a.example:
        example(a)
    if a.callgrind:
        callgrind(a)


if __name__ == "__main__":
    main()
