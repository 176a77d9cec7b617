/* Pixel work shared by both renderers: what the print profile does to an
 * image's samples (flatten alpha on white, grey as K only) and resampling.
 * The PDF writer stores the result; the PNG soft proof draws it. */
#ifndef FO_PIXELS_H
#define FO_PIXELS_H

#include "core/core.h"
#include "image/image.h"

/* Composites px on white and drops its alpha (no-op without alpha). */
void fo_pixels_flatten(fo_pixels *px);

/* Replaces px's grey samples (comps 1) by CMYK ones on K only (comps 4):
 * grey prints on black ink alone. */
void fo_pixels_grey_to_k(fo_pixels *px);

/* Resamples px (grey or RGB, with or without alpha, or CMYK without) to
 * w x h pixels with Cairo's GOOD filter (an area-averaging box filter
 * when shrinking). */
FO_WUR fo_status fo_pixels_resample(fo_pixels *px, int w, int h, fo_diags *d);

#endif
