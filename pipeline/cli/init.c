/* `folio init` (init.h): a new publication, in DIR (default: the current
 * folder), that builds at once with the chosen template:
 *
 *   publication.yaml      the publication, its comments saying what each
 *                         key is for and how to build it
 *   sections/NN-NAME.yaml one file per part of the template's skeleton;
 *                         across them, each kind of block once, commented
 *   images/cover.png, images/figure.png
 *                         placeholders drawn by
 *                         assets/images/make_init_images.py (CC0), large
 *                         enough for print at 300 ppi
 *   README.md             for the editor: what to change, how to build
 *
 * Nothing is overwritten: when any of these files exists, init names it
 * and writes nothing. The templates offered are those installed (a folder
 * of data_dir/templates with a template.yaml), so that a template added
 * later is offered without a change here; the parts of the known ones
 * are chosen to fit them (the tri-fold's six panels), an unknown one gets
 * two general parts. */
#define _POSIX_C_SOURCE 200809L
#include "cli/init.h"
#include "cli/cli.h"
#include "cli/help.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cli_init_templates(const char *data_dir, size_t *n)
{
    *n = 0;
    char *dir = fo_path_join(data_dir, "templates");
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t cap = 0;
    struct dirent *ent;
    while (d && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char *sub = fo_path_join(dir, ent->d_name);
        char *file = fo_path_join(sub, "template.yaml");
        struct stat st;
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 8;
                names = fo_xrealloc(names, cap * sizeof *names);
            }
            names[(*n)++] = fo_xstrdup(ent->d_name);
        }
        free(file);
        free(sub);
    }
    if (d)
        (void)closedir(d);
    free(dir);
    if (*n)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

/* ---- the texts ----------------------------------------------------------
 * A placeholder text in each edition's language: Vietnamese and English
 * written out, any other language the English one marked for translation,
 * so that every edition has its text and the build succeeds. */

typedef struct text {
    const char *vi, *en;
} text;

typedef struct skel {
    FILE *f;
    char **langs;
    int nlangs;
} skel;

/* Writes t as a YAML mapping of one double-quoted text per edition (the
 * texts hold no quote or backslash). */
static void put_text(skel *s, const text *t)
{
    (void)fputs("{ ", s->f);
    for (int i = 0; i < s->nlangs; i++) {
        const char *l = s->langs[i];
        int vi = strcmp(l, "vi") == 0, en = strcmp(l, "en") == 0;
        (void)fprintf(s->f, "%s%s: \"%s%s\"", i ? ", " : "", l,
                      vi ? t->vi : t->en, vi || en ? "" : " (translate)");
    }
    (void)fputs(" }\n", s->f);
}

/* The kinds of block, each written once across the section files with a
 * comment saying what it is. */
static void block_h2(skel *s)
{
    (void)fputs("  # h2: a level-2 heading (h3: a level-3 one).\n  - h2: ",
                s->f);
    put_text(s, &(text){"Đôi lời giới thiệu", "A few words of welcome"});
}

static void block_p(skel *s)
{
    (void)fputs("  # p: a paragraph. **bold**, *italic*, [a link](https://"
                "example.org);\n  # a text is one per edition, as here, or "
                "one for every edition.\n  - p: ",
                s->f);
    put_text(s, &(text){"Đây là đoạn văn mẫu. Hãy thay bằng nội dung của "
                        "bạn, viết **đậm** hoặc *nghiêng* khi cần.",
                        "This is a sample paragraph. Replace it with your "
                        "own text, in **bold** or *italic* where needed."});
}

static void block_figure(skel *s)
{
    (void)fputs(
        "  # figure: an image (JPEG or PNG, its path relative to this file),\n"
        "  # with a caption and a credit. span: column, text or page.\n"
        "  - figure:\n      src: ../images/figure.png\n      caption: ",
        s->f);
    put_text(s, &(text){"Ảnh minh họa: thay bằng ảnh của bạn.",
                        "A placeholder: replace it with your picture."});
    (void)fputs("      credit: ", s->f);
    put_text(s, &(text){"Ảnh mẫu của folio (CC0)", "folio sample (CC0)"});
}

static void block_list(skel *s)
{
    (void)fputs("  # list: bullets, or numbered: true.\n  - list:\n"
                "      items:\n        - ",
                s->f);
    put_text(s, &(text){"Mục thứ nhất", "The first item"});
    (void)fputs("        - ", s->f);
    put_text(s, &(text){"Mục thứ hai", "The second item"});
}

static void block_facts(skel *s)
{
    (void)fputs("  # facts: key figures, a big value and its label (1 to "
                "12).\n  - facts:\n      - value: \"1,669 km²\"\n"
                "        label: ",
                s->f);
    put_text(s, &(text){"Diện tích", "Land area"});
    (void)fputs("      - value: \"90 km\"\n        label: ", s->f);
    put_text(s, &(text){"Đến Hà Nội", "To Hà Nội"});
}

static void block_table(skel *s)
{
    (void)fputs("  # table: columns (each with its head), then rows of "
                "cells.\n  - table:\n      columns:\n        - head: ",
                s->f);
    put_text(s, &(text){"Năm", "Year"});
    (void)fputs("        - head: ", s->f);
    put_text(s, &(text){"Sự kiện", "Event"});
    (void)fputs("      rows:\n        - - \"2024\"\n          - ", s->f);
    put_text(s, &(text){"Sự kiện thứ nhất", "The first event"});
}

static void block_quote(skel *s)
{
    (void)fputs("  # quote: a pull quote and who said it.\n  - quote:\n"
                "      text: ",
                s->f);
    put_text(s, &(text){"Một câu trích dẫn ngắn.", "A short quotation."});
    (void)fputs("      by: ", s->f);
    put_text(s, &(text){"Người nói", "Its author"});
}

typedef void (*block_fn)(skel *s);

/* The blocks in the order they are shown, split over the parts. */
static const block_fn BLOCKS[] = {block_h2,   block_p,     block_figure,
                                  block_list, block_facts, block_table,
                                  block_quote};
enum { NBLOCKS = sizeof BLOCKS / sizeof *BLOCKS };

/* A template's parts: the section files, named and titled. */
typedef struct part {
    const char *file;
    text title;
} part;

static const part YEARBOOK_PARTS[] = {
    {"01-welcome", {"Lời chào", "Welcome"}},
    {"02-overview", {"Tổng quan", "Overview"}},
    {"03-visiting", {"Thông tin thiết thực", "Practical information"}},
};
static const part BOOKLET_PARTS[] = {
    {"01-welcome", {"Lời chào", "Welcome"}},
    {"02-programme", {"Chương trình", "Programme"}},
};
static const part GENERAL_PARTS[] = {
    {"01-welcome", {"Lời chào", "Welcome"}},
    {"02-overview", {"Tổng quan", "Overview"}},
};

typedef struct skeleton {
    const char *name;
    const part *parts;
    int nparts;
    int cover; /* the template draws a cover page from cover.image */
} skeleton;

static const skeleton SKELETONS[] = {
    {"yearbook", YEARBOOK_PARTS, 3, 1},
    {"booklet", BOOKLET_PARTS, 2, 1},
    {"trifold", GENERAL_PARTS, 2, 0},
    {"factsheet", GENERAL_PARTS, 2, 0},
};

/* ---- the files ---------------------------------------------------------- */

typedef struct outfile {
    char *path;
    char *data;
    size_t len;
} outfile;

enum { MAX_FILES = 16 };

typedef struct plan {
    outfile files[MAX_FILES];
    int n;
} plan;

static skel open_file(plan *p, const char *dir, const char *name, skel proto)
{
    outfile *f = &p->files[p->n++];
    f->path = fo_path_join(dir, name);
    proto.f = open_memstream(&f->data, &f->len);
    if (!proto.f) {
        perror("folio: open_memstream");
        abort(); /* out of memory */
    }
    return proto;
}

static void write_section(plan *p, const char *dir, skel s, const part *pt,
                          int first, int last)
{
    char name[64];
    (void)snprintf(name, sizeof name, "sections/%s.yaml", pt->file);
    s = open_file(p, dir, name, s);
    (void)fprintf(s.f, "# A section: its title (the level-1 heading) and its "
                       "blocks, in order.\n# Paths in this file are "
                       "relative to this file (sections/).\ntitle: ");
    put_text(&s, &pt->title);
    (void)fputs("blocks:\n", s.f);
    for (int b = first; b < last; b++)
        BLOCKS[b](&s);
    (void)fclose(s.f);
}

static void write_publication(plan *p, const char *dir, skel s,
                              const skeleton *sk, const char *tmpl)
{
    s = open_file(p, dir, "publication.yaml", s);
    FILE *f = s.f;
    time_t now = time(NULL);
    struct tm tm;
    int year = gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 2025;
    (void)fprintf(f,
                  "# A publication made by `folio init` with the %s "
                  "template. Build it with\n"
                  "#   folio build .          (the PDFs, into ./out)\n"
                  "#   folio watch . -o proof (then open proof/proof.html)\n"
                  "# The format: docs/content.md, or `man folio`.\n\n"
                  "# The title, subtitle and publisher: one text per "
                  "edition.\ntitle: ",
                  tmpl);
    put_text(&s, &(text){"Tên ấn phẩm", "The publication's title"});
    (void)fputs("subtitle: ", f);
    put_text(&s, &(text){"Phụ đề", "Its subtitle"});
    (void)fputs("publisher: ", f);
    put_text(&s, &(text){"Cơ quan xuất bản", "The publisher"});
    (void)fprintf(f,
                  "year: %d\n"
                  "# The layout: the folders of templates/ (`folio help "
                  "init` lists them).\ntemplate: %s\n",
                  year, tmpl);
    if (sk->cover)
        (void)fputs("# The cover picture; focus: the point kept in view "
                    "when it is cropped.\n"
                    "cover: { image: images/cover.png, focus: [0.5, 0.5] }\n",
                    f);
    (void)fputs("# The editions: one PDF each, in this order; the first is "
                "the main one.\neditions: [",
                f);
    for (int i = 0; i < s.nlangs; i++)
        (void)fprintf(f, "%s%s", i ? ", " : "", s.langs[i]);
    (void)fputs("]\n# The sections, each in a file of its own; this order "
                "is the order in print.\nsections:\n",
                f);
    for (int i = 0; i < sk->nparts; i++)
        (void)fprintf(f, "  - include: sections/%s.yaml\n", sk->parts[i].file);
    (void)fclose(f);
}

static void write_readme(plan *p, const char *dir, skel s, const char *tmpl)
{
    s = open_file(p, dir, "README.md", s);
    (void)fprintf(
        s.f,
        "# A new publication (template: %s)\n\n"
        "- `publication.yaml`: the title, the editions and the list of "
        "sections.\n"
        "- `sections/`: one file per section. Replace the sample texts; "
        "each shows one kind of block, with a comment.\n"
        "- `images/`: the pictures. `cover.png` and `figure.png` are "
        "placeholders (CC0, drawn by folio's "
        "`assets/images/make_init_images.py`): replace them with yours, "
        "at 300 ppi for print.\n\n"
        "Build the PDFs into `out/`, one per edition:\n\n"
        "    folio build .\n\n"
        "Proof while you edit (open `proof/proof.html`; it reloads "
        "itself):\n\n"
        "    folio watch . -o proof\n\n"
        "Check without writing: `folio check .`. Options: `folio help`, "
        "`man folio`.\n",
        tmpl);
    (void)fclose(s.f);
}

static int copy_image(plan *p, const char *dir, const char *name)
{
    char *rel = fo_path_join("assets/init", name);
    char *src = fo_path_join(cli_data_dir(), rel);
    outfile *f = &p->files[p->n];
    int ok = fo_file_read(src, 1 << 20, &f->data, &f->len) == FO_OK;
    if (!ok)
        cli_say("init: cannot read %s: %s", src, strerror(errno));
    else {
        char *img = fo_path_join("images", name);
        f->path = fo_path_join(dir, img);
        free(img);
        p->n++;
    }
    free(src);
    free(rel);
    return ok;
}

/* Splits "vi,en" into o's languages, each checked as the publication's
 * loader checks an edition: [a-z]{2,3} then -parts of letters and digits.
 * 0, or EXIT_USAGE after saying what is wrong. */
static int split_langs(const char *list, char ***langs, int *n)
{
    *n = 0;
    *langs = NULL;
    char *copy = fo_xstrdup(list);
    int rc = 0;
    for (char *save = NULL, *l = strtok_r(copy, ",", &save); l && !rc;
         l = strtok_r(NULL, ",", &save)) {
        size_t head = strspn(l, "abcdefghijklmnopqrstuvwxyz");
        int ok = head >= 2 && head <= 3;
        for (const char *c = l + head; ok && *c; c++)
            ok = *c == '-' ? c[1] && c[1] != '-'
                           : strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
                                    "NOPQRSTUVWXYZ0123456789",
                                    *c) != NULL;
        ok = ok && (l[head] == 0 || l[head] == '-');
        for (int i = 0; ok && i < *n; i++)
            if (strcmp((*langs)[i], l) == 0) {
                cli_say("init: --editions names '%s' twice", l);
                rc = EXIT_USAGE;
            }
        if (!ok && !rc) {
            cli_say("init: '%s' is not a language tag (vi, en, zh-Hant)", l);
            rc = EXIT_USAGE;
        } else if (!rc && *n == FO_MAX_EDITIONS) {
            cli_say("init: at most %d editions", FO_MAX_EDITIONS);
            rc = EXIT_USAGE;
        } else if (!rc) {
            *langs = fo_xrealloc(*langs, (size_t)(*n + 1) * sizeof **langs);
            (*langs)[(*n)++] = fo_xstrdup(l);
        }
    }
    free(copy);
    if (!rc && *n == 0) {
        cli_say("init: --editions needs at least one language (vi,en)");
        rc = EXIT_USAGE;
    }
    return rc;
}

/* The chosen template, which must be installed: 0, or EXIT_USAGE after
 * listing those that are. */
static int check_template(const char *name)
{
    size_t n;
    char **names = cli_init_templates(cli_data_dir(), &n);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(names[i], name) == 0;
    if (!found) {
        char list[512] = "";
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(list);
            (void)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                           names[i]);
        }
        const char *near =
            cli_nearest(name, (const char *const *)(void *)names, n);
        if (near)
            cli_say("init: no template '%s'; did you mean '%s'? (the "
                    "templates: %s)",
                    name, near, list);
        else
            cli_say("init: no template '%s'; the templates: %s", name,
                    n ? list : "none installed");
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return found ? 0 : EXIT_USAGE;
}

static void free_plan(plan *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->files[i].path);
        free(p->files[i].data);
    }
}

/* Whether any file of the plan exists; each one is named. */
static int any_exists(const plan *p)
{
    int found = 0;
    for (int i = 0; i < p->n; i++) {
        struct stat st;
        if (lstat(p->files[i].path, &st) == 0) {
            cli_say("init: %s exists", p->files[i].path);
            found = 1;
        }
    }
    if (found)
        cli_say("init: nothing written: init never overwrites a file");
    return found;
}

static int write_plan(const plan *p, const char *dir)
{
    fo_diags d;
    fo_diags_init(&d);
    int ok = 1;
    for (int i = 0; i < p->n && ok; i++) {
        char *parent = fo_path_dirname(p->files[i].path);
        ok = cli_make_dir(parent, &d);
        free(parent);
        if (ok && fo_atomic_write_file(p->files[i].path, p->files[i].data,
                                       p->files[i].len) != FO_OK) {
            fo_error_write(&d, p->files[i].path, errno);
            ok = 0;
        }
    }
    fo_diags_print(&d, stderr);
    fo_diags_free(&d);
    if (ok)
        printf("%s: a new publication of %d files; build it with "
               "'folio build %s'\n",
               dir, p->n, dir);
    return ok ? 0 : EXIT_INPUT;
}

int init_run(opts *o)
{
    const char *dir = o->pub ? o->pub : ".";
    const char *tmpl = o->template_name ? o->template_name : "yearbook";
    char **langs = NULL;
    int nlangs = 0;
    int rc = split_langs(o->editions ? o->editions : "vi,en", &langs, &nlangs);
    if (!rc)
        rc = check_template(tmpl);
    plan p = {0};
    if (!rc) {
        const skeleton *sk = NULL;
        for (size_t i = 0; i < sizeof SKELETONS / sizeof *SKELETONS; i++)
            if (strcmp(SKELETONS[i].name, tmpl) == 0)
                sk = &SKELETONS[i];
        skeleton general = {tmpl, GENERAL_PARTS, 2, 1};
        if (!sk)
            sk = &general;
        skel s = {NULL, langs, nlangs};
        write_publication(&p, dir, s, sk, tmpl);
        for (int i = 0; i < sk->nparts; i++)
            write_section(&p, dir, s, &sk->parts[i], i * NBLOCKS / sk->nparts,
                          (i + 1) * NBLOCKS / sk->nparts);
        write_readme(&p, dir, s, tmpl);
        if (!copy_image(&p, dir, "cover.png") ||
            !copy_image(&p, dir, "figure.png"))
            rc = EXIT_INPUT;
    }
    if (!rc && any_exists(&p))
        rc = EXIT_INPUT;
    if (!rc)
        rc = write_plan(&p, dir);
    free_plan(&p);
    for (int i = 0; i < nlangs; i++)
        free(langs[i]);
    free(langs);
    return rc;
}
