/* The help texts of the options and the nearest-name search behind "did
 * you mean" (help.h). Hand-written rather than taken from a library:
 * getopt_long has no suggestions and GLib's GOptionContext would replace
 * main.c's tables, which every command and option is a row of; the edit
 * distance is core's fo_edit_distance. */
#include "cli/help.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

const char *cli_nearest(const char *word, const char *const *cands, size_t n)
{
    /* the limit counts the letters only: an option's leading dashes are
     * not what was mistyped */
    size_t len = strlen(word) - strspn(word, "-");
    int limit = (int)len / 3 > 1 ? (int)len / 3 : 1;
    const char *best = NULL;
    int best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        int dist = fo_edit_distance(word, cands[i], 0);
        if (dist < best_d) {
            best = cands[i];
            best_d = dist;
        }
    }
    return best;
}

/* The options' help: the value's name and what the option does, with its
 * default. cmd NULL: the same for every command. An option missing here
 * still gets a line, made from what main.c says its value is. */
static const struct option_text {
    const char *name;
    const char *cmd; /* or NULL: every command */
    const char *value;
    const char *text;
} TEXTS[] = {
    {"--output", NULL, "DIR",
     "the folder to write into (default: ./out, made when missing)"},
    {"--edition", "dump", "LANG", "only this edition (default: every one)"},
    {"--edition", NULL, "LANG|all", "only this edition (default: all)"},
    {"--strict", NULL, NULL,
     "every warning is an error (a print build fails on it)"},
    {"--cache", NULL, "DIR",
     "keep converted images in DIR (default: $FOLIO_CACHE, else "
     "~/.cache/folio)"},
    {"--no-cache", NULL, NULL, "use no cache of images"},
    {"--profile", "build", "print|screen|archive|all",
     "the PDFs to write; may be repeated (default: the publication's "
     "profiles:, else print)"},
    {"--profile", "preview", "screen|print",
     "RGB pages, or a soft proof of the print (default: screen)"},
    {"--profile", "watch", "print|screen",
     "a soft proof of the print, or RGB pages (default: print)"},
    {"--bleed", NULL, NULL, "show the bleed around the trim in the PNGs"},
    {"--draft", NULL, NULL,
     "write despite preflight errors, each outlined in red (exit 1)"},
    {"--dpi", NULL, "N", "the PNGs' resolution, 10 to 1200 (default: 96)"},
    {"--dump", NULL, NULL, "also print the display list on stdout"},
    {"--jobs", NULL, "N",
     "build editions in N processes at once, 1 to 64 (default: 1)"},
    {"--report", NULL, "FILE.json",
     "write a machine-readable account (docs/report.md)"},
    {"--quiet", NULL, NULL,
     "print errors only: no warnings, summary or progress"},
    {"--verbose", NULL, NULL,
     "a line per edition and profile (pages, time), on a terminal or "
     "not"},
    {"--help", NULL, NULL, "print this help and exit"},
    {"--template", NULL, "NAME",
     "the template to start from (default: yearbook)"},
    {"--editions", NULL, "LANG,LANG",
     "the editions' languages, first the main one (default: vi,en)"},
};

void cli_help_option(FILE *out, const char *name, const char *alias,
                     const char *needs, const char *cmd_name)
{
    const struct option_text *t = NULL;
    for (size_t i = 0; i < sizeof TEXTS / sizeof *TEXTS && !t; i++)
        if (strcmp(TEXTS[i].name, name) == 0 &&
            (!TEXTS[i].cmd || strcmp(TEXTS[i].cmd, cmd_name) == 0))
            t = &TEXTS[i];
    const char *value = t ? t->value : needs ? "VALUE" : NULL;
    char head[64];
    (void)snprintf(head, sizeof head, "%s%s%s%s%s", alias ? alias : "",
                   alias ? ", " : "    ", name, value ? " " : "",
                   value ? value : "");
    if (t && strlen(head) > 26) /* the text on a line of its own */
        (void)fprintf(out, "  %s\n  %-26s %s\n", head, "", t->text);
    else if (t)
        (void)fprintf(out, "  %-26s %s\n", head, t->text);
    else if (needs && *needs)
        (void)fprintf(out, "  %-26s takes %s\n", head, needs);
    else
        (void)fprintf(out, "  %s\n", head);
}

const char *cli_help_args(const char *args)
{
    return args ? args : "PUB";
}

void cli_help_footer(FILE *out, const char *args)
{
    if (args)
        return;
    (void)fputs("\nPUB is the publication: its folder (which holds "
                "publication.yaml) or its .yaml file.\n",
                out);
}
