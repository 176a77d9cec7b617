#!/usr/bin/env bash
# Build folio from a fresh Debian 12: install what is missing, configure,
# compile, and build the sample publications or run the test suites.
# See ./build.sh --help and docs/building.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian 12 packages. fonts-noto-core is only the source of the files in
# fonts/ (folio never reads system fonts); the second group is for tests;
# clang and libclang-rt-14-dev (libFuzzer's runtime) are for ./build.sh fuzz.
PACKAGES=(
    build-essential cmake pkg-config git
    libyaml-dev libpango1.0-dev libcairo2-dev libhpdf-dev libharfbuzz-dev
    libpng-dev zlib1g-dev libdeflate-dev libjpeg-dev liblcms2-dev libhyphen-dev libicu-dev libxxhash-dev
    libarchive-dev libqrencode-dev zbar-tools scdoc
    hyphen-en-us hyphen-fr libcmocka-dev fonts-noto-core
    poppler-utils qpdf mupdf-tools ghostscript valgrind imagemagick
    clang-format clang-tidy python3 python3-yaml python3-jsonschema time chromium liblcms2-utils
    clang libclang-rt-14-dev
)

usage() {
    cat <<'EOF'
Usage: ./build.sh [COMMAND [SECONDS]]

Run from anywhere; works in the folder holding this script. Installs missing
Debian packages with apt-get first (needs root or sudo).

Commands:
  (none), build  configure build/ (RelWithDebInfo), compile, then build every
                 examples/*/publication.yaml into out/<example>/ (PDFs) and
                 out/<example>/preview/ (PNGs)
  test           configure and compile build/, run its tests (ctest), then the
                 same in build-asan/ with AddressSanitizer and UBSan; exits
                 non-zero if anything fails (this is what CI runs)
  asan           only the sanitizer build and its tests (build-asan/)
  fuzz [SECONDS] configure build-fuzz/ (clang, libFuzzer, ASan + UBSan), build
                 the harnesses of tests/fuzz/ and run each for SECONDS
                 (default 60), one after the other on one core; crashes are
                 written to tests/fuzz/crashes/<harness>/ (keep them: the
                 fuzz.replay_* tests run them); exits non-zero if one crashed
  deps           only install the missing packages
  deb            build the Debian package build-deb/folio_VERSION_ARCH.deb
                 (CPack): folio, its templates, fonts, man page, completion
  format         reformat pipeline/ and tests/ C files in place (clang-format)
  clean          remove build/, build-*/ and out/
  -h, --help     this text

Environment:
  JOBS=N         parallel compile and test jobs (default: nproc, here JOBS_DEFAULT)
EOF
}

log() {
    printf '\n==> %s\n' "$*"
}

die() {
    printf 'build.sh: %s\n' "$*" >&2
    exit 1
}

# Install the packages that are not installed yet; do nothing (and do not
# touch the network) when all are.
ensure_packages() {
    local missing=() p status
    for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        if [[ $status != "install ok installed" ]]; then
            missing+=("$p")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "missing packages (${missing[*]}) and not root: run as root or install sudo"
        sudo=(sudo)
    fi
    log "Installing ${#missing[@]} packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    local policy
    for p in "${missing[@]}"; do
        # captured, not piped into grep -q: under pipefail an early grep
        # exit makes apt-cache die of SIGPIPE and the test lie
        policy=$(apt-cache policy "$p")
        if [[ -z $policy || $policy == *'Candidate: (none)'* ]]; then
            die "package $p is not available from the configured apt sources"
        fi
    done
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

configure_main() {
    log "Configuring build/ (RelWithDebInfo)"
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DFO_TESTS=ON -DFO_SANITIZE=OFF || return 1
    log "Compiling build/ with $JOBS jobs"
    cmake --build "$ROOT/build" -j "$JOBS" || return 1
}

# Build every sample publication: PDFs and PNG previews. Keeps going after a
# failure so that one report lists every broken example.
build_examples() {
    local pubs=() pub name failed=()
    shopt -s nullglob
    pubs=("$ROOT"/examples/*/publication.yaml)
    shopt -u nullglob
    if ((${#pubs[@]} == 0)); then
        log "No examples/*/publication.yaml to build"
        return 0
    fi
    mkdir -p "$ROOT/out"
    for pub in "${pubs[@]}"; do
        name=$(basename "$(dirname "$pub")")
        log "Building example $name"
        if ! "$ROOT/build/folio" build "$pub" -o "$ROOT/out/$name"; then
            failed+=("$name (build)")
            continue
        fi
        if ! "$ROOT/build/folio" preview "$pub" -o "$ROOT/out/$name/preview"; then
            failed+=("$name (preview)")
        fi
    done

    log "Outputs"
    echo "  folio binary: $ROOT/build/folio"
    for pub in "${pubs[@]}"; do
        name=$(basename "$(dirname "$pub")")
        echo "  $name: PDFs in out/$name/, PNG previews in out/$name/preview/"
        if [[ -d $ROOT/out/$name ]]; then
            (cd "$ROOT" && find "out/$name" -maxdepth 1 -name '*.pdf' | LC_ALL=C sort | sed 's/^/    /')
        fi
    done
    if ((${#failed[@]} > 0)); then
        printf 'build.sh: failed examples:\n' >&2
        printf '  %s\n' "${failed[@]}" >&2
        return 1
    fi
}

test_main() {
    log "Testing build/"
    ctest --test-dir "$ROOT/build" --output-on-failure -j "$JOBS"
}

asan_build_and_test() {
    # Explicit returns: this also runs where set -e is off (after ||).
    log "Configuring build-asan/ (AddressSanitizer + UBSan)"
    cmake --preset asan || return 1
    log "Compiling build-asan/ with $JOBS jobs"
    cmake --build --preset asan -j "$JOBS" || return 1
    log "Testing build-asan/"
    ctest --preset asan -j "$JOBS"
}

# Harnesses of tests/fuzz/ and, for each, the longest input libFuzzer makes:
# room for every construct of the format, short enough to keep a run in
# milliseconds (longer seeds are cut to it; the replay runs them whole).
FUZZERS=(yaml markup image template)
declare -A FUZZ_MAX_LEN=([yaml]=32768 [markup]=8192 [image]=65536 [template]=16384)

# Runs each harness for $1 seconds with its seeds, dictionary and the crashes
# found before. One process at a time, no -jobs/-workers: one core.
fuzz_build_and_run() {
    local secs=$1 h bin corpus crashes logf stamp status=0 found=() f
    log "Configuring build-fuzz/ (clang, libFuzzer, ASan + UBSan)"
    cmake --preset fuzz || return 1
    log "Compiling the fuzzers with $JOBS jobs"
    cmake --build --preset fuzz -j "$JOBS" --target "${FUZZERS[@]/#/fuzz_}" || return 1
    mkdir -p "$ROOT/build-fuzz/tmp" "$ROOT/build-fuzz/logs"
    stamp=$ROOT/build-fuzz/logs/.start
    touch "$stamp"
    for h in "${FUZZERS[@]}"; do
        bin=$ROOT/build-fuzz/tests/fuzz/fuzz_$h
        corpus=$ROOT/build-fuzz/corpus/$h
        crashes=$ROOT/tests/fuzz/crashes/$h
        logf=$ROOT/build-fuzz/logs/$h.log
        mkdir -p "$corpus" "$crashes"
        # The working corpus starts from the seeds (named after their paths:
        # several are called input.yaml) and keeps what earlier runs found.
        while IFS= read -r f; do
            [[ -n $f ]] || continue
            cp -f "$f" "$corpus/seed-$(tr / _ <<<"${f#"$ROOT"/}")"
        done <"$ROOT/build-fuzz/tests/fuzz/seeds-$h.txt"
        log "Fuzzing $h for ${secs}s (log: build-fuzz/logs/$h.log)"
        # New inputs go to the first folder; the crashes folder is read too,
        # so a crash found before and not fixed stops the run at once.
        if TMPDIR=$ROOT/build-fuzz/tmp \
            LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0" \
            ASAN_OPTIONS="strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1" \
            UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
            "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
            -max_len="${FUZZ_MAX_LEN[$h]}" -dict="$ROOT/tests/fuzz/$h.dict" \
            -artifact_prefix="$crashes/" -print_final_stats=1 \
            "$corpus" "$crashes" >"$logf" 2>&1; then
            grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done ' "$logf" | sed 's/^/  /'
        else
            status=1
            printf 'build.sh: fuzz_%s stopped on a finding; the end of its log:\n' "$h" >&2
            tail -n 40 "$logf" >&2
        fi
    done
    while IFS= read -r f; do found+=("$f"); done < <(cd "$ROOT" &&
        find tests/fuzz/crashes -type f -newer "$stamp" ! -name '.*' | LC_ALL=C sort)
    if ((${#found[@]} > 0)); then
        printf '\nbuild.sh: new crash inputs (commit them with the fix):\n' >&2
        printf '  %s\n' "${found[@]}" >&2
        status=1
    fi
    return $status
}

elapsed() {
    printf '\nbuild.sh: %s finished in %ds\n' "$1" "$SECONDS"
}

cmd=${1:-build}
if (($# > 2)) || { (($# == 2)) && [[ $cmd != fuzz ]]; }; then
    printf 'build.sh: one command at most (and SECONDS after fuzz)\n\n' >&2
    usage | sed "s/JOBS_DEFAULT/$JOBS/" >&2
    exit 2
fi

case $cmd in
-h | --help | help)
    usage | sed "s/JOBS_DEFAULT/$JOBS/"
    ;;
build)
    ensure_packages
    configure_main
    build_examples
    elapsed build
    ;;
test)
    ensure_packages
    configure_main
    status=0
    test_main || status=1
    asan_build_and_test || status=1
    if ((status != 0)); then
        printf '\nbuild.sh: tests FAILED (see the ctest output above)\n' >&2
    else
        printf '\nbuild.sh: all tests passed\n'
    fi
    elapsed test
    exit $status
    ;;
asan)
    ensure_packages
    asan_build_and_test
    elapsed asan
    ;;
fuzz)
    secs=${2:-60}
    if [[ ! $secs =~ ^[1-9][0-9]*$ ]]; then
        printf 'build.sh: fuzz SECONDS must be a whole number from 1, found %s\n' "$secs" >&2
        exit 2
    fi
    ensure_packages
    status=0
    fuzz_build_and_run "$secs" || status=1
    elapsed fuzz
    exit $status
    ;;
deps)
    ensure_packages
    ;;
deb)
    ensure_packages
    log "Configuring build-deb/ (Release, no tests)"
    cmake -S "$ROOT" -B "$ROOT/build-deb" -DCMAKE_BUILD_TYPE=Release -DFO_TESTS=OFF
    cmake --build "$ROOT/build-deb" -j "$JOBS"
    log "Packaging (CPack, DEB)"
    (cd "$ROOT/build-deb" && cpack -G DEB)
    log "Package: $(cd "$ROOT" && ls build-deb/folio_*.deb) (apt install ./build-deb/folio_*.deb)"
    ;;
format)
    ensure_packages
    find pipeline tests -type f \
        \( -path 'pipeline/*.c' -o -path 'pipeline/*.h' -o -path 'tests/*.c' \) \
        -not -path 'tests/golden/*' -print0 | xargs -0 -r clang-format -i
    ;;
clean)
    rm -rf "$ROOT/build" "$ROOT"/build-* "$ROOT/out"
    ;;
*)
    printf 'build.sh: unknown command: %s\n\n' "$cmd" >&2
    usage | sed "s/JOBS_DEFAULT/$JOBS/" >&2
    exit 2
    ;;
esac
