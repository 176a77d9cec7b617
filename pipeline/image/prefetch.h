/* image/prefetch — the probes of a publication's images (fo_image_probe),
 * made on a thread of their own ahead of layout, which takes each result
 * when it reaches the image. Same results as probing in place. */
#ifndef FO_IMAGE_PREFETCH_H
#define FO_IMAGE_PREFETCH_H

#include "image.h"

typedef struct fo_image_prefetch fo_image_prefetch;

/* Starts probing paths (copied; repeats probed once) in their order, on a
 * thread when the machine has more than one core. */
fo_image_prefetch *fo_image_prefetch_start(const char *const *paths, size_t n);

/* fo_image_probe(path, …), taken from the thread's work (waiting for it
 * if it is probing that image, probing here if it has not started it);
 * a path not in the list, or pf NULL, is probed here. */
FO_WUR fo_status fo_image_prefetch_probe(fo_image_prefetch *pf,
                                         const char *path, fo_image_info *info,
                                         char *why, size_t why_len);

/* Stops the thread (after the probe it is making) and frees everything. */
void fo_image_prefetch_free(fo_image_prefetch *pf);

#endif
