/* The private font set. fontconfig is given an empty configuration with
 * only our font folder in it and made current, so neither Pango's fallback
 * nor its substitution can reach a font installed on the machine.
 *
 * The font map is PangoFT2's (FreeType through fontconfig), not
 * pangocairo's: drawing is render's business, and nothing here needs
 * Cairo. Both are PangoFc font maps, so they make the same fontconfig
 * patterns and the same HarfBuzz fonts (advances, kerning and the
 * ascent/descent of fo_style_baseline all come from HarfBuzz at the
 * pattern's pixel size). Metrics are unhinted at 72 dpi (1 Pango point =
 * 1 PDF point) with glyph positions left unrounded, so the positions Pango
 * computes are the ones the PDF and the preview get. A change here that
 * moves a glyph shows in the display-list goldens (tests/golden) and in
 * the PDF and PNG hashes (cli.output_hashes). */
#include "typeset_private.h"

#include <fontconfig/fontconfig.h>
#include <harfbuzz/hb.h>
#include <pango/pangoft2.h>
#include <pango/pangofc-fontmap.h>
#include <pango/pangofc-font.h>
#include <stdlib.h>

/* A fontconfig rule: text whose language tag starts with lang falls back
 * to family after its own families. */
#define CJK_RULE(lang, family)                                                 \
    "<match target=\"pattern\"><test name=\"lang\" compare=\"contains\">"      \
    "<string>" lang "</string></test><edit name=\"family\" "                   \
    "mode=\"append\"><string>" family "</string></edit></match>"

/* Fallback per script: after a family, its companions for the scripts it
 * lacks (Lao, Khmer), so that serif text falls back to serif faces. */
#define SCRIPT_RULE(family, companions)                                        \
    "<match target=\"pattern\"><test name=\"family\"><string>" family          \
    "</string></test><edit name=\"family\" mode=\"append\">" companions        \
    "</edit></match>"

/* Every font pattern asks for no hinting, as Cairo's font options with
 * CAIRO_HINT_STYLE_NONE did (FC_HINTING false, FC_HINT_STYLE none, added
 * only where the pattern has none): Pango then treats each font as
 * unhinted and never rounds its glyph positions to whole pixels. */
static void unhinted(FcPattern *pat, gpointer data)
{
    (void)data;
    FcValue v;
    if (FcPatternGet(pat, FC_HINTING, 0, &v) == FcResultNoMatch)
        FcPatternAddBool(pat, FC_HINTING, FcFalse);
    if (FcPatternGet(pat, FC_HINT_STYLE, 0, &v) == FcResultNoMatch)
        FcPatternAddInteger(pat, FC_HINT_STYLE, FC_HINT_NONE);
}

fo_status fo_fonts_new(const char *fonts_dir, const char *extra_dir,
                       fo_diags *d, fo_fonts **out)
{
    *out = NULL;
    /* A cache folder, so our fonts are scanned once per machine, not once
     * per run: the user's (as fontconfig does by default), else the
     * system's, else one in /tmp — fontconfig uses the first it can write
     * and complains on stderr only when none is writable (a nightly job
     * may run with no HOME). */
    static const char conf[] = "<?xml version=\"1.0\"?><fontconfig>"
                               "<cachedir prefix=\"xdg\">fontconfig</cachedir>"
                               "<cachedir>/var/cache/fontconfig</cachedir>"
                               "<cachedir>/tmp/folio-fontconfig</cachedir>"
        /* Per-language fallback: Han characters take the forms of the
         * text's language. One Noto Sans CJK collection holds the faces;
         * without these rules fontconfig would pick its first face (JP)
         * for Chinese too. Appended: the style's own families stay first
         * (Latin in a Chinese text keeps the body font). */
        SCRIPT_RULE("Noto Serif", "<string>Noto Serif Lao</string>"
                                  "<string>Noto Serif Khmer</string>")
            SCRIPT_RULE("Noto Sans", "<string>Noto Sans Lao</string>"
                                     "<string>Noto Sans Khmer</string>")
                CJK_RULE("zh-hant", "Noto Sans CJK TC")
                    CJK_RULE("zh-tw", "Noto Sans CJK TC")
                        CJK_RULE("zh-hk", "Noto Sans CJK HK")
                            CJK_RULE("zh", "Noto Sans CJK SC")
                                CJK_RULE("ja", "Noto Sans CJK JP") CJK_RULE(
                                    "ko", "Noto Sans CJK KR") "</fontconfig>";
    FcConfig *cfg = FcConfigCreate();
    if (cfg)
        FcConfigParseAndLoadFromMemory(cfg, (const FcChar8 *)conf, FcFalse);
    if (!cfg || !FcConfigAppFontAddDir(cfg, (const FcChar8 *)fonts_dir)) {
        if (cfg)
            FcConfigDestroy(cfg);
        fo_error(d, (fo_pos){0}, "cannot read the font folder '%s'", fonts_dir);
        return FO_ERR_IO;
    }
    if (extra_dir && !FcConfigAppFontAddDir(cfg, (const FcChar8 *)extra_dir)) {
        FcConfigDestroy(cfg);
        fo_error(d, (fo_pos){0}, "cannot read the font folder '%s'", extra_dir);
        return FO_ERR_IO;
    }
    FcFontSet *set = FcConfigGetFonts(cfg, FcSetApplication);
    if (!set || set->nfont == 0) {
        FcConfigDestroy(cfg);
        fo_error(d, (fo_pos){0}, "no font in '%s'", fonts_dir);
        return FO_ERR_IO;
    }
    /* PangoFT2 substitutes through the current config (FcConfigSubstitute
     * with none given): make it ours so the system configuration is never
     * loaded. */
    FcConfigSetCurrent(cfg);

    fo_fonts *f = fo_xcalloc(1, sizeof *f);
    f->fc_config = cfg;
    f->fontmap = pango_ft2_font_map_new();
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(f->fontmap), cfg);
    pango_ft2_font_map_set_resolution(PANGO_FT2_FONT_MAP(f->fontmap), 72.0,
                                      72.0);
    pango_fc_font_map_set_default_substitute(PANGO_FC_FONT_MAP(f->fontmap),
                                             unhinted, NULL, NULL);
    f->ctx = pango_font_map_create_context(f->fontmap);
    pango_context_set_round_glyph_positions(f->ctx, FALSE);
    f->dl_fonts = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                        g_object_unref, free);
    *out = f;
    return FO_OK;
}

void fo_fonts_free(fo_fonts *f)
{
    if (!f)
        return;
    g_hash_table_destroy(f->dl_fonts);
    free(f->rec);
    g_object_unref(f->ctx);
    g_object_unref(f->fontmap);
    FcConfigDestroy((FcConfig *)f->fc_config);
    free(f);
}

void fo_fonts_begin_doc(fo_fonts *f)
{
    g_hash_table_remove_all(f->dl_fonts);
}

/* The memo's record of the fonts a paragraph's shaping looked up. */
static void record(fo_fonts *f, int dl_font)
{
    if (!f->recording)
        return;
    for (size_t i = 0; i < f->rec_n; i++)
        if (f->rec[i] == dl_font)
            return;
    fo_grow((void **)&f->rec, sizeof *f->rec, &f->rec_cap, f->rec_n + 1);
    f->rec[f->rec_n++] = dl_font;
}

fo_font_info fo_fonts_lookup(fo_fonts *f, fo_dl_doc *doc, PangoFont *font)
{
    fo_font_info *fi = g_hash_table_lookup(f->dl_fonts, font);
    if (fi) {
        record(f, fi->dl_font);
        return *fi;
    }
    FcPattern *pat = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
    FcChar8 *file = NULL, *psname = NULL;
    int index = 0;
    double px = 0;
    FcPatternGetString(pat, FC_FILE, 0, &file);
    FcPatternGetInteger(pat, FC_INDEX, 0, &index);
    FcPatternGetString(pat, FC_POSTSCRIPT_NAME, 0, &psname);
    FcPatternGetDouble(pat, FC_PIXEL_SIZE, 0, &px);
    hb_font_t *hb = pango_font_get_hb_font(font);
    int upem = (int)hb_face_get_upem(hb_font_get_face(hb));
    fi = fo_xmalloc(sizeof *fi);
    fi->dl_font = fo_dl_doc_font(doc, (const char *)file, index & 0xFFFF,
                                 (const char *)psname, upem);
    fi->size = px;
    g_hash_table_insert(f->dl_fonts, g_object_ref(font), fi);
    record(f, fi->dl_font);
    return *fi;
}

PangoFont *fo_fonts_pango_font(fo_fonts *f, int dl)
{
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, f->dl_fonts);
    while (g_hash_table_iter_next(&it, &key, &val))
        if (((fo_font_info *)val)->dl_font == dl)
            return key;
    return NULL;
}
