#!/usr/bin/env bash
# The bundled fonts are exactly the files fonts/LICENSES.md lists: each
# listed file exists and has the listed SHA-256, and no font file in fonts/
# is missing from the list. Every golden depends on these bytes, so a
# changed font must be a deliberate edit of LICENSES.md as well.
set -euo pipefail
: "${SRC:?SRC must point at the source tree}"
cd "$SRC/fonts"

fail=0
listed=0
declare -A seen=()
# Table rows look like: | NotoSans-Regular.ttf | `<sha256>` | package | licence |
while IFS='|' read -r _ file sum _; do
    file=${file//[[:space:]]/}
    sum=${sum//[[:space:]\`]/}
    [[ $file =~ \.(ttf|otf|ttc)$ ]] || continue
    listed=$((listed + 1))
    seen[$file]=1
    if [[ ! -f $file ]]; then
        echo "fonts.sh: $file is listed in fonts/LICENSES.md but missing" >&2
        fail=1
        continue
    fi
    actual=$(sha256sum "$file" | cut -d' ' -f1)
    if [[ $actual != "$sum" ]]; then
        echo "fonts.sh: $file: SHA-256 is $actual, LICENSES.md says $sum" >&2
        fail=1
    fi
done < LICENSES.md

if ((listed == 0)); then
    echo "fonts.sh: no font rows found in fonts/LICENSES.md" >&2
    exit 1
fi

shopt -s nullglob
for f in *.ttf *.otf *.ttc; do
    if [[ -z ${seen[$f]:-} ]]; then
        echo "fonts.sh: $f is in fonts/ but not listed in fonts/LICENSES.md" >&2
        fail=1
    fi
done

[[ -s OFL.txt ]] || { echo "fonts.sh: fonts/OFL.txt is missing" >&2; fail=1; }

if ((fail == 0)); then
    echo "fonts.sh: $listed font files match fonts/LICENSES.md"
fi
exit $fail
