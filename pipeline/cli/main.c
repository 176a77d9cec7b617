/* folio's command line: a table of subcommands, each a function taking
 * argc/argv. Exit codes: 0 done, 1 the input has errors (or an output could
 * not be written), 2 bad usage. Diagnostics go to stderr in the compiler
 * format; nothing is written unless every edition laid out without error,
 * and every output is written under a temporary name and renamed. */
#define _XOPEN_SOURCE 700
#include "dlist/dlist.h"
#include "model/model.h"
#include "model/template.h"
#include "render/render.h"
#include "typeset/typeset.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

static const char USAGE[] =
    "usage: folio build   PUB.yaml [-o DIR] [--edition LANG|all]\n"
    "                     [--profile print|screen|archive|all] [--strict]\n"
    "                     [--dump]\n"
    "       folio preview PUB.yaml [-o DIR] [--edition LANG|all] [--dpi N]\n"
    "       folio dump    PUB.yaml [--edition LANG]\n"
    "       folio check   PUB.yaml\n"
    "       folio --help | --version\n";

typedef struct opts {
    const char *pub;
    const char *out_dir;
    const char *edition; /* NULL or "all": every edition */
    double dpi;
    int dump;
    int profiles; /* bit set of fo_profile values to write (build) */
    int strict;   /* warnings are errors */
} opts;

static const char *const PROFILE_NAMES[] = {"print", "screen", "archive"};

static int usage_error(const char *fmt, ...) FO_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)fprintf(stderr, "folio: ");
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fprintf(stderr, "\n%s", USAGE);
    return EXIT_USAGE;
}

/* Parses "PUB.yaml [options]" for subcommand cmd. */
static int parse_opts(const char *cmd, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "out";
    o->dpi = 96;
    o->profiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!has_val)
                return usage_error("%s needs a folder", a);
            o->out_dir = argv[++i];
        } else if (strcmp(a, "--edition") == 0) {
            if (!has_val)
                return usage_error("%s needs a language tag or 'all'", a);
            o->edition = argv[++i];
        } else if (strcmp(a, "--dpi") == 0 && strcmp(cmd, "preview") == 0) {
            if (!has_val)
                return usage_error("%s needs a number", a);
            char *end;
            o->dpi = strtod(argv[++i], &end);
            if (*end || o->dpi < 10 || o->dpi > 1200)
                return usage_error("--dpi takes a number from 10 to 1200, "
                                   "not '%s'",
                                   argv[i]);
        } else if (strcmp(a, "--dump") == 0 && strcmp(cmd, "build") == 0) {
            o->dump = 1;
        } else if (strcmp(a, "--strict") == 0) {
            o->strict = 1;
        } else if (strcmp(a, "--profile") == 0 && strcmp(cmd, "build") == 0) {
            if (!has_val)
                return usage_error("%s needs print, screen, archive or all", a);
            const char *v = argv[++i];
            int found = strcmp(v, "all") == 0 ? 7 : 0;
            for (int k = 0; k < 3; k++)
                if (strcmp(v, PROFILE_NAMES[k]) == 0)
                    found = 1 << k;
            if (!found)
                return usage_error("--profile takes print, screen, archive "
                                   "or all, not '%s'",
                                   v);
            o->profiles |= found;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (!o->pub) {
            o->pub = a;
        } else {
            return usage_error("one publication at a time ('%s' is extra)", a);
        }
    }
    if (!o->pub)
        return usage_error("%s: which publication? (a .yaml file)", cmd);
    if (o->profiles == 0)
        o->profiles = 1 << FO_PROFILE_PRINT;
    return 0;
}

static const char *data_dir(void)
{
    const char *env = getenv("FOLIO_DATA_DIR");
    return env && *env ? env : FO_DATA_DIR;
}

/* Creation date of the PDFs: SOURCE_DATE_EPOCH when set (reproducible
 * builds), else 1 January of the publication's year, so that a build is
 * byte-identical whatever the clock says. */
static long long build_epoch(const fo_pub *pub, fo_diags *d)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s && *s) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*end && errno == 0 && v >= 0)
            return v;
        fo_warning(d, (fo_pos){0},
                   "SOURCE_DATE_EPOCH='%s' is not a number of seconds; "
                   "ignored",
                   s);
    }
    /* Days from 1970-01-01 to 1 January of year y (proleptic Gregorian). */
    long long y = (pub->year > 0 ? pub->year : 2000) - 1;
    long long days = 365 * (y - 1969) + (y / 4 - 1969 / 4) -
                     (y / 100 - 1969 / 100) + (y / 400 - 1969 / 400);
    return days * 86400;
}

static int make_dir(const char *dir, fo_diags *d)
{
    char *p = fo_xstrdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        mkdir(p, 0777);
        *s = '/';
    }
    int ok = mkdir(p, 0777) == 0 || errno == EEXIST;
    free(p);
    if (!ok)
        fo_error(d, (fo_pos){0}, "cannot create the folder '%s': %s", dir,
                 strerror(errno));
    return ok;
}

/* Loads the publication and lays out the chosen editions. On success
 * docs[i] is the display list of edition i (NULL when not chosen). */
static int layout(const opts *o, fo_diags *d, fo_pub **pub_out,
                  fo_dl_doc **docs)
{
    fo_pub *pub = NULL;
    fo_status st = fo_pub_load(o->pub, d, &pub);
    if (st != FO_OK)
        return EXIT_INPUT;
    int only = -1;
    if (o->edition && strcmp(o->edition, "all") != 0) {
        only = fo_pub_edition(pub, o->edition);
        if (only < 0) {
            (void)fprintf(stderr, "folio: '%s' is not an edition of %s\n",
                          o->edition, o->pub);
            fo_pub_free(pub);
            return EXIT_USAGE;
        }
    }
    const fo_template *tmpl = NULL;
    if (fo_template_load(pub, data_dir(), pub->arena, d, &tmpl) != FO_OK) {
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    char *fonts_dir = fo_path_join(data_dir(), "fonts");
    fo_fonts *fonts = NULL;
    st = fo_fonts_new(fonts_dir, tmpl->fonts_dir, d, &fonts);
    free(fonts_dir);
    if (st != FO_OK) {
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    for (int e = 0; e < pub->neditions; e++) {
        docs[e] = NULL;
        if (only >= 0 && e != only)
            continue;
        /* Lay out every edition even after an error, to report them all. */
        if (fo_typeset(pub, e, tmpl, fonts, d, &docs[e]) != FO_OK)
            st = FO_ERR_INPUT;
    }
    fo_fonts_free(fonts);
    if (st != FO_OK || d->errors) {
        for (int e = 0; e < pub->neditions; e++)
            fo_dl_doc_free(docs[e]);
        fo_pub_free(pub);
        return EXIT_INPUT;
    }
    *pub_out = pub;
    return 0;
}

static void free_docs(fo_pub *pub, fo_dl_doc **docs)
{
    for (int e = 0; e < pub->neditions; e++)
        fo_dl_doc_free(docs[e]);
    fo_pub_free(pub);
}

/* Prints the display lists to out (stdout: the product of `dump` and of
 * `build --dump`). A failed write (a full disk, say) exits 1, not 0 with a
 * truncated dump: the first failure's errno is kept for the message, and
 * ferror() catches any failure that set none. */
static int dump_docs(const fo_pub *pub, fo_dl_doc **docs, FILE *out)
{
    int werr = 0;
    for (int e = 0; e < pub->neditions; e++) {
        if (!docs[e])
            continue;
        fo_buf b;
        fo_buf_init(&b, 0);
        if (fprintf(out, "edition %s\n", pub->editions[e]) < 0 && !werr)
            werr = errno;
        if (fo_dl_dump(docs[e], &b) != FO_OK) {
            fo_buf_free(&b);
            return EXIT_INPUT;
        }
        if (fwrite(b.data, 1, b.len, out) != b.len && !werr)
            werr = errno;
        fo_buf_free(&b);
    }
    if (fflush(out) != 0 && !werr)
        werr = errno;
    if (werr || ferror(out)) {
        (void)fprintf(stderr, "folio: cannot write the dump: %s\n",
                      werr ? strerror(werr) : "write error");
        return EXIT_INPUT;
    }
    return 0;
}

static int cmd_build(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("build", argc, argv, &o);
    if (rc)
        return rc;
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    rc = layout(&o, &d, &pub, docs);
    if (rc == 0 && make_dir(o.out_dir, &d)) {
        char *data = fo_xstrdup(data_dir());
        char *cmyk =
            fo_path_join(data, "assets/profiles/ISOcoated_v2_300_bas.icc");
        char *srgb = fo_path_join(data, "assets/profiles/sRGB.icc");
        for (int k = 0; k < 3 && rc == 0; k++) {
            if (!(o.profiles & (1 << k)))
                continue;
            fo_pdf_opts po = {.epoch = build_epoch(pub, &d),
                              .compress = 1,
                              .profile = (fo_profile)k,
                              .screen_ppi = 150,
                              .cmyk_icc = cmyk,
                              .srgb_icc = srgb};
            for (int e = 0; e < pub->neditions && rc == 0; e++) {
                if (!docs[e])
                    continue;
                char *name = fo_arena_printf(
                    pub->arena, "%s-%s%s%s.pdf", pub->slug, pub->editions[e],
                    k == FO_PROFILE_PRINT ? "" : "-",
                    k == FO_PROFILE_PRINT ? "" : PROFILE_NAMES[k]);
                char *path = fo_path_join(o.out_dir, name);
                if (fo_render_pdf(docs[e], path, &po, &d) != FO_OK)
                    rc = EXIT_INPUT;
                else
                    printf("%s: %zu pages\n", path, docs[e]->npages);
                free(path);
            }
        }
        free(cmyk);
        free(srgb);
        free(data);
        if (rc == 0 && o.dump)
            rc = dump_docs(pub, docs, stdout);
    } else if (rc == 0) {
        rc = EXIT_INPUT;
    }
    fo_diags_print(&d, stderr);
    if (pub)
        free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}

static int cmd_preview(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("preview", argc, argv, &o);
    if (rc)
        return rc;
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    rc = layout(&o, &d, &pub, docs);
    if (rc == 0 && make_dir(o.out_dir, &d)) {
        for (int e = 0; e < pub->neditions && rc == 0; e++) {
            if (!docs[e])
                continue;
            for (size_t p = 0; p < docs[e]->npages && rc == 0; p++) {
                char *name =
                    fo_arena_printf(pub->arena, "%s-%s-%03zu.png", pub->slug,
                                    pub->editions[e], p + 1);
                char *path = fo_path_join(o.out_dir, name);
                if (fo_render_png(docs[e], p, o.dpi, path, &d) != FO_OK)
                    rc = EXIT_INPUT;
                free(path);
            }
            if (rc == 0)
                printf("%s/%s-%s-*.png: %zu pages at %g dpi\n", o.out_dir,
                       pub->slug, pub->editions[e], docs[e]->npages, o.dpi);
        }
    } else if (rc == 0) {
        rc = EXIT_INPUT;
    }
    fo_diags_print(&d, stderr);
    if (pub)
        free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}

static int cmd_dump(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("dump", argc, argv, &o);
    if (rc)
        return rc;
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    rc = layout(&o, &d, &pub, docs);
    if (rc == 0)
        rc = dump_docs(pub, docs, stdout);
    fo_diags_print(&d, stderr);
    if (pub)
        free_docs(pub, docs);
    fo_diags_free(&d);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    opts o;
    int rc = parse_opts("check", argc, argv, &o);
    if (rc)
        return rc;
    fo_diags d;
    fo_diags_init(&d);
    fo_pub *pub = NULL;
    fo_dl_doc *docs[FO_MAX_EDITIONS] = {0};
    rc = layout(&o, &d, &pub, docs);
    fo_diags_print(&d, stderr);
    if (pub) {
        for (int e = 0; e < pub->neditions; e++)
            if (docs[e])
                printf("%s: %zu pages\n", pub->editions[e], docs[e]->npages);
        free_docs(pub, docs);
    }
    fo_diags_free(&d);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} COMMANDS[] = {
    {"build", cmd_build, "write one PDF per edition into DIR"},
    {"preview", cmd_preview, "write one PNG per page into DIR"},
    {"dump", cmd_dump, "print the page display list as text"},
    {"check", cmd_check, "load and lay out, report errors, write nothing"},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        (void)fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        (void)fputs(USAGE, stdout);
        puts("\ncommands:");
        for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
            printf("  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].help);
        puts("\nexit status: 0 done, 1 the input has errors, 2 bad usage");
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("folio 0.1.0");
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 2, argv + 2);
    return usage_error("unknown command '%s'", argv[1]);
}
