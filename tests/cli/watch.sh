#!/usr/bin/env bash
# `folio watch` on a copy of the sample (English edition, 20 dpi to stay
# quick): the first build writes everything; editing one paragraph
# rebuilds the PDF and re-renders the PNGs of the pages whose content
# changed — the page that now holds the new words among them — while the
# other PNGs keep their modification time; a broken edit prints the error
# (FILE:LINE:COL) and leaves the PDF, the PNGs and proof.html as they were,
# with the error in build.js for the open proof; SIGINT stops it with
# status 0. Generous timeouts: a build takes seconds, more under ASan.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
cp -r "$SRC/examples/nam-dinh" "$WORK/pub"
cd "$WORK"
out=$WORK/out
pdf=$out/nam-dinh-yearbook-en.pdf
"$FOLIO" watch pub/publication.yaml -o out --edition en --dpi 20 >watch.log 2>watch.err &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' EXIT

wait_for() { # wait_for PATTERN: a line of watch.log
    for _ in $(seq 1 480); do
        grep -q "$1" watch.log && return 0
        kill -0 $pid 2>/dev/null || { echo "FAIL: folio watch died"; cat watch.log watch.err; exit 1; }
        sleep 0.25
    done
    echo "FAIL: timed out waiting for '$1'"; cat watch.log; exit 1
}
stamps() { (cd out && find . -maxdepth 1 -type f -printf '%P %T@\n' | LC_ALL=C sort); }

wait_for '^build 1: '
wait_for '^watching '
grep -q '^build 1: 26 of 26 pages rendered, 1 PDF written' watch.log
test -s out/proof.html && test -s "$pdf"
stamps >before.txt
sleep 1.1 # a coarse file system clock must see the next write as newer

# One paragraph of the English edition of section 6 gets a new sentence.
python3 - pub/sections/06-beaches-tourism.yaml <<'PY'
import sys
p = sys.argv[1]; lines = open(p, encoding="utf-8").read().split("\n")
i = next(k for k, l in enumerate(lines) if l.strip() == "en: >")
lines[i + 1] += " Zebrafish quartz edits appear here."
open(p, "w", encoding="utf-8").write("\n".join(lines))
PY
wait_for '^build 2: '
grep '^changed: .*06-beaches-tourism.yaml' watch.log >/dev/null
stamps >after.txt
changed=$(join before.txt after.txt | awk '$2 != $3 {print $1}')
kept=$(join before.txt after.txt | awk '$2 == $3 && $1 ~ /[.]png$/ {print $1}' | wc -l)
echo "rebuilt:" $changed
echo "$kept page PNGs kept their time"
grep -qx 'nam-dinh-yearbook-en.pdf' <<<"$changed" || { echo "FAIL: the PDF was not rebuilt"; exit 1; }
[[ $kept -gt 10 ]] || { echo "FAIL: unchanged pages were re-rendered"; exit 1; }
# The page that holds the new words (pdftotext of the new PDF) is redrawn.
page=$(python3 - "$pdf" <<'PY'
import subprocess, sys
text = subprocess.run(["pdftotext", "-layout", sys.argv[1], "-"], capture_output=True, text=True).stdout
for n, t in enumerate(text.split("\f"), 1):
    if "Zebrafish" in t:
        print(n); break
PY
)
[[ -n $page ]] || { echo "FAIL: the edit is not in the PDF"; exit 1; }
png=$(printf 'nam-dinh-yearbook-en-%03d.png' "$page")
grep -qx "$png" <<<"$changed" || { echo "FAIL: $png (the edited page) was not re-rendered"; exit 1; }
grep -q '^build 2: [0-9]* of 26 pages rendered' watch.log

# A broken edit: the error is printed, the last good output stays.
sleep 1.1
printf 'sections: [\n' >>pub/sections/06-beaches-tourism.yaml
wait_for '^build 3: failed'
grep -q '06-beaches-tourism.yaml:[0-9]*:[0-9]*: error: ' watch.err || { echo "FAIL: no error printed"; cat watch.err; exit 1; }
stamps >broken.txt
if ! diff <(grep -v '^build.js ' after.txt) <(grep -v '^build.js ' broken.txt); then
    echo "FAIL: a broken build touched the last good output"; exit 1
fi
grep -q 'error: ' out/build.js || { echo "FAIL: build.js does not carry the error"; exit 1; }

kill -INT $pid
trap - EXIT
rc=0
wait $pid || rc=$?
[[ $rc == 0 ]] || { echo "FAIL: folio watch exited with $rc after SIGINT"; exit 1; }
grep -q '^folio watch: stopped after 3 builds' watch.log
echo "watch: edit re-rendered page $page and the PDF; broken edit kept the output; SIGINT exits 0"
