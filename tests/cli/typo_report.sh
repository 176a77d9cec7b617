#!/usr/bin/env bash
# The typographic report on the benchmark yearbook (40 sections, vi and
# en): folio's Knuth–Plass lines against greedy PangoLayout, with the
# justification issue's targets checked (fo_typo_report --check: vi ≤ 20 %
# and en ≤ 25 % of lines with spaces beyond 1.5×, each at most half of
# greedy's share). The figures are printed whatever the verdict.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
. "$SRC/tests/typo/bench_pub.sh"
report="${FO_TYPO_REPORT:-$BUILD/tests/fo_typo_report}"
if [ ! -x "$report" ]; then
    echo "FAIL: $report not built (target fo_typo_report)"
    exit 1
fi
bench_pub
"$report" "$WORK/gen/bench.yaml" --check
