#!/usr/bin/env bash
# The image cache (pipeline/cache, docs/cache.md) on a publication whose
# figures take every path of pdf_image.c (an RGB JPEG converted to CMYK or
# downsampled, a CMYK JPEG, a grey JPEG, PNGs with alpha, 16-bit, palette),
# built in all three profiles:
#  - the PDFs are byte for byte those of --no-cache with a cold cache, a
#    warm one (every image a hit: no miss), and one the test damaged (every
#    entry: truncated, a byte of its payload flipped, a byte of its header
#    flipped), each damaged entry reported once as a warning and made
#    again (the next build is all hits);
#  - two builds at once on one empty cache, and `build -j 2`, both succeed
#    with the same bytes;
#  - FOLIO_CACHE_MAX keeps the folder under its bound (the build stored
#    more than that); `folio cache clean` empties it;
#  - a cache folder that cannot be made is one warning and the same PDFs,
#    also with -j 2; FOLIO_CACHE=off, --no-cache, XDG_CACHE_HOME and HOME
#    choose the folder as documented;
#  - an image changed after its probe is the error it is without a cache,
#    though its stream is in the cache (screen: no preflight reads it, the
#    PDF writer alone can see it; the hook of image_swap.sh).
set -u
rm -rf "$WORK" && mkdir -p "$WORK/images" && cd "$WORK" || exit 1
fail() {
    echo "FAIL: $*"
    exit 1
}
export SOURCE_DATE_EPOCH=1700000000 FOLIO_CACHE_STATS=1
unset FOLIO_CACHE FOLIO_CACHE_MAX XDG_CACHE_HOME
export HOME="$WORK/home" # no test fills the real one
FIX="$SRC/tests/fixtures/images"
cp "$SRC/examples/nam-dinh/images/beach.jpg" "$SRC/examples/nam-dinh/images/logo.png" \
    "$FIX/cmyk-plain.jpg" "$FIX/grey.jpg" "$FIX/rgba8.png" "$FIX/palette.png" \
    "$FIX/rgb16.png" images/ || fail "copying the images"
{
    echo 'title: "Cache"'
    echo 'year: 2025'
    echo 'editions: [en]'
    echo 'sections:'
    echo '  - title: "Images"'
    echo '    blocks:'
    for f in beach.jpg logo.png cmyk-plain.jpg grey.jpg rgba8.png palette.png rgb16.png; do
        echo "      - figure: { src: images/$f, caption: \"$f\" }"
    done
} >pub.yaml

# build NAME ARGS...: builds all profiles into out-NAME, stderr in NAME.err
build() {
    local name=$1
    shift
    rm -rf "out-$name"
    "$FOLIO" build pub.yaml -o "out-$name" --profile all "$@" \
        >"$name.out" 2>"$name.err" || { cat "$name.err"; fail "$name: build failed"; }
}
# same NAME: out-NAME holds the reference's three PDFs, byte for byte
same() {
    local f n=0
    for f in out-ref/*.pdf; do
        cmp -s "$f" "out-$1/$(basename "$f")" || fail "$1: $(basename "$f") differs"
        n=$((n + 1))
    done
    [ "$n" = 3 ] || fail "reference: $n PDFs"
}
# stats NAME: the "folio: cache:" line of NAME.err
stats() {
    grep '^folio: cache: ' "$1.err" || true
}
entries() {
    find "$1" -mindepth 2 -maxdepth 2 -type f -regex '.*/[0-9a-f][0-9a-f]/[0-9a-f]*' | sort
}

build ref --no-cache
[ -z "$(stats ref)" ] || fail "--no-cache used a cache: $(stats ref)"
[ ! -e home/.cache/folio ] || fail "--no-cache made ~/.cache/folio"

# ---- cold, warm ------------------------------------------------------------
build cold --cache c
same cold
case "$(stats cold)" in
"folio: cache: 0 hits, "*" misses (0 damaged), "*" stored") ;;
*) fail "cold: $(stats cold)" ;;
esac
n=$(entries c | wc -l)
[ "$n" -ge 14 ] || fail "cold: $n entries (7 probes and the streams of 3 profiles)"
build warm --cache c
same warm
case "$(stats warm)" in
"folio: cache: "*" hits, 0 misses (0 damaged), 0 stored") ;;
*) fail "warm: $(stats warm)" ;;
esac
echo "cold and warm: the PDFs of --no-cache, the warm build all hits ($n entries)"

# ---- damaged entries ---------------------------------------------------------
# Every entry damaged, in turn: truncated, a payload byte flipped, a header
# byte flipped (in the payload's length).
entries c >damaged.txt
python3 - damaged.txt <<'PY' || fail "damaging the entries"
import os, sys
for i, path in enumerate(open(sys.argv[1]).read().split()):
    size = os.path.getsize(path)
    with open(path, 'r+b') as f:
        if i % 3 == 0:
            f.truncate(size - 1)
        else:
            at = 64 + (size - 64) // 2 if i % 3 == 1 else 33
            f.seek(at)
            b = f.read(1)
            f.seek(at)
            f.write(bytes([b[0] ^ 0x20]))
PY
build damaged --cache c
same damaged
nd=$(wc -l <damaged.txt)
case "$(stats damaged)" in
"folio: cache: 0 hits, "*" misses ($nd damaged), $nd stored") ;;
*) fail "damaged: $(stats damaged), $nd entries damaged" ;;
esac
while read -r p; do
    k=$(grep -c "^folio: warning: cache entry '$p' is damaged (" damaged.err)
    [ "$k" = 1 ] || fail "damaged: $p reported $k times"
done <damaged.txt
[ "$(grep -c ': error: ' damaged.err)" = 0 ] || fail "damaged: an error"
grep -q "(its length differs from the file's)" damaged.err || fail "no truncation seen"
grep -q "(payload checksum)" damaged.err || fail "no payload flip seen"
grep -q "(header checksum)" damaged.err || fail "no header flip seen"
build again --cache c
same again
case "$(stats again)" in
"folio: cache: "*" hits, 0 misses (0 damaged), 0 stored") ;;
*) fail "after the damage: $(stats again)" ;;
esac
echo "damaged: $nd entries each reported once, made again, the same PDFs"

# ---- concurrent builds ---------------------------------------------------------
rm -rf out-p1 out-p2
"$FOLIO" build pub.yaml -o out-p1 --profile all --cache par >p1.out 2>p1.err &
p1=$!
"$FOLIO" build pub.yaml -o out-p2 --profile all --cache par >p2.out 2>p2.err &
p2=$!
wait $p1 || { cat p1.err; fail "the first of two builds at once failed"; }
wait $p2 || { cat p2.err; fail "the second of two builds at once failed"; }
same p1
same p2
! grep -q 'warning: cache' p1.err p2.err || fail "two builds at once: $(cat p1.err p2.err)"
build jobs --cache par2 -j 2
same jobs
build jobs2 --cache par2 -j 2
same jobs2
case "$(stats jobs2)" in
"folio: cache: "*" hits, 0 misses (0 damaged), 0 stored") ;;
*) fail "-j 2 warm: $(stats jobs2)" ;;
esac
build par --cache par
same par
case "$(stats par)" in
"folio: cache: "*" hits, 0 misses (0 damaged), 0 stored") ;;
*) fail "after two builds at once: $(stats par)" ;;
esac
echo "concurrent: two builds at once and -j 2 share a cache, the same PDFs"

# ---- the bound, clean ------------------------------------------------------------
# A bound well below what the build stores, counting only the entries it
# stores at all (a payload over an eighth of the bound is not stored).
bound=$(find c -type f -regex '.*/[0-9a-f][0-9a-f]/[0-9a-f]*' -printf '%s\n' | python3 -c '
import sys
sizes = [int(x) for x in sys.stdin]
print(max([b for b in range(1000, sum(sizes), 100)
           if sum(s for s in sizes if s - 64 <= b // 8) > 1.25 * b] or [0]))')
[ "$bound" -gt 0 ] || fail "no bound below what the build stores"
FOLIO_CACHE_MAX=$bound build bounded --cache b
same bounded
used=$(find b -type f -regex '.*/[0-9a-f][0-9a-f]/[0-9a-f]*' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
nb=$(entries b | wc -l)
stored=$(stats bounded | sed -n 's/.*, \([0-9]*\) stored$/\1/p')
[ "$used" -le "$bound" ] || fail "bound $bound: $used bytes kept"
[ "$nb" -gt 0 ] && [ "$nb" -lt "$stored" ] || fail "bound: $nb entries kept of $stored stored"
"$FOLIO" cache info --cache b >info.txt || fail "cache info"
grep -q "^entries: $nb$" info.txt || fail "cache info: $(cat info.txt)"
"$FOLIO" cache clean --cache c >clean.txt || fail "cache clean: $(cat clean.txt)"
[ -z "$(entries c)" ] || fail "cache clean left entries"
"$FOLIO" cache info --cache c >info.txt || fail "cache info"
grep -q '^entries: 0$' info.txt || fail "after clean: $(cat info.txt)"
echo "bound: $used of $bound bytes kept ($nb of $stored entries); clean empties it"

# ---- a folder that cannot be used; where the folder is --------------------------
: >notadir
for j in 1 2; do
    build nodir$j --cache notadir/cache -j $j
    same nodir$j
    k=$(grep -c "^folio: warning: cannot use the cache folder 'notadir/cache' (cannot create the folder: Not a directory): going on without a cache$" nodir$j.err)
    [ "$k" = 1 ] || fail "unusable folder, -j $j: warned $k times: $(cat nodir$j.err)"
done
build home
[ -n "$(entries home/.cache/folio)" ] || fail "the default folder is not ~/.cache/folio"
XDG_CACHE_HOME="$WORK/xdg" build xdg
[ -n "$(entries xdg/folio)" ] || fail "XDG_CACHE_HOME/folio not used"
FOLIO_CACHE="$WORK/env" build env
[ -n "$(entries env)" ] || fail "FOLIO_CACHE=DIR not used"
FOLIO_CACHE="$WORK/env2" build env-no --no-cache
[ ! -e env2 ] || fail "--no-cache did not win over FOLIO_CACHE"
FOLIO_CACHE=off XDG_CACHE_HOME="$WORK/xdg-off" build off
[ ! -e xdg-off/folio ] && [ -z "$(stats off)" ] || fail "FOLIO_CACHE=off used a cache"
echo "unusable folder: one warning, the same PDFs; folders chosen as documented"

# ---- an image that changes after its probe, its stream in the cache ----------
cp "$SRC/examples/nam-dinh/images/beach.jpg" images/pic.jpg
printf 'title: "Swap"\nyear: 2025\neditions: [en]\nsections:\n  - title: "One"\n    blocks:\n      - figure: { src: images/pic.jpg, caption: "Pic" }\n' >swap.yaml
"$FOLIO" build swap.yaml -o out-sw --profile screen --cache sw >sw.out 2>sw.err ||
    fail "swap: the first build failed: $(cat sw.err)"
[ -n "$(entries sw)" ] || fail "swap: nothing cached"
rm -rf out-sw
FOLIO_TEST_DELAY_AFTER_PROBE=1500 "$FOLIO" build swap.yaml -o out-sw --profile screen \
    --cache sw >sw.out 2>sw.err &
pid=$!
for i in $(seq 1 400); do
    grep -q '^folio: test: probed .*pic\.jpg' sw.err 2>/dev/null && break
    sleep 0.05
done
cp "$SRC/examples/nam-dinh/images/red-river.jpg" images/pic.new && mv images/pic.new images/pic.jpg
wait $pid
rc=$?
[ $rc = 1 ] || fail "swap: exit $rc, expected 1: $(cat sw.err)"
grep -q "^swap.yaml:7:.*: error: cannot use the image 'images/pic.jpg': the file changed since it was read$" sw.err ||
    fail "swap: $(cat sw.err)"
[ ! -e out-sw/swap-en-screen.pdf ] || fail "swap: a PDF was written"
echo "swap: an image changed after its probe is an error, its cached stream unused"
