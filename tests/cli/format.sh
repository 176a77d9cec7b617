#!/usr/bin/env bash
# Every C source and header in pipeline/ and every C file in tests/ is
# formatted as .clang-format says (clang-format 14). On failure, lists the
# files to reformat and the command that fixes them.
set -euo pipefail
: "${SRC:?SRC must point at the source tree}"

# A check of the sources, not of the build: run it once per CI, in the build
# without sanitizers (exit 77 = skipped).
if [[ -n ${BUILD:-} ]] && grep -q '^FO_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "format.sh: skipped in the sanitizer build"
    exit 77
fi
cd "$SRC"

CLANG_FORMAT=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
if [[ -z $CLANG_FORMAT ]]; then
    echo "format.sh: clang-format not found (apt-get install clang-format)" >&2
    exit 1
fi

mapfile -t files < <(find pipeline tests -type f \
    \( -path 'pipeline/*.c' -o -path 'pipeline/*.h' -o -path 'tests/*.c' \) \
    -not -path 'tests/golden/*' | LC_ALL=C sort)
if ((${#files[@]} == 0)); then
    echo "format.sh: no C files found under $SRC/pipeline" >&2
    exit 1
fi

bad=()
for f in "${files[@]}"; do
    if ! "$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1; then
        bad+=("$f")
    fi
done

if ((${#bad[@]} > 0)); then
    echo "format.sh: ${#bad[@]} of ${#files[@]} files are not clang-format clean:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    echo "fix with: clang-format -i ${bad[*]}" >&2
    exit 1
fi
echo "format.sh: ${#files[@]} files clean"
