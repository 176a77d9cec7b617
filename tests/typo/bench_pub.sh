# Sourced by cli/typo_report.sh and cli/text_frame.sh: writes the benchmark
# yearbook (gen_content.py, 40 sections, seed 1) as $WORK/gen/{vi,en}-40.json
# with its images in $WORK/gen/img/, and the folio publication
# $WORK/gen/bench.yaml (both editions, beside the JSON so that the figures'
# img/ paths stay inside the project folder), or exits 77 (skipped) when
# ../shared/bench is not beside the source tree.
#
# gen_content.py renders the section photos with ImageMagick, which takes
# ~50 s for 40 sections and has no switch to skip. The JSON does not depend
# on the image files (kinds and sizes come from the seed; checked: the JSON
# of a run with this stand-in is byte-identical to one with the real
# convert), so a stand-in `convert` on PATH copies a tiny valid image of the
# requested format instead, chosen by the output file's extension: the
# 32 x 24 baseline RGB JPEG or the 8-bit RGB PNG of tests/fixtures/images.
# folio probes every image it places and rejects an empty or broken one, so
# the copies must be real images; ~1 s. (The bar charts are PNGs the
# generator writes itself, at their real size.) The stand-ins are 4:3,
# while the JSON's photos are 3:2 or 4:3, so a photo figure may be a little
# taller than with the real images: the layout is not the benchmark's, the
# checks do not depend on it.
bench_pub() {
    local gen="$SRC/../shared/bench/gen_content.py"
    if [ ! -f "$gen" ]; then
        echo "skipped: $gen not found"
        exit 77
    fi
    mkdir -p "$WORK/bin" "$WORK/gen"
    local fix="$SRC/tests/fixtures/images"
    cat >"$WORK/bin/convert" <<SH
#!/bin/sh
# Stand-in for ImageMagick's convert (tests/typo/bench_pub.sh): the output
# file (the last argument) gets a tiny valid image of its format.
for a; do last=\$a; done
case "\$last" in
*.jpg | *.jpeg | *.JPG | *.JPEG) exec cp "$fix/baseline.jpg" "\$last" ;;
*.png | *.PNG) exec cp "$fix/rgb8.png" "\$last" ;;
*) echo "stand-in convert: no fixture for \$last" >&2; exit 1 ;;
esac
SH
    chmod +x "$WORK/bin/convert"
    PATH="$WORK/bin:$PATH" python3 "$gen" --sections 40 --out "$WORK/gen" \
        2>"$WORK/gen/gen.log" || { cat "$WORK/gen/gen.log"; exit 1; }
    python3 "$SRC/tests/bench/json_to_folio.py" "$WORK/gen/vi-40.json" \
        "$WORK/gen/en-40.json" "$WORK/gen/bench.yaml"
}
