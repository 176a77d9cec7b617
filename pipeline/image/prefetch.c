/* Probing a publication's images on a thread of its own while layout runs.
 *
 * A probe reads the whole file and checks it (image.c): for a JPEG, every
 * DCT coefficient. Layout needs only the result, when it reaches the
 * figure; so a thread probes the images in the order the content names
 * them, and layout takes each result when it needs it, probing an image
 * itself if the thread has not started it. The results are those of
 * fo_image_probe whoever made them: the output does not depend on the
 * thread. */
#include "prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { WAITING, PROBING, DONE };

typedef struct entry {
    char *path;
    int state;
    fo_status st;
    fo_image_info info;
    char why[160];
} entry;

struct fo_image_prefetch {
    entry *e;
    size_t n;
    size_t next; /* first entry the thread has not looked at */
    int stop;
    int threaded;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void probe_entry(entry *e)
{
    e->st = fo_image_probe(e->path, &e->info, e->why, sizeof e->why);
}

static void *run(void *arg)
{
    fo_image_prefetch *pf = arg;
    (void)pthread_mutex_lock(&pf->mu);
    while (!pf->stop && pf->next < pf->n) {
        entry *e = &pf->e[pf->next++];
        if (e->state != WAITING)
            continue;
        e->state = PROBING;
        (void)pthread_mutex_unlock(&pf->mu);
        probe_entry(e);
        (void)pthread_mutex_lock(&pf->mu);
        e->state = DONE;
        (void)pthread_cond_broadcast(&pf->cv);
    }
    (void)pthread_mutex_unlock(&pf->mu);
    return NULL;
}

fo_image_prefetch *fo_image_prefetch_start(const char *const *paths, size_t n)
{
    fo_image_prefetch *pf = fo_xcalloc(1, sizeof *pf);
    pf->e = fo_xcalloc(n ? n : 1, sizeof *pf->e);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0; /* each path once */
        while (k < pf->n && strcmp(pf->e[k].path, paths[i]) != 0)
            k++;
        if (k == pf->n)
            pf->e[pf->n++].path = fo_xstrdup(paths[i]);
    }
    (void)pthread_mutex_init(&pf->mu, NULL);
    (void)pthread_cond_init(&pf->cv, NULL);
    /* one core (or FOLIO_THREADS=1): nothing to gain, the caller probes */
    if (fo_threads() > 1 && pf->n > 0)
        pf->threaded = pthread_create(&pf->thread, NULL, run, pf) == 0;
    return pf;
}

fo_status fo_image_prefetch_probe(fo_image_prefetch *pf, const char *path,
                                  fo_image_info *info, char *why,
                                  size_t why_len)
{
    entry *e = NULL;
    for (size_t k = 0; pf && k < pf->n && !e; k++)
        if (strcmp(pf->e[k].path, path) == 0)
            e = &pf->e[k];
    if (!e)
        return fo_image_probe(path, info, why, why_len);
    (void)pthread_mutex_lock(&pf->mu);
    if (e->state == WAITING) {
        e->state = PROBING;
        (void)pthread_mutex_unlock(&pf->mu);
        probe_entry(e);
        (void)pthread_mutex_lock(&pf->mu);
        e->state = DONE;
    }
    while (e->state != DONE)
        (void)pthread_cond_wait(&pf->cv, &pf->mu);
    (void)pthread_mutex_unlock(&pf->mu);
    *info = e->info;
    if (why && why_len) {
        size_t l = strlen(e->why);
        l = l < why_len - 1 ? l : why_len - 1;
        memcpy(why, e->why, l);
        why[l] = 0;
    }
    return e->st;
}

void fo_image_prefetch_free(fo_image_prefetch *pf)
{
    if (!pf)
        return;
    if (pf->threaded) {
        (void)pthread_mutex_lock(&pf->mu);
        pf->stop = 1;
        (void)pthread_mutex_unlock(&pf->mu);
        (void)pthread_join(pf->thread, NULL);
    }
    for (size_t i = 0; i < pf->n; i++)
        free(pf->e[i].path);
    free(pf->e);
    (void)pthread_mutex_destroy(&pf->mu);
    (void)pthread_cond_destroy(&pf->cv);
    free(pf);
}
