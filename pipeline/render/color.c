/* Colour management (color.h): LittleCMS runs in a context of its own
 * whose error handler keeps the message for the diagnostic, so no global
 * state is touched. sRGB → CMYK uses the perceptual intent with
 * black-point compensation, what prepress tools default to for
 * photographs; CMYK → sRGB (the soft proof) the same, so a colour goes
 * out and back through one pair of transforms. */
#include "color.h"

#include <lcms2.h>

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const fo_pos nopos = {NULL, 0, 0};

struct fo_cms {
    /* Transforms are made on first use, possibly by several of
     * pdf_image.c's threads at once: made under this lock, then used
     * without it (cmsDoTransform keeps no state in the transform). */
    pthread_mutex_t mu;
    const char *cmyk_icc, *srgb_icc; /* borrowed */
    cmsContext ctx;
    cmsHPROFILE srgb, cmyk;
    cmsHTRANSFORM to_cmyk, to_rgb;
    char msg[256]; /* LittleCMS's last error */
};

static void cms_log(cmsContext ctx, cmsUInt32Number code, const char *text)
{
    fo_cms *cms = cmsGetContextUserData(ctx);
    (void)code;
    if (cms && !cms->msg[0])
        (void)snprintf(cms->msg, sizeof cms->msg, "%s", text);
}

fo_cms *fo_cms_new(const char *cmyk_icc, const char *srgb_icc, fo_diags *d)
{
    fo_cms *cms = fo_xcalloc(1, sizeof *cms);
    cms->cmyk_icc = cmyk_icc;
    cms->srgb_icc = srgb_icc;
    (void)pthread_mutex_init(&cms->mu, NULL);
    cms->ctx = cmsCreateContext(NULL, cms);
    if (!cms->ctx) {
        fo_error(d, nopos, "LittleCMS: cannot create a context");
        (void)pthread_mutex_destroy(&cms->mu);
        free(cms);
        return NULL;
    }
    cmsSetLogErrorHandlerTHR(cms->ctx, cms_log);
    return cms;
}

void fo_cms_free(fo_cms *cms)
{
    if (!cms)
        return;
    if (cms->to_cmyk)
        cmsDeleteTransform(cms->to_cmyk);
    if (cms->to_rgb)
        cmsDeleteTransform(cms->to_rgb);
    if (cms->srgb)
        cmsCloseProfile(cms->srgb);
    if (cms->cmyk)
        cmsCloseProfile(cms->cmyk);
    cmsDeleteContext(cms->ctx);
    (void)pthread_mutex_destroy(&cms->mu);
    free(cms);
}

/* Opens the profile at path (or the built-in sRGB when path is NULL and
 * want is RGB) and checks its colour space. */
static cmsHPROFILE open_profile(fo_cms *cms, const char *path,
                                cmsColorSpaceSignature want, fo_diags *d)
{
    cmsHPROFILE p;
    if (!path && want == cmsSigRgbData) {
        p = cmsCreate_sRGBProfileTHR(cms->ctx);
    } else if (!path) {
        fo_error(d, nopos, "the print profile needs a CMYK output profile");
        return NULL;
    } else {
        p = cmsOpenProfileFromFileTHR(cms->ctx, path, "r");
    }
    if (!p) {
        fo_error(d, nopos, "%s: cannot read the ICC profile%s%s",
                 path ? path : "sRGB", cms->msg[0] ? ": " : "", cms->msg);
        return NULL;
    }
    if (cmsGetColorSpace(p) != want) {
        fo_error(d, nopos, "%s: not an %s ICC profile", path,
                 want == cmsSigRgbData ? "RGB" : "CMYK");
        cmsCloseProfile(p);
        return NULL;
    }
    return p;
}

static int load_profiles(fo_cms *cms, fo_diags *d)
{
    if (!cms->srgb)
        cms->srgb = open_profile(cms, cms->srgb_icc, cmsSigRgbData, d);
    if (cms->srgb && !cms->cmyk)
        cms->cmyk = open_profile(cms, cms->cmyk_icc, cmsSigCmykData, d);
    return cms->srgb && cms->cmyk;
}

static fo_status convert(fo_cms *cms, fo_pixels *px, int to_cmyk, fo_diags *d)
{
    (void)pthread_mutex_lock(&cms->mu);
    if (!load_profiles(cms, d)) {
        (void)pthread_mutex_unlock(&cms->mu);
        return FO_ERR_INPUT;
    }
    cmsHTRANSFORM *t = to_cmyk ? &cms->to_cmyk : &cms->to_rgb;
    /* NOCACHE: LittleCMS otherwise compares every pixel with the one
     * before to reuse its result, which photographs seldom allow: 6 % of
     * the transform's instructions on a 1 Mpx photo-like image, and the
     * same output bytes (the cache only repeats what evaluating gives). */
    const cmsUInt32Number flags =
        cmsFLAGS_BLACKPOINTCOMPENSATION | cmsFLAGS_NOCACHE;
    if (!*t) {
        *t = to_cmyk ? cmsCreateTransformTHR(cms->ctx, cms->srgb, TYPE_RGB_8,
                                             cms->cmyk, TYPE_CMYK_8,
                                             INTENT_PERCEPTUAL, flags)
                     : cmsCreateTransformTHR(cms->ctx, cms->cmyk, TYPE_CMYK_8,
                                             cms->srgb, TYPE_RGB_8,
                                             INTENT_PERCEPTUAL, flags);
        if (!*t) {
            fo_error(d, nopos, "LittleCMS: cannot make a transform: %s",
                     cms->msg);
            (void)pthread_mutex_unlock(&cms->mu);
            return FO_ERR_LIBRARY;
        }
    }
    (void)pthread_mutex_unlock(&cms->mu);
    int oc = to_cmyk ? 4 : 3;
    size_t npx = (size_t)px->w * (size_t)px->h;
    unsigned char *o = fo_xmalloc(npx * (size_t)oc + 1);
    /* In slices: cmsDoTransform counts pixels in 32 bits. */
    const size_t slice = (size_t)1 << 20;
    for (size_t i = 0; i < npx; i += slice) {
        size_t n = npx - i < slice ? npx - i : slice;
        cmsDoTransform(*t, px->data + i * (size_t)px->comps, o + i * (size_t)oc,
                       (cmsUInt32Number)n);
    }
    free(px->data);
    px->data = o;
    px->comps = oc;
    return FO_OK;
}

fo_status fo_cms_to_cmyk(fo_cms *cms, fo_pixels *px, fo_diags *d)
{
    assert(px->comps == 3);
    return convert(cms, px, 1, d);
}

fo_status fo_cms_to_rgb(fo_cms *cms, fo_pixels *px, fo_diags *d)
{
    assert(px->comps == 4);
    return convert(cms, px, 0, d);
}
