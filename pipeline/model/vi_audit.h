/* vi_audit — the Vietnamese text audit of `folio check`: what the
 * publication's Vietnamese source text holds that reads well on screen but
 * is not what it seems. Warnings, each at FILE:LINE:COL of the source and
 * with its rule (fo_where.rule) for the report:
 *  - "vi-nfc": a line whose text is not in Unicode NFC (composed) form.
 *    folio composes every text when it reads it (fo_markup_parse, through
 *    ICU), so the output is right; the source is what search, diff and
 *    spell checkers see.
 *  - "vi-marks": tone marks written both as combining marks (decomposed)
 *    and as precomposed letters in one publication.
 *  - "vi-tone": tone marks on the open syllables oa, oe, uy placed both in
 *    the old style (hòa, khỏe, thủy: on the first vowel) and the new
 *    (hoà, khoẻ, thuỷ: on the second), or against `vi_tone_style`.
 *  - "vi-lookalike": a letter of another script (Cyrillic а, Greek ο)
 *    inside a word of Latin letters.
 * Vietnamese text is every text of a Vietnamese edition (a language tag
 * "vi" or "vi-…"): the values under that tag and the plain texts every
 * edition shares, but not those a block marks as another language
 * (`lang:`). */
#ifndef FO_VI_AUDIT_H
#define FO_VI_AUDIT_H

#include "model/model.h"

/* Audits pub (loaded without errors) as above, reading its files again;
 * findings go to d as warnings. Nothing when pub has no Vietnamese
 * edition. */
void fo_vi_audit(const fo_pub *pub, fo_diags *d);

/* The tone placement of one word (UTF-8, NFC, lower case): 0 when it has
 * none to choose (no tone, not an open oa/oe/uy syllable), else
 * FO_VI_TONE_OLD or FO_VI_TONE_NEW with *other (g_free'd by the caller)
 * the same word placed the other way. */
int fo_vi_tone_of(const char *word, char **other);

#endif
