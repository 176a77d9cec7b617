#!/usr/bin/env bash
# `folio package` on the sample booklet (edition en): the folder holds the
# print PDF, the imposed sheets (the template binds saddle-stitched), a
# proof PNG of every page and sheet side, job.json and job.html; job.json
# validates against docs/job.schema.json and says what the files hold
# (page count and trim from pdfinfo's TrimBox, the PDF/X version from its
# info, each image's effective ppi from its pixels and placed size, the
# SHA-256 of every file, the preflight's warnings as printed); the .tar
# beside it holds the same files, sorted, owned by 0/0, dated
# SOURCE_DATE_EPOCH; a second package, made elsewhere, is byte-identical;
# a publication with errors gives no package. (The sanitizer build, where
# folio runs several times slower, makes one package: byte-identity is
# this build's to show.) The sheets' PNGs are drawn by the PNG renderer
# from the same forms: the first sheet's left half is the last page's PNG.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
set -eo pipefail
fresh_work
python3 -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema not installed"
export SOURCE_DATE_EPOCH=1735689600
pub="$SRC/examples/nam-dinh-booklet/publication.yaml"

mkdir a b
(cd a && "$FOLIO" package "$pub" --edition en -o pkg >out.txt 2>err.txt) ||
    fail "package: $(cat a/err.txt)"
if ! grep -q '^FO_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    (cd b && "$FOLIO" package "$pub" --edition en -o pkg >/dev/null 2>&1) ||
        fail "second package"
    cmp a/pkg.tar b/pkg.tar || fail "two packages differ"
    diff -r a/pkg b/pkg >/dev/null || fail "two package folders differ"
fi

cd a
for f in nam-dinh-booklet-en.pdf nam-dinh-booklet-en-saddle-stitch.pdf \
    job.json job.html proofs/nam-dinh-booklet-en-001.png \
    proofs/nam-dinh-booklet-en-sheet-001.png; do
    [ -s "pkg/$f" ] || fail "package lacks $f"
done
[ ! -e pkg/nam-dinh-booklet-vi.pdf ] || fail "edition vi packaged though not chosen"
warnings=$(grep -c ': warning: ' err.txt || true)

python3 - "$SRC/docs/job.schema.json" "$warnings" "$SOURCE_DATE_EPOCH" <<'PY' || exit 1
import hashlib, json, os, re, subprocess, sys, tarfile
import jsonschema
schema = json.load(open(sys.argv[1], encoding='utf-8'))
warnings, epoch = int(sys.argv[2]), int(sys.argv[3])
job = json.load(open('pkg/job.json', encoding='utf-8'))
jsonschema.Draft202012Validator(schema).validate(job)
fails = []
def check(ok, msg):
    if not ok:
        fails.append(msg)

def run(*a):
    return subprocess.run(a, check=True, capture_output=True).stdout.decode()

check(len(job['editions']) == 1, 'editions: %d' % len(job['editions']))
ed = job['editions'][0]
pdf = 'pkg/' + ed['pdf']
info = run('pdfinfo', '-box', pdf)
custom = run('pdfinfo', '-custom', pdf)
pages = int(re.search(r'Pages:\s+(\d+)', info).group(1))
check(ed['pages'] == pages, 'pages %d, the PDF has %d' % (ed['pages'], pages))
trim = [float(v) for v in re.search(r'TrimBox:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)', info).groups()]
bleed = [float(v) for v in re.search(r'BleedBox:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)', info).groups()]
mm = 72 / 25.4
check(abs(ed['trim_mm'][0] - (trim[2] - trim[0]) / mm) < 0.01 and
      abs(ed['trim_mm'][1] - (trim[3] - trim[1]) / mm) < 0.01,
      'trim %s, TrimBox %s' % (ed['trim_mm'], trim))
check(abs(ed['bleed_mm'] - (trim[0] - bleed[0]) / mm) < 0.01,
      'bleed %s, boxes %s %s' % (ed['bleed_mm'], trim, bleed))
check(ed['binding'] == 'saddle-stitch', 'binding ' + ed['binding'])
# the conformance (X-1a) when the info has one, else the version (X-4)
m = (re.search(r'GTS_PDFXConformance:\s*(.+)', custom) or
     re.search(r'GTS_PDFXVersion:\s*(.+)', custom))
check(m and ed['pdfx'] == m.group(1).strip(), 'pdfx %r, info %r' % (ed['pdfx'], m and m.group(1)))
raw = open(pdf, 'rb').read()
check(('/OutputConditionIdentifier (%s)' % ed['output_intent']['identifier']).encode() in raw,
      'output intent %r not in the PDF' % ed['output_intent']['identifier'])
fonts = run('pdffonts', pdf)
for f in ed['fonts']:
    check(('+' + f['name']) in fonts, 'font %s not embedded' % f['name'])
check(len(ed['images']) >= 3, 'images: %d' % len(ed['images']))
for im in ed['images']:
    ppi = im['pixels'][0] / (im['placed_mm'][0] / 25.4)
    check(abs(ppi - im['effective_ppi']) < 0.2 * max(1, ppi / 100),
          '%s: %s ppi, pixels and size say %.1f' % (im['file'], im['effective_ppi'], ppi))
check(len(ed['ink_max_percent']) == pages, 'ink for %d pages' % len(ed['ink_max_percent']))
check(max(ed['ink_max_percent']) <= 300, 'ink over 300 %%: %s' % ed['ink_max_percent'])
check(job['preflight']['warnings'] == warnings,
      'preflight: %d warnings, %d printed' % (job['preflight']['warnings'], warnings))
# every file but the ticket is listed, in byte order, with its SHA-256
listed = [f['path'] for f in job['files']]
check(listed == sorted(listed, key=lambda s: s.encode()), 'files not in order')
on_disk = sorted(os.path.relpath(os.path.join(d, n), 'pkg')
                 for d, _, ns in os.walk('pkg') for n in ns)
check(sorted(listed + ['job.html', 'job.json']) == on_disk,
      'files listed %s, on disk %s' % (listed, on_disk))
for f in job['files']:
    got = hashlib.sha256(open('pkg/' + f['path'], 'rb').read()).hexdigest()
    check(got == f['sha256'], '%s: sha256 %s, listed %s' % (f['path'], got, f['sha256']))
sheets = run('pdfinfo', 'pkg/nam-dinh-booklet-en-saddle-stitch.pdf')
sides = int(re.search(r'Pages:\s+(\d+)', sheets).group(1))
check(sides == pages // 2, 'sheet sides %d for %d pages' % (sides, pages))
pngs = [p for p in on_disk if p.startswith('proofs/')]
check(len(pngs) == pages + sides, '%d proofs for %d pages and %d sides' % (len(pngs), pages, sides))
html = open('pkg/job.html', encoding='utf-8').read()
for f in job['files']:
    check(f['sha256'] in html, 'job.html lacks the SHA-256 of ' + f['path'])
# the tar: the same files, sorted, 0/0, dated SOURCE_DATE_EPOCH
with tarfile.open('pkg.tar') as t:
    members = t.getmembers()
    names = [m.name for m in members]
    files = [m.name[len('pkg/'):] for m in members if m.isfile()]
    check(files == sorted(files, key=lambda s: s.encode()), 'tar not sorted')
    check(sorted(files) == on_disk, 'tar holds %s' % files)
    for m in members:
        check(m.uid == 0 and m.gid == 0 and m.mtime == epoch,
              '%s: uid %d gid %d mtime %d' % (m.name, m.uid, m.gid, m.mtime))
        if m.isfile():
            check(t.extractfile(m).read() == open(m.name, 'rb').read(),
                  '%s differs from the folder' % m.name)
for f in fails:
    print('FAIL: ' + f)
sys.exit(1 if fails else 0)
PY
# the PNG renderer draws placed forms: sheet 1's front is 8 | 1, so its
# left half (the last page, at x 0: the same pixel phase) is page 8's PNG,
# and not page 7's; within preview_is_print.sh's threshold
PNGDIFF="$BUILD/tests/fo_pngdiff"
p=pkg/proofs/nam-dinh-booklet-en
w=$(identify -format '%w' "$p-008.png")
h=$(identify -format '%h' "$p-008.png")
w=$((w - 1)) # the page's last column is partly the next page's
convert "$p-sheet-001.png" -crop "${w}x${h}+0+0" +repage left.png
convert "$p-008.png" -crop "${w}x${h}+0+0" +repage p8.png
convert "$p-007.png" -crop "${w}x${h}+0+0" +repage p7.png
max=$((w * h / 2000))
"$PNGDIFF" left.png p8.png --tolerance 64 --max-diff "$max" >/dev/null ||
    fail "sheet 1's left half is not page 8: $("$PNGDIFF" left.png p8.png)"
if "$PNGDIFF" left.png p7.png --tolerance 64 --max-diff "$max" >/dev/null; then
    fail "page 7 passes for page 8: the check cannot fail"
fi
cd ..

# a publication with an error: exit 1, no package
printf 'title: "Broken"\nslug: broken\nyear: 2025\ntemplate: booklet\neditions: [en]\nsections: 3\n' >broken.yaml
rc=0
"$FOLIO" package broken.yaml -o bad >/dev/null 2>bad.err || rc=$?
[ "$rc" = 1 ] || fail "broken: exit $rc, expected 1"
grep -q 'broken.yaml:6:11: error: ' bad.err || fail "broken: $(cat bad.err)"
[ ! -e bad.tar ] && [ -z "$(ls -A bad 2>/dev/null)" ] || fail "broken: a package was written"
echo "ok"
