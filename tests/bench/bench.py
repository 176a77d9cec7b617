#!/usr/bin/env python3
"""folio's speed on the yearbook benchmark, next to Typst and WeasyPrint.

    tests/bench/bench.py [--folio BUILD/folio] [--sizes 5,27,113,580]
                         [--profiles print,archive] [--runs 3]
                         [--cache DIR] [--install-anchors]
                         [--anchors DIR] [--no-typst] [--no-weasyprint]
                         [--callgrind SECTIONS [--callgrind-profile P]]
                         [--example DIR]

A program that prints figures, not a test: it checks no time limit.

For each size (a number of sections of ../shared/bench/gen_content.py's
content; the defaults give folio about 10, 50, 200 and 1,000 pages, since
folio opens each section on a new page), it

- generates the content once (JSON, and the images with ImageMagick's real
  `convert`: their bytes matter for the timing and the PDF size) into the
  cache folder, where the next run finds it; the images depend only on their
  index, so every size shares one img/ folder;
- converts it with json_to_folio.py (both editions, the yearbook template)
  and builds the Vietnamese edition in each of --profiles:
  `folio build bench-N.yaml --edition vi --profile P`. print (the default
  profile) converts every RGB image to CMYK (photos stored as CMYK JPEG,
  PNGs lossless); archive keeps RGB and passes JPEGs and opaque PNGs
  through, as the anchors do: the like-for-like comparison; screen
  downsamples to 150 ppi;
- when installed, sets the same Vietnamese content with Typst 0.14 (the npm
  package's typst.ts node compiler, through the anchors' to_typst.py and
  typst_node.js) and with WeasyPrint (Debian's, through to_html.py);
- times each tool as a whole process with /usr/bin/time (wall seconds and
  peak RSS), median of --runs runs (one run for sizes of 300 sections or
  more unless --runs-large says otherwise), and reads each PDF's page count
  with pdfinfo: pages per second are each tool's own pages over its own
  time, and folio's ratio to an anchor is the ratio of pages per second.

--install-anchors first installs WeasyPrint (apt-get) and Typst (npm ci in a
copy of the anchors' folder, --anchors, default /tmp/bench-anchors); without
it a missing tool is skipped. --callgrind N runs folio once under
valgrind's callgrind on N sections (--callgrind-profile, default archive:
under callgrind the print profile's image conversion takes half an hour at
113 sections) and prints the top 15 functions by inclusive instruction
count. --example DIR times `folio build` of both
editions, print and screen profiles, with -j 1 and with -j 2.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))


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


def content(cache, n, gen):
    """The cached content of n sections: (vi JSON, folio YAML)."""
    d = os.path.join(cache, "content")
    vi, en = (os.path.join(d, f"{l}-{n}.json") for l in ("vi", "en"))
    yaml = os.path.join(d, f"bench-{n}.yaml")
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
    return vi, yaml


def timed(cmd, runs, env=None, cwd=None):
    """Median wall seconds, largest peak RSS (KiB) and median CPU seconds
    (user + system) of runs runs."""
    secs, rss, cpu = [], [], []
    for _ in range(runs):
        with tempfile.NamedTemporaryFile("r") as t:
            p = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%e %M %U %S",
                                *cmd], env=env, cwd=cwd,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            if p.returncode != 0:
                log(p.stderr[-2000:])
                raise RuntimeError(f"failed ({p.returncode}): {' '.join(cmd)}")
            e, m, u, k = t.read().split()[-4:]
        secs.append(float(e))
        rss.append(int(m))
        cpu.append(float(u) + float(k))
    return statistics.median(secs), max(rss), statistics.median(cpu)


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


def tools(a):
    """The tools to time: name → (prepare(vi_json, out_dir) → command)."""
    folio_env = dict(os.environ, FOLIO_DATA_DIR=ROOT, LC_ALL="C.UTF-8")

    def folio(profile):
        def prep(vi, yaml, out):
            suffix = "" if profile == "print" else "-" + profile
            return [a.folio, "build", yaml, "-o", out, "--edition", "vi",
                    "--profile", profile], \
                os.path.join(out, f"bench-vi{suffix}.pdf"), folio_env
        return prep

    ts = {f"folio {p}": folio(p) for p in a.profiles}
    node_js = os.path.join(a.anchors, "typst_node.js")
    if (not a.no_typst and shutil.which("node") and os.path.isdir(
            os.path.join(a.anchors, "node_modules",
                         "@myriaddreamin", "typst-ts-node-compiler"))):
        def typst(vi, yaml, out):
            typ = vi[:-len(".json")] + ".typ"   # beside img/
            if not os.path.exists(typ):
                run([sys.executable, os.path.join(SHARED, "to_typst.py"), vi,
                     typ])
            pdf = os.path.join(out, "typst.pdf")
            return ["node", node_js, typ, pdf], pdf, None
        ts["Typst 0.14"] = typst
    elif not a.no_typst:
        log(f"skipping Typst: no npm install in {a.anchors} "
            "(--install-anchors)")
    if not a.no_weasyprint and shutil.which("weasyprint"):
        def weasy(vi, yaml, out):
            html = vi[:-len(".json")] + ".html"
            if not os.path.exists(html):
                run([sys.executable, os.path.join(SHARED, "to_html.py"), vi,
                     html])
            pdf = os.path.join(out, "weasyprint.pdf")
            return ["weasyprint", "-q", html, pdf], pdf, None
        ts["WeasyPrint"] = weasy
    elif not a.no_weasyprint:
        log("skipping WeasyPrint: not installed (--install-anchors)")
    return ts


def mb(kib_or_bytes, unit):
    return kib_or_bytes / (1024 if unit == "KiB" else 1024 * 1024)


def bench(a):
    gen = os.path.join(SHARED, "gen_content.py")
    if not os.path.exists(gen):
        sys.exit(f"bench: {gen} not found")
    ts = tools(a)
    rows = []
    for n in a.sizes:
        vi, yaml = content(a.cache, n, gen)
        runs = a.runs if n < 300 else a.runs_large
        for name, prep in ts.items():
            out = os.path.join(a.cache, "out", f"{n}")
            os.makedirs(out, exist_ok=True)
            cmd, pdf, env = prep(vi, yaml, out)
            log(f"{n} sections: {name}, {runs} run(s)")
            load = os.getloadavg()[0]   # other work on the machine skews
            try:
                s, rss, cpu = timed(cmd, runs, env=env)
            except RuntimeError as e:
                log(f"  {e}")
                continue
            pages = pdf_pages(pdf)
            rows.append(dict(n=n, tool=name, pages=pages, s=s, runs=runs,
                             cpu=cpu, load=load,
                             pps=pages / s, rss=rss,
                             size=os.path.getsize(pdf)))
    print_table(rows)
    return rows


def print_table(rows):
    folios = [t for t in dict.fromkeys(r["tool"] for r in rows)
              if t.startswith("folio")]
    print("| sections | tool | pages | seconds (median) | runs | pages/s "
          "| CPU s | load | peak RSS | PDF size | "
          + " | ".join(f"{t} pages/s ÷ this" for t in folios) + " |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
          + "---:|" * len(folios))
    for r in rows:
        ratio = []
        for t in folios:
            f = next((x for x in rows if x["n"] == r["n"]
                      and x["tool"] == t), None)
            ratio.append(f"{f['pps'] / r['pps']:.1f}×"
                         if f and not r["tool"].startswith("folio") else "")
        ratio = " | ".join(ratio)
        print(f"| {r['n']} | {r['tool']} | {r['pages']} | {r['s']:.2f} "
              f"| {r['runs']} | {r['pps']:.1f} | {r['cpu']:.2f} "
              f"| {r['load']:.1f} "
              f"| {mb(r['rss'], 'KiB'):.0f} MB "
              f"| {mb(r['size'], 'B'):.1f} MB | {ratio} |")
    for t in folios:
        fol = [r for r in rows if r["tool"] == t]
        if len(fol) >= 2:
            big, mid = fol[-1], fol[-2]
            print(f"\n{t}: peak RSS at {big['pages']} pages is "
                  f"{big['rss'] / mid['rss']:.2f}× that at {mid['pages']} "
                  "pages.")
    sys.stdout.flush()


def callgrind(a):
    gen = os.path.join(SHARED, "gen_content.py")
    vi, yaml = content(a.cache, a.callgrind, gen)
    d = os.path.join(a.cache, "callgrind")
    os.makedirs(d, exist_ok=True)
    prof = a.callgrind_profile
    outf = os.path.join(d, f"callgrind.out.{a.callgrind}.{prof}")
    log(f"callgrind on {a.callgrind} sections, {prof} (slow: minutes)")
    run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={outf}",
         a.folio, "build", yaml, "-o", os.path.join(d, "out"), "--edition",
         "vi", "--profile", prof],
        env=dict(os.environ, FOLIO_DATA_DIR=ROOT, LC_ALL="C.UTF-8"),
        stdout=subprocess.DEVNULL, stderr=open(outf + ".log", "w"))
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
    env = dict(os.environ, FOLIO_DATA_DIR=ROOT, LC_ALL="C.UTF-8")
    print(f"\n{pub}, every edition, --profile print --profile screen:")
    for j in (1, 2):
        out = os.path.join(a.cache, "out", f"example-j{j}")
        s, rss, cpu = timed([a.folio, "build", pub, "-o", out, "--profile",
                             "print", "--profile", "screen", "-j", str(j)],
                            a.runs, env=env)
        pdfs = sorted(f for f in os.listdir(out) if f.endswith(".pdf"))
        print(f"  -j {j}: {s:.2f} s wall, {cpu:.2f} s CPU of the parent "
              f"and its children (median of {a.runs}), "
              f"{len(pdfs)} PDFs: {', '.join(pdfs)}")


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
    ap.add_argument("--callgrind", type=int, metavar="SECTIONS")
    ap.add_argument("--callgrind-profile", default="archive")
    ap.add_argument("--example", metavar="DIR")
    a = ap.parse_args()
    a.folio = os.path.abspath(a.folio)
    a.cache = os.path.abspath(a.cache)
    SHARED = os.path.abspath(a.shared)
    if not os.access(a.folio, os.X_OK):
        sys.exit(f"bench: no folio at {a.folio} (--folio)")
    if a.install_anchors:
        install_anchors(a.anchors)
    if a.sizes:
        bench(a)
    if a.example:
        example(a)
    if a.callgrind:
        callgrind(a)


if __name__ == "__main__":
    main()
