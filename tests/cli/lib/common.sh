#!/bin/bash
# Shared by the shell tests in tests/cli/, which source it first thing:
#   . "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
# It lives in lib/ because tests/CMakeLists.txt registers every cli/*.sh
# (not below) as a test. Sourcing it turns on set -u and checks that
# ctest gave the test FOLIO, SRC and WORK; the functions below are what
# the tests had each written again.
set -u
: "${FOLIO:?}" "${SRC:?}" "${WORK:?}"

# fail MESSAGE...: the test fails with "FAIL: MESSAGE".
fail() {
    echo "FAIL: $*"
    exit 1
}

# fresh_work: an empty $WORK, made the current folder (the test exits 1
# when that cannot be done).
fresh_work() {
    rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
}

# need_time: skips the test (exit 77) without /usr/bin/time, whose -v and
# -f reports the tests read (GNU time, not the shell's keyword).
need_time() {
    [ -x /usr/bin/time ] || {
        echo "skip: /usr/bin/time (Debian package time) not installed"
        exit 77
    }
}

# peak_kb FILE: the peak RSS in kB from /usr/bin/time -v's report in FILE
# (nothing when the report has none).
peak_kb() { sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1"; }

# tiny_yaml: writes tiny.yaml, a publication of one edition (en) and one
# paragraph, quick to build, for the tests that break a build around it.
tiny_yaml() {
    cat >tiny.yaml <<'YAML'
title: { en: "Tiny" }
slug: tiny
year: 2025
editions: [en]
sections:
  - title: { en: "One" }
    blocks:
      - p: { en: "A paragraph of the small publication, a line or two." }
YAML
}
