# Sourced by cli/typo_report.sh and cli/text_frame.sh: writes the benchmark
# yearbook (gen_content.py, 40 sections, seed 1) as $WORK/gen/{vi,en}-40.json
# and the folio publication $WORK/gen/bench.yaml (both editions), or exits
# 77 (skipped) when ../shared/bench is not beside the source tree.
#
# gen_content.py also renders the section images with ImageMagick, which
# takes ~50 s for 40 sections and has no switch to skip. folio does not
# place the figures (json_to_folio.py carries a figure as its caption) and
# the JSON does not depend on the image files (sizes come from the seed),
# so a stand-in `convert` on PATH writes empty files instead: same JSON,
# ~1 s.
bench_pub() {
    local gen="$SRC/../shared/bench/gen_content.py"
    if [ ! -f "$gen" ]; then
        echo "skipped: $gen not found"
        exit 77
    fi
    mkdir -p "$WORK/bin" "$WORK/gen"
    cat >"$WORK/bin/convert" <<'SH'
#!/bin/sh
for a; do last=$a; done
: >"$last"
SH
    chmod +x "$WORK/bin/convert"
    PATH="$WORK/bin:$PATH" python3 "$gen" --sections 40 --out "$WORK/gen" \
        2>"$WORK/gen/gen.log" || { cat "$WORK/gen/gen.log"; exit 1; }
    python3 "$SRC/tests/bench/json_to_folio.py" "$WORK/gen/vi-40.json" \
        "$WORK/gen/en-40.json" "$WORK/gen/bench.yaml"
}
