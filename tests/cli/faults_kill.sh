#!/bin/bash
# A killed build puts nothing in place afterwards and leaves nothing behind.
#
# build -j 2 (one edition, its print and screen PDFs split over two jobs):
# the parent is frozen (SIGSTOP) as soon as both jobs run, so that it
# cannot commit, then killed with SIGTERM or SIGKILL at three moments:
# while the jobs lay out, once a job has a PDF under its temporary name,
# and once both jobs have ended (their PDFs waiting for the parent). Each
# time: the parent dies of the signal, no job survives it, the previous
# PDFs are unchanged byte for byte, and after SIGTERM no temporary file is
# left, nor after SIGKILL while the jobs lay out (they die with the
# parent). After SIGKILL the jobs' finished files may stay (their
# processes are gone); the next build of the folder removes them.
#
# Then one process: SIGINT during the write of a build -j 1 and SIGTERM
# during a preview's PNGs remove their temporary files, and a build is
# all or nothing (the PDFs all previous or all new). Last, the sweep:
# stale temporary files of dead processes are removed, those of a live
# process and names folio does not write are kept.
#
# No sleeps that race: every wait polls a condition with a bound.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
# A small publication for the rounds of build -j (the parent is frozen
# while its jobs run, so they need not be slow), the booklet where a
# process must be caught while it writes.
tiny_yaml
# and a long one (3,000 paragraphs), whose jobs lay out for seconds: the
# round that kills them while they lay out cannot catch one finishing
{
    printf 'title: { en: "Long" }\nslug: tiny\nyear: 2025\neditions: [en]\n'
    printf 'sections:\n'
    for ((s = 1; s <= 60; s++)); do
        printf '  - title: { en: "Part %d" }\n    blocks:\n' $s
        for ((i = 1; i <= 50; i++)); do
            printf '      - p: { en: "Paragraph %d of part %d, a few lines long, so that there is a page or two of lines to break." }\n' $i $s
        done
    done
} >long.yaml
BOOKLET="$SRC/examples/nam-dinh-booklet/publication.yaml"
ARGS=(--edition en --profile print --profile screen)

# poll WHAT CMD...: runs CMD every 10 ms until it succeeds; fails after
# 30 s with "timed out: WHAT".
poll() {
    local what=$1 i
    shift
    for ((i = 0; i < 3000; i++)); do
        "$@" && return 0
        sleep 0.01
    done
    fail "timed out: $what"
}
children() { # the child processes of $1
    if [ -r "/proc/$1/task/$1/children" ]; then
        cat "/proc/$1/task/$1/children"
    else
        ps -o pid= --ppid "$1"
    fi
}
two_children() { [ "$(children "$1" | wc -w)" -ge 2 ] || ! alive "$1"; }
alive() { # a process that has not ended (a zombie has)
    local a b state
    read -r a b state _ <"/proc/$1/stat" 2>/dev/null || return 1
    [ "$state" != Z ]
}
all_alive() {
    local p
    for p in "$@"; do
        alive "$p" || return 1
    done
}
all_gone() {
    local p
    for p in "$@"; do
        ! alive "$p" || return 1
    done
}
temps() { compgen -G "$1/*.tmp-*" >/dev/null; }
no_temps() {
    ! temps "$1" || fail "$2: temporary files left: $(ls "$1" | grep tmp)"
}

# the previous PDFs: another date, so that every finished build differs
for pub in tiny.yaml "$BOOKLET"; do
    SOURCE_DATE_EPOCH=1600000000 "$FOLIO" build "$pub" -o prev "${ARGS[@]}" \
        >prev.log 2>&1 || fail "first build: $(cat prev.log)"
done
same_as_prev() { # DIR: every PDF in DIR is the previous one
    local f
    for f in "$1"/*.pdf; do
        cmp -s "prev/${f##*/}" "$f" || return 1
    done
}
all_new() { # DIR: no PDF in DIR is the previous one
    local f
    for f in "$1"/*.pdf; do
        ! cmp -s "prev/${f##*/}" "$f" || return 1
    done
}

# kill_jobs SIG MOMENT: one round of build -j 2 killed as said above.
# While they lay out (the long publication, into a folder with the small
# one's previous PDFs: the long one must write none), the jobs are frozen
# too, from the moment both are seen running until the parent is dead. A
# round that comes too late (on a loaded machine, a job already ended
# when the parent was frozen) is run again, at most 5 times.
kill_jobs() {
    local sig=$1 moment=$2 out="j-$1-$2" p kids rc try pub=tiny.yaml
    [ "$moment" != layout ] || pub=long.yaml
    for ((try = 1; ; try++)); do
        rm -rf "$out" && mkdir "$out" && cp prev/tiny-* "$out"
        SOURCE_DATE_EPOCH=1700000000 "$FOLIO" build $pub -o "$out" \
            "${ARGS[@]}" -j 2 >"$out.log" 2>&1 &
        p=$!
        poll "$out: two jobs" two_children $p
        kill -STOP $p 2>/dev/null || fail "$out: the build ended before its jobs"
        kids=$(children $p)
        if [ "$(wc -w <<<"$kids")" = 2 ]; then
            [ $moment = layout ] || break
            # shellcheck disable=SC2086
            kill -STOP $kids
            # shellcheck disable=SC2086
            ! all_alive $kids || break
        fi
        ((try < 5)) || fail "$out: a job always ended before it was frozen"
        kill -KILL $p
        wait $p
        # shellcheck disable=SC2086
        kill -CONT $kids 2>/dev/null
        # shellcheck disable=SC2086
        poll "$out: no job left (retry)" all_gone $kids
    done
    case $moment in
    layout) ;;
    written) poll "$out: a PDF under its temporary name" temps "$out" ;;
    ended) poll "$out: both jobs end" all_gone $kids ;;
    esac
    kill -"$sig" $p
    kill -CONT $p 2>/dev/null
    wait $p
    rc=$?
    # the parent is dead and reaped: its death signal is pending in the
    # frozen jobs, which must now die of it, not finish
    # shellcheck disable=SC2086
    [ $moment != layout ] || kill -CONT $kids 2>/dev/null
    [ $rc = $((128 + $(kill -l "$sig"))) ] ||
        fail "$out: the build exited $rc, not killed by $sig: $(cat "$out.log")"
    # shellcheck disable=SC2086
    poll "$out: no job outlives the parent" all_gone $kids
    same_as_prev "$out" || fail "$out: a PDF was replaced after the kill"
    # after SIGKILL too, while the jobs lay out: they die with the parent
    # (a job that outlived it would finish and leave its PDFs)
    if [ "$sig" = TERM ] || [ "$moment" = layout ]; then
        no_temps "$out" "$out"
    elif [ "$moment" = ended ]; then
        temps "$out" || fail "$out: the jobs' PDFs were not left (setup)"
        SOURCE_DATE_EPOCH=1700000000 "$FOLIO" build tiny.yaml -o "$out" \
            "${ARGS[@]}" -j 2 >"$out.next" 2>&1 || fail "$out: next build"
        no_temps "$out" "$out: the next build"
        all_new "$out" || fail "$out: the next build left an old PDF"
    fi
    echo "$out: killed by $sig, exit $rc, no job left, PDFs unchanged"
}
for moment in layout written ended; do
    kill_jobs TERM $moment
    kill_jobs KILL $moment
done

# SIGINT while a one-process build writes: frozen once a temporary file
# exists, then interrupted. The PDFs are all previous or all new (a
# commit under way finishes first), and no temporary file is left.
mkdir int && cp prev/nam-dinh-booklet-* int
SOURCE_DATE_EPOCH=1700000000 "$FOLIO" build "$BOOKLET" -o int "${ARGS[@]}" \
    >int.log 2>&1 &
p=$!
poll "int: a PDF under its temporary name" temps int
kill -STOP $p
kill -INT $p
kill -CONT $p
wait $p
rc=$?
[ $rc = 130 ] || fail "int: exit $rc, not 130: $(cat int.log)"
no_temps int "SIGINT"
same_as_prev int || all_new int || fail "int: some PDFs new, some not"
echo "int: exit 130, no temporary file, PDFs all previous or all new"

# SIGTERM while preview writes a page (a large one: 600 dpi)
"$FOLIO" preview "$BOOKLET" -o png --edition en --dpi 600 >png.log 2>&1 &
p=$!
poll "png: a page under its temporary name" temps png
kill -TERM $p
wait $p
rc=$?
[ $rc = 143 ] || fail "png: exit $rc, not 143: $(cat png.log)"
no_temps png "preview SIGTERM"
echo "png: exit 143, no temporary file"

# The sweep: dead processes' temporary files go, a live one's stay, and
# so do names that are not folio's outputs.
sh -c 'exit 0' &
dead=$!
wait $dead
mkdir -p sweep/thumbs
touch "sweep/tiny-en.pdf.tmp-$dead" "sweep/x.png.tmp-$dead" \
    "sweep/thumbs/x.png.tmp-$dead" "sweep/proof.html.tmp-$dead" \
    "sweep/build.js.tmp-$dead" "sweep/tiny-vi.pdf.tmp-$$" \
    "sweep/notes.txt.tmp-$dead" "sweep/x.pdf.tmp-${dead}x"
"$FOLIO" build tiny.yaml -o sweep >sweep.log 2>&1 ||
    fail "sweep build: $(cat sweep.log)"
left=$(cd sweep && ls -d ./*.tmp-* thumbs/*.tmp-* 2>/dev/null | tr '\n' ' ')
[ "$left" = "./notes.txt.tmp-$dead ./tiny-vi.pdf.tmp-$$ ./x.pdf.tmp-${dead}x " ] ||
    fail "sweep: left '$left'"
echo "sweep: dead processes' files removed, others kept"
echo ok
