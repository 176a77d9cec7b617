#!/usr/bin/env bash
# clang-tidy (with the repository's .clang-tidy) over every pipeline/**/*.c,
# using the compile commands of the build under test (BUILD, set by
# tests/CMakeLists.txt). Runs only in a build without sanitizers: the checks
# do not depend on them, and one run per CI is enough. Exit 77 = skipped.
set -euo pipefail
: "${SRC:?SRC must point at the source tree}"
: "${BUILD:?BUILD must point at the CMake build folder}"
: "${WORK:?WORK must point at a scratch folder}"

if grep -q '^FO_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "tidy.sh: skipped in the sanitizer build"
    exit 77
fi
CLANG_TIDY=${CLANG_TIDY:-$(command -v clang-tidy-14 || command -v clang-tidy || true)}
if [[ -z $CLANG_TIDY ]]; then
    echo "tidy.sh: clang-tidy not found (apt-get install clang-tidy)" >&2
    exit 1
fi
if [[ ! -f $BUILD/compile_commands.json ]]; then
    echo "tidy.sh: $BUILD/compile_commands.json missing (CMAKE_EXPORT_COMPILE_COMMANDS)" >&2
    exit 1
fi

# Each pipeline source is compiled twice (its stage's library
# fo_stage_<stage>, and fo_stage_<stage>_unit for the unit tests);
# clang-tidy would check both commands. Keep one: the library's and the
# CLI's.
mkdir -p "$WORK"
python3 - "$BUILD/compile_commands.json" "$WORK/compile_commands.json" <<'PY'
import json, re, sys
keep = re.compile(r'CMakeFiles/(fo_stage_[a-z]+|folio)\.dir/')
entries = json.load(open(sys.argv[1]))
out = [e for e in entries
       if keep.search(e.get('output', '') + ' ' + e.get('command', ' '.join(e.get('arguments', []))))]
json.dump(out, open(sys.argv[2], 'w'), indent=1)
PY

cd "$SRC"
mapfile -t files < <(find pipeline -type f -name '*.c' | LC_ALL=C sort)
if ((${#files[@]} == 0)); then
    echo "tidy.sh: no C files under $SRC/pipeline" >&2
    exit 1
fi

# A file not in the compile database (added since the last configure) gets
# flagged rather than checked with guessed flags.
missing=()
checked=()
for f in "${files[@]}"; do
    if grep -qF "\"$SRC/$f\"" "$WORK/compile_commands.json"; then
        checked+=("$f")
    else
        missing+=("$f")
    fi
done

logs=$WORK/logs
rm -rf "$logs"
mkdir -p "$logs"
export CLANG_TIDY WORK logs
# One clang-tidy per file, two at a time (CI has two cores). Each file's
# output goes to its own log so the report is not interleaved.
if ((${#checked[@]} > 0)); then
    printf '%s\0' "${checked[@]}" | xargs -0 -r -P2 -n1 bash -c '
        f=$1
        log=$logs/$f.log
        mkdir -p "${log%/*}"
        if "$CLANG_TIDY" --quiet -p "$WORK" "$f" >"$log" 2>&1; then
            rm -f "$log"
        fi
        exit 0' _
fi

mapfile -t failed < <(find "$logs" -type f -name '*.log' | LC_ALL=C sort)
if ((${#failed[@]} > 0 || ${#missing[@]} > 0)); then
    # Drop clang's per-file "N warnings generated." counts: they count the
    # warnings suppressed in system headers and are noise here.
    for log in "${failed[@]}"; do
        grep -Ev '^[0-9]+ warnings? generated\.$' "$log" || true
    done
    echo >&2
    if ((${#failed[@]} > 0)); then
        echo "tidy.sh: clang-tidy findings in ${#failed[@]} of ${#checked[@]} files:" >&2
        for log in "${failed[@]}"; do
            name=${log#"$logs"/}
            echo "  ${name%.log}" >&2
        done
    fi
    if ((${#missing[@]} > 0)); then
        echo "tidy.sh: not in compile_commands.json (re-run cmake):" >&2
        printf '  %s\n' "${missing[@]}" >&2
    fi
    exit 1
fi
echo "tidy.sh: ${#checked[@]} files clean"
