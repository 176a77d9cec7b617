#!/usr/bin/env bash
# The JSON report (--report, docs/report.md): every report made here
# validates against docs/report.schema.json, and says what happened:
#  - a good build lists each edition's PDFs with the size and SHA-256 of
#    the files on disk, and exit_status 0;
#  - a build that fails on the preflight (--strict turns its warnings,
#    the print resolution ones among them, into errors) has exit_status 1,
#    no output, and one finding per printed error, each with its rule,
#    file, line, column, page and edition;
#  - `check --report` lists warnings too (the resolution rule) and every
#    profile, with no output;
#  - build -j 2 gathers its jobs' parts into one report: the same outputs
#    (size, SHA-256) as the one-process build, and every job's findings;
#  - a publication that does not load still gets a report (rule null).
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
cd "$SRC" || exit 1
python3 -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema not installed"

validate() { # report.json
    python3 - "$1" "$SRC/docs/report.schema.json" <<'PY' || fail "$1 does not validate against the schema"
import json, sys, jsonschema
report = json.load(open(sys.argv[1], encoding="utf-8"))
schema = json.load(open(sys.argv[2], encoding="utf-8"))
jsonschema.Draft202012Validator(schema).validate(report)
PY
}

# 1. A good build.
b=examples/nam-dinh-brochure/publication.yaml
"$FOLIO" build "$b" -o "$WORK/good" --report "$WORK/good.json" >/dev/null 2>"$WORK/good.err" ||
    fail "the brochure's build failed: $(cat "$WORK/good.err")"
validate "$WORK/good.json"
python3 - "$WORK/good.json" "$WORK/good" <<'PY' || fail "the good build's report is wrong"
import hashlib, json, os, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["command"] == "build" and r["exit_status"] == 0, r
assert [e["edition"] for e in r["editions"]] == ["vi", "en"], r["editions"]
listed = set()
for e in r["editions"]:
    assert e["pages"] > 0
    assert sorted(p["profile"] for p in e["profiles"]) == ["print", "screen"], e
    for p in e["profiles"]:
        o = p["output"]
        data = open(o["path"], "rb").read()
        assert o["bytes"] == len(data), o
        assert o["sha256"] == hashlib.sha256(data).hexdigest(), o
        listed.add(os.path.basename(o["path"]))
on_disk = {f for f in os.listdir(sys.argv[2]) if f.endswith(".pdf")}
assert listed == on_disk, (listed, on_disk)
assert r["timings"]["total_s"] > 0
PY

# 2. A build the preflight stops.
y=examples/nam-dinh/publication.yaml
"$FOLIO" build "$y" --edition vi --strict -o "$WORK/strict" \
    --report "$WORK/strict.json" >/dev/null 2>"$WORK/strict.err"
rc=$?
[ "$rc" = 1 ] || fail "--strict build exit $rc, expected 1"
[ -z "$(ls -A "$WORK/strict" 2>/dev/null)" ] || fail "--strict left output: $(ls "$WORK/strict")"
validate "$WORK/strict.json"
n=$(grep -c ': error: ' "$WORK/strict.err")
[ "$n" -gt 0 ] || fail "no error printed by the --strict build"
python3 - "$WORK/strict.json" "$n" <<'PY' || fail "the failed build's report is wrong"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["exit_status"] == 1 and r["errors"] == int(sys.argv[2]), r
errs = [f for f in r["findings"] if f["severity"] == "error"]
assert len(errs) == int(sys.argv[2]), errs
assert any(f["rule"] == "resolution" for f in errs), errs
for f in errs:
    assert f["rule"], f
    assert f["file"].startswith("examples/nam-dinh/"), f
    assert f["line"] >= 1 and f["column"] >= 1 and f["page"] >= 1, f
    assert f["edition"] == "vi", f
for e in r["editions"]:
    for p in e["profiles"]:
        assert p["output"] is None, p
PY

# 3. check --report: warnings and every profile, nothing written.
"$FOLIO" check "$y" --edition vi --report "$WORK/check.json" >"$WORK/check.out" \
    2>"$WORK/check.err" || fail "check exit $?: $(cat "$WORK/check.err")"
validate "$WORK/check.json"
w=$(grep -c ': warning: image' "$WORK/check.err")
[ "$w" -gt 0 ] || fail "check printed no resolution warning"
python3 - "$WORK/check.json" "$w" <<'PY' || fail "check's report is wrong"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["command"] == "check" and r["exit_status"] == 0, r
ws = [f for f in r["findings"] if f["rule"] == "resolution"]
assert len(ws) == int(sys.argv[2]) and all(f["severity"] == "warning" for f in ws), ws
(e,) = r["editions"]
assert sorted(p["profile"] for p in e["profiles"]) == ["archive", "print", "screen"], e
assert all(p["output"] is None for p in e["profiles"])
PY

# 4. build -j 2: the jobs' parts in one report, the same as -j 1's.
"$FOLIO" build "$b" -o "$WORK/jobs" -j 2 --report "$WORK/jobs.json" \
    >/dev/null 2>&1 || fail "the brochure's build -j 2 failed"
validate "$WORK/jobs.json"
"$FOLIO" build examples/nam-dinh-booklet/publication.yaml -o "$WORK/jobs-strict" \
    -j 2 --strict --report "$WORK/jobs-strict.json" >/dev/null 2>"$WORK/jobs-strict.err"
[ $? = 1 ] || fail "build -j 2 --strict of the booklet did not exit 1"
validate "$WORK/jobs-strict.json"
python3 - "$WORK/good.json" "$WORK/jobs.json" "$WORK/jobs-strict.json" \
    "$(grep -c ': error: ' "$WORK/jobs-strict.err")" <<'PY' || fail "build -j's report is wrong"
import json, sys
one, many, strict = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:4])
def outputs(r):
    return sorted((e["edition"], p["profile"], e["pages"], p["output"]["sha256"],
                   p["output"]["bytes"]) for e in r["editions"] for p in e["profiles"])
assert outputs(one) == outputs(many), (outputs(one), outputs(many))
assert many["exit_status"] == 0 and many["findings"] == [], many
assert strict["exit_status"] == 1 and strict["errors"] == int(sys.argv[4]) > 0, strict
eds = sorted(f["edition"] for f in strict["findings"] if f["severity"] == "error")
assert eds == ["en", "fr", "vi"], eds
for e in strict["editions"]:
    assert all(p["output"] is None for p in e["profiles"]), e
PY

# 5. A publication that does not load.
"$FOLIO" build tests/errors/bad-syntax.yaml -o "$WORK/bad" \
    --report "$WORK/bad.json" >/dev/null 2>&1
[ $? = 1 ] || fail "bad-syntax.yaml did not exit 1"
validate "$WORK/bad.json"
python3 - "$WORK/bad.json" <<'PY' || fail "the load failure's report is wrong"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["exit_status"] == 1 and r["editions"] == [], r
assert r["findings"] and all(f["rule"] is None for f in r["findings"]), r
PY
echo "report: good build, preflight failure, check and load failure reports validate"
