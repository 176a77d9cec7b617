/* Colour management shared by both renderers: sRGB to and from a CMYK
 * output profile with LittleCMS (perceptual intent, black-point
 * compensation). The PDF writer converts images for the print profile
 * with it; the PNG renderer's soft proof converts back through the same
 * transforms, so the preview shows what the print file holds. */
#ifndef FO_COLOR_H
#define FO_COLOR_H

#include "core/core.h"
#include "image/image.h"

typedef struct fo_cms fo_cms;

/* A converter between sRGB (srgb_icc, or LittleCMS's built-in sRGB when
 * NULL) and the CMYK profile cmyk_icc. Both paths are borrowed and must
 * outlive the converter; the profiles are read and the transforms made on
 * first use (a profile that cannot be read is reported then). NULL
 * (reported to d) when LittleCMS cannot start. Free with fo_cms_free.
 * Thread-safe: several threads may convert with one converter. */
fo_cms *fo_cms_new(const char *cmyk_icc, const char *srgb_icc, fo_diags *d);
void fo_cms_free(fo_cms *cms);

/* Replaces px's RGB samples by CMYK ones (comps 3 → 4) through the output
 * profile; FO_ERR_INPUT (reported) without a CMYK profile. */
FO_WUR fo_status fo_cms_to_cmyk(fo_cms *cms, fo_pixels *px, fo_diags *d);
/* Replaces px's CMYK samples by sRGB ones (comps 4 → 3). */
FO_WUR fo_status fo_cms_to_rgb(fo_cms *cms, fo_pixels *px, fo_diags *d);

#endif
