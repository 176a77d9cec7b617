#!/bin/bash
# Outputs that cannot be written: each case exits 1 with one message per
# file, "DIR: error: cannot write 'NAME': <the system's reason>" (or
# "cannot create the folder"), keeps the previous outputs byte for byte
# and leaves no temporary file. Cases: a read-only output folder (build,
# build -j 2, preview), a full disk (build, preview), a proof.html that
# cannot be renamed into place, -o naming a file, and a missing parent
# (created, as mkdir -p does; an error when a file is in the way).
#
# The tests run as root, where chmod does not stop a write: the
# read-only folder and the full disk are tmpfs mounts (remounted
# read-only; 4 MB filled up), in a private mount namespace (unshare).
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
if [ -z "${FO_FAULTS_NS:-}" ]; then
    for how in -m -rm; do
        if unshare $how --propagation private true 2>/dev/null; then
            FO_FAULTS_NS=1 exec unshare $how --propagation private \
                bash "$0" "$@"
        fi
    done
    echo "skipped: no private mount namespace (unshare -m or -rm failed);"
    echo "the read-only and full-disk cases mount a tmpfs in one"
    exit 77
fi
fresh_work
mkdir ro full
mount -t tmpfs -o size=4m tmpfs ro && mount -t tmpfs -o size=4m tmpfs full || {
    echo "skipped: cannot mount a tmpfs here"
    exit 77
}
tiny_yaml
export SOURCE_DATE_EPOCH=1700000000

# expect NAME WANT CMD...: CMD exits 1 with exactly WANT on stderr (lines
# in any order: jobs report in job order), nothing on stdout, and no
# temporary file anywhere under the working folder.
expect() {
    local name=$1 want=$2 rc
    shift 2
    "$@" >"$name.out" 2>"$name.err"
    rc=$?
    [ $rc = 1 ] || fail "$name: exit $rc, not 1: $(cat "$name.err")"
    [ "$(sort "$name.err")" = "$(sort <<<"$want")" ] ||
        fail "$name: stderr is
$(cat "$name.err")
not
$want"
    [ ! -s "$name.out" ] || fail "$name: printed $(cat "$name.out")"
    local left
    left=$(find . -name '*.tmp-*')
    [ -z "$left" ] || fail "$name: temporary files left: $left"
    echo "$name: $(head -1 "$name.err")"
}
# same DIR REF: the files of DIR are REF's, byte for byte
same() {
    diff -r "$2" "$1" >/dev/null || fail "$1 changed: $(diff -rq "$2" "$1")"
}

# ---- a read-only folder ------------------------------------------------
SOURCE_DATE_EPOCH=1600000000 "$FOLIO" build tiny.yaml -o ro/out \
    --profile print --profile screen >/dev/null 2>&1 || fail "first build"
"$FOLIO" preview tiny.yaml -o ro/out --dpi 20 >/dev/null 2>&1 ||
    fail "first preview"
cp -r ro/out ro-before
mount -o remount,ro ro || fail "cannot remount the tmpfs read-only"
expect ro "ro/out: error: cannot write 'tiny-en.pdf': Read-only file system" \
    "$FOLIO" build tiny.yaml -o ro/out
expect ro-j2 "ro/out: error: cannot write 'tiny-en-screen.pdf': Read-only file system
ro/out: error: cannot write 'tiny-en.pdf': Read-only file system" \
    "$FOLIO" build tiny.yaml -o ro/out --profile print --profile screen -j 2
expect ro-preview "ro/out: error: cannot write 'tiny-en-001.png': Read-only file system" \
    "$FOLIO" preview tiny.yaml -o ro/out
expect ro-new "ro: error: cannot create the folder 'new': Read-only file system" \
    "$FOLIO" build tiny.yaml -o ro/new
same ro/out ro-before

# ---- a full disk ---------------------------------------------------------
SOURCE_DATE_EPOCH=1600000000 "$FOLIO" build tiny.yaml -o full/out \
    >/dev/null 2>&1 || fail "first build on the tmpfs"
"$FOLIO" preview tiny.yaml -o full/out --dpi 20 >/dev/null 2>&1 ||
    fail "first preview on the tmpfs"
cp -r full/out full-before
# fill what is left (head stops at "No space left on device")
head -c 8M /dev/zero >full/filler 2>/dev/null
[ "$(df --output=avail full | tail -n 1 | tr -d ' ')" = 0 ] ||
    fail "the tmpfs is not full: $(df full)"
expect full "full/out: error: cannot write 'tiny-en.pdf': No space left on device" \
    "$FOLIO" build tiny.yaml -o full/out
expect full-preview "full/out: error: cannot write 'tiny-en-001.png': No space left on device" \
    "$FOLIO" preview tiny.yaml -o full/out --dpi 20
same full/out full-before
rm full/filler

# ---- proof.html cannot be renamed into place (a folder in its way) --------
mkdir -p proof/proof.html
expect proof "proof: error: cannot write 'proof.html': Is a directory" \
    "$FOLIO" preview tiny.yaml -o proof --dpi 20
[ -d proof/proof.html ] || fail "proof: the folder in the way was replaced"

# ---- -o naming a file ----------------------------------------------------
echo "not a folder" >afile
expect file "afile: error: cannot write 'tiny-en.pdf': Not a directory" \
    "$FOLIO" build tiny.yaml -o afile
expect file-preview "afile: error: cannot create the folder 'thumbs': Not a directory" \
    "$FOLIO" preview tiny.yaml -o afile
[ "$(cat afile)" = "not a folder" ] || fail "afile changed"

# ---- a missing parent: created, as mkdir -p; a file in the way: an error --
"$FOLIO" build tiny.yaml -o a/b/c >parent.out 2>parent.err ||
    fail "a missing parent: $(cat parent.err)"
[ -s a/b/c/tiny-en.pdf ] || fail "a/b/c/tiny-en.pdf was not written"
expect file-parent "afile: error: cannot create the folder 'sub': Not a directory" \
    "$FOLIO" build tiny.yaml -o afile/sub
echo ok
