/* folio's command line: argument parsing and dispatch only. A table of
 * commands, each run with its parsed options (cli.h), and a table of
 * options, each naming the commands that take it. Exit codes: 0 done, 1
 * the input has errors (or an output could not be written), 2 bad usage.
 * Diagnostics go to stderr in the compiler format; nothing is written
 * unless every edition laid out without error, and every output is
 * written under a temporary name and renamed. */
#include "cli/cache_cmd.h"
#include "cli/cli.h"
#include "cli/impose.h"
#include "cli/diff.h"
#include "cli/editions.h"
#include "cli/help.h"
#include "cli/init.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: folio build   PUB.yaml [-o DIR] [--edition LANG|all]\n"
    "                     [--profile print|screen|archive|all] [--strict]\n"
    "                     [--draft] [--report FILE.json] [--dump] [-j N]\n"
    "       folio preview PUB.yaml [-o DIR] [--edition LANG|all] [--dpi N]\n"
    "                     [--profile screen|print] [--bleed] [--draft]\n"
    "       folio watch   PUB.yaml [-o DIR] [--edition LANG|all] [--dpi N]\n"
    "                     [--profile print|screen] [--bleed] [--draft]\n"
    "       folio dump    PUB.yaml [--edition LANG]\n"
    "       folio check   PUB.yaml [--edition LANG|all] [--strict]\n"
    "                     [--report FILE.json]\n"
    "       folio impose  PUB.yaml [-o DIR] [--edition LANG|all]\n"
    "                     [--scheme saddle-stitch|2up-proof] [--strict]\n"
    "       folio package PUB.yaml [-o DIR] [--edition LANG|all] [--strict]\n"
    "       folio diff    OLD NEW [-o DIR] [--json]\n"
    "       folio diff    PUB.yaml --rev A..B [-o DIR] [--json]\n"
    "       folio editions PUB.yaml [-o DIR] [--json]\n"
    "       folio init    [DIR] [--template NAME] [--editions LANG,LANG]\n"
    "       folio cache   clean|info [--cache DIR]\n"
    "       folio help [COMMAND] | --help | --version\n"
    "PUB.yaml may be the publication's folder; the commands with a\n"
    "publication also take --cache DIR, --no-cache, --quiet and --verbose\n";

static int usage_error(const char *fmt, ...) FO_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vsay(fmt, ap);
    va_end(ap);
    (void)fputs(USAGE, stderr);
    return EXIT_USAGE;
}

/* The commands, as bits: which take an option. */
enum {
    BUILD = 1 << 0,
    PREVIEW = 1 << 1,
    WATCH = 1 << 2,
    DUMP = 1 << 3,
    CHECK = 1 << 4,
    IMPOSE = 1 << 5,
    PACKAGE = 1 << 6,
    DIFF = 1 << 7,
    EDITIONS = 1 << 8,
    EVERY = BUILD | PREVIEW | WATCH | DUMP | CHECK | IMPOSE | PACKAGE | DIFF |
            EDITIONS,
    INIT = 1 << 9 /* no publication yet: none of EVERY's options */
};

static const struct command {
    const char *name;
    unsigned bit;
    int (*run)(opts *o);
    const char *help;
} COMMANDS[] = {
    {"build", BUILD, build_run, "write one PDF per edition into DIR"},
    {"preview", PREVIEW, preview_run,
     "write page PNGs, thumbnails and proof.html into DIR"},
    {"watch", WATCH, watch_run,
     "build and preview, again on every saved change"},
    {"dump", DUMP, dump_run, "print the page display list as text"},
    {"check", CHECK, check_run,
     "lay out and run the preflight for every profile; write nothing"},
    {"impose", IMPOSE, impose_run,
     "write the sheets: printer's spreads (saddle-stitch) or reader's "
     "spreads (2up-proof)"},
    {"package", PACKAGE, package_run,
     "write the print shop's handoff folder DIR and DIR.tar"},
    {"diff", DIFF, diff_run,
     "compare two versions page by page: DIR/diff.html and diff.json"},
    {"editions", EDITIONS, editions_run,
     "are the editions in step: DIR/editions.html and editions.json"},
    {"init", INIT, init_run,
     "write a new publication that builds at once into DIR (default: .)"},
};

/* The commands whose operand is not a publication: what it is, for the
 * help (cli_help_args), optional. Every other command needs a publication
 * (PUB). */
static const struct operand {
    unsigned bit;
    const char *args;
} OPERANDS[] = {
    {INIT, "[DIR]"},
};

/* cmd's operand as the help names it; NULL: a publication. */
static const char *operand_of(unsigned bit)
{
    for (size_t i = 0; i < sizeof OPERANDS / sizeof *OPERANDS; i++)
        if (OPERANDS[i].bit == bit)
            return OPERANDS[i].args;
    return NULL;
}

/* ---- option values ------------------------------------------------------
 * Each sets o from the option's value; 0, or EXIT_USAGE after a usage
 * error. */

static int set_out_dir(opts *o, const char *v)
{
    o->out_dir = v;
    o->out_given = 1;
    return 0;
}

static int set_edition(opts *o, const char *v)
{
    o->edition = v;
    return 0;
}

static int set_cache_dir(opts *o, const char *v)
{
    o->cache_dir = v;
    return 0;
}

static int set_rev(opts *o, const char *v)
{
    o->rev = v;
    return 0;
}

static int set_report(opts *o, const char *v)
{
    o->report = v;
    return 0;
}

static int set_template(opts *o, const char *v)
{
    o->template_name = v;
    return 0;
}

static int set_editions(opts *o, const char *v)
{
    o->editions = v;
    return 0;
}

/* --profile of preview and watch: print or screen ("" when missing). */
static int set_preview_profile(opts *o, const char *v)
{
    if (strcmp(v, "print") == 0)
        o->preview_profile = FO_PROFILE_PRINT;
    else if (strcmp(v, "screen") == 0)
        o->preview_profile = FO_PROFILE_SCREEN;
    else
        return usage_error("--profile takes print or screen here, "
                           "not '%s'",
                           v);
    return 0;
}

/* --dpi of preview and watch: 10 to 1200. */
static int set_dpi(opts *o, const char *v)
{
    char *end;
    o->dpi = strtod(v, &end);
    if (*end || o->dpi < 10 || o->dpi > 1200)
        return usage_error("--dpi takes a number from 10 to 1200, "
                           "not '%s'",
                           v);
    return 0;
}

/* --profile of build: print, screen, archive or all; adds to o->profiles. */
static int set_build_profile(opts *o, const char *v)
{
    int found = strcmp(v, "all") == 0 ? CLI_ALL_PROFILES : 0;
    for (int k = 0; k < 3; k++)
        if (strcmp(v, CLI_PROFILE_NAMES[k]) == 0)
            found = 1 << k;
    if (!found)
        return usage_error("--profile takes print, screen, archive "
                           "or all, not '%s'",
                           v);
    o->profiles |= found;
    return 0;
}

/* --scheme of impose: saddle-stitch or 2up-proof. */
static int set_scheme(opts *o, const char *v)
{
    for (int k = 0; k < 2; k++)
        if (strcmp(v, CLI_SCHEME_NAMES[k]) == 0) {
            o->scheme = k;
            return 0;
        }
    return usage_error("--scheme takes saddle-stitch or 2up-proof, not '%s'",
                       v);
}

/* -j/--jobs of build: 1 to 64 processes. */
static int set_jobs(opts *o, const char *v)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < 1 || n > 64)
        return usage_error("-j takes a number from 1 to 64, not '%s'", v);
    o->jobs = (int)n;
    return 0;
}

/* What `needs` holds for an option whose missing value is the empty
 * string, so that its own message ("takes print or screen here, not ''")
 * says what it wants. */
static const char AS_EMPTY[] = "";

/* A row of OPTIONS: an option with a value, which set takes, or a flag,
 * which sets an int of opts to 1. */
#define VALUE(name, alias, commands, needs, set)                               \
    {                                                                          \
        name, alias, commands, needs, set, 0                                   \
    }
#define FLAG(name, commands, field)                                            \
    {                                                                          \
        name, NULL, commands, NULL, NULL, offsetof(opts, field)                \
    }

static const struct option {
    const char *name;
    const char *alias; /* or NULL */
    unsigned commands; /* the commands that take it */
    const char *needs; /* what its value is, for "NAME needs ..." when it is
                          missing; NULL: a flag, without a value */
    int (*set)(opts *o, const char *v); /* takes the value */
    size_t flag; /* a flag: offsetof(opts, the int it sets to 1) */
} OPTIONS[] = {
    VALUE("--output", "-o", EVERY, "a folder", set_out_dir),
    VALUE("--edition", NULL, EVERY, "a language tag or 'all'", set_edition),
    FLAG("--strict", EVERY, strict),
    VALUE("--cache", NULL, EVERY, "a folder", set_cache_dir),
    FLAG("--no-cache", EVERY, no_cache),
    VALUE("--profile", NULL, PREVIEW | WATCH, AS_EMPTY, set_preview_profile),
    FLAG("--bleed", PREVIEW | WATCH, bleed),
    FLAG("--draft", BUILD | PREVIEW | WATCH, draft),
    VALUE("--dpi", NULL, PREVIEW | WATCH, "a number", set_dpi),
    FLAG("--dump", BUILD, dump),
    VALUE("--profile", NULL, BUILD, "print, screen, archive or all",
          set_build_profile),
    VALUE("--jobs", "-j", BUILD, "a number of processes", set_jobs),
    VALUE("--report", NULL, BUILD | CHECK, "a file name (FILE.json)",
          set_report),
    VALUE("--scheme", NULL, IMPOSE, "saddle-stitch or 2up-proof", set_scheme),
    VALUE("--rev", NULL, DIFF, "two git revisions (A..B)", set_rev),
    FLAG("--json", DIFF | EDITIONS, json),
    FLAG("--quiet", EVERY, quiet),
    FLAG("--verbose", EVERY, verbose),
    VALUE("--template", NULL, INIT, "a template's name", set_template),
    VALUE("--editions", NULL, INIT, "languages, comma-separated (vi,en)",
          set_editions),
};

enum { NCOMMANDS = sizeof COMMANDS / sizeof *COMMANDS };
enum { NOPTIONS = sizeof OPTIONS / sizeof *OPTIONS };

/* The commands outside COMMANDS, with their own parsers, for the list of
 * commands and the suggestions. */
static const struct {
    const char *name, *usage, *help;
} OTHER_COMMANDS[] = {
    {"cache", "clean|info [--cache DIR]",
     "empty the cache of images (clean), or say what it holds (info)"},
    {"help", "[COMMAND]", "print the commands, or one command's options"},
};
enum { NOTHER = sizeof OTHER_COMMANDS / sizeof *OTHER_COMMANDS };

/* `folio help CMD`, `folio CMD --help`: the command's usage and its
 * options, from the tables. */
static void command_help(const struct command *cmd, FILE *out)
{
    (void)fprintf(out, "usage: folio %s %s [options]\n\n%s\n\noptions:\n",
                  cmd->name, cli_help_args(operand_of(cmd->bit)), cmd->help);
    for (size_t k = 0; k < NOPTIONS; k++)
        if (OPTIONS[k].commands & cmd->bit)
            cli_help_option(out, OPTIONS[k].name, OPTIONS[k].alias,
                            OPTIONS[k].needs, cmd->name);
    cli_help_option(out, "--help", "-h", NULL, cmd->name);
    cli_help_footer(out, operand_of(cmd->bit));
}

/* `folio help`, `folio --help`: every command. */
static void overview(FILE *out)
{
    (void)fputs("usage: folio COMMAND [ARGS] [options]\n\ncommands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        (void)fprintf(out, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    for (size_t i = 0; i < NOTHER; i++)
        (void)fprintf(out, "  %-8s %s\n", OTHER_COMMANDS[i].name,
                      OTHER_COMMANDS[i].help);
    (void)fputs("\n'folio help COMMAND' or 'folio COMMAND --help' prints a "
                "command's options.\n"
                "PUB is a publication's folder or its .yaml file.\n"
                "exit status: 0 done, 1 the input has errors, 2 bad usage\n",
                out);
}

/* "unknown command" with the nearest command's name. */
static int unknown_command(const char *a)
{
    const char *names[NCOMMANDS + NOTHER];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = COMMANDS[i].name;
    for (size_t i = 0; i < NOTHER; i++)
        names[NCOMMANDS + i] = OTHER_COMMANDS[i].name;
    const char *near = cli_nearest(a, names, NCOMMANDS + NOTHER);
    if (near)
        cli_say("unknown command '%s'; did you mean '%s'?", a, near);
    else
        cli_say("unknown command '%s'", a);
    cli_say("'folio help' lists the commands");
    return EXIT_USAGE;
}

/* "unknown option" with the nearest of cmd's options, or the commands
 * that take it when it is another command's. */
static int unknown_option(const struct command *cmd, const char *a)
{
    const char *names[2 * NOPTIONS + 2] = {"--help", "-h"};
    size_t n = 2;
    char others[128] = "";
    for (size_t k = 0; k < NOPTIONS; k++) {
        const struct option *op = &OPTIONS[k];
        if (op->commands & cmd->bit) {
            names[n++] = op->name;
            names[n++] = op->alias;
            continue;
        }
        if (strcmp(a, op->name) != 0 &&
            (!op->alias || strcmp(a, op->alias) != 0))
            continue;
        for (size_t i = 0; i < NCOMMANDS; i++)
            if ((op->commands & COMMANDS[i].bit) &&
                !strstr(others, COMMANDS[i].name)) {
                size_t len = strlen(others);
                (void)snprintf(others + len, sizeof others - len, "%s%s",
                               len ? ", " : "", COMMANDS[i].name);
            }
    }
    const char *near = *others ? NULL : cli_nearest(a, names, n);
    if (*others)
        cli_say("%s: unknown option '%s' (an option of %s)", cmd->name, a,
                others);
    else if (near)
        cli_say("%s: unknown option '%s'; did you mean '%s'?", cmd->name, a,
                near);
    else
        cli_say("%s: unknown option '%s'", cmd->name, a);
    cli_say("'folio %s --help' lists its options", cmd->name);
    return EXIT_USAGE;
}

/* parse_option's answers for an argument that is not one of cmd's options,
 * and for --help (printed: exit 0). */
enum { NOT_AN_OPTION = -1, HELP_SHOWN = -2 };

/* Parses argv[*i] if it is an option of command cmd (moving *i past its
 * value). Returns 0, EXIT_USAGE after a usage error, or NOT_AN_OPTION. */
static int parse_option(const struct command *cmd, int argc, char **argv,
                        int *i, opts *o)
{
    const char *a = argv[*i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        command_help(cmd, stdout);
        return HELP_SHOWN;
    }
    for (size_t k = 0; k < sizeof OPTIONS / sizeof *OPTIONS; k++) {
        const struct option *op = &OPTIONS[k];
        if (!(op->commands & cmd->bit) ||
            (strcmp(a, op->name) != 0 &&
             (!op->alias || strcmp(a, op->alias) != 0)))
            continue;
        if (!op->needs) {
            *(int *)(void *)((char *)o + op->flag) = 1;
            return 0;
        }
        if (*i + 1 < argc)
            return op->set(o, argv[++*i]);
        if (op->needs == AS_EMPTY)
            return op->set(o, "");
        return usage_error("%s needs %s", a, op->needs);
    }
    return NOT_AN_OPTION;
}

/* An argument that is not an option of the command: the publication, or
 * a usage error. */
static int parse_operand(const struct command *cmd, const char *a, opts *o)
{
    if (a[0] == '-' && a[1])
        return unknown_option(cmd, a);
    if (o->pub && operand_of(cmd->bit))
        return usage_error("%s: one %s at a time ('%s' is extra)", cmd->name,
                           operand_of(cmd->bit), a);
    if (o->pub && !o->pub2) /* diff's NEW; the others refuse it below */
        o->pub2 = a;
    else if (o->pub)
        return usage_error("one publication at a time ('%s' is extra)", a);
    else
        o->pub = a;
    return 0;
}

/* Parses "PUB.yaml [options]" for command cmd. */
static int parse_opts(const struct command *cmd, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "out";
    o->dpi = 96;
    o->profiles = 0;
    o->jobs = 1;
    o->preview_profile = -1;
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        rc = parse_option(cmd, argc, argv, &i, o);
        if (rc == NOT_AN_OPTION)
            rc = parse_operand(cmd, argv[i], o);
        if (rc != 0)
            return rc;
    }
    if (operand_of(cmd->bit)) /* no publication (init) */
        return 0;
    if (!o->pub)
        return usage_error("%s: which publication? (its folder or .yaml "
                           "file)",
                           cmd->name);
    if (o->pub2 && cmd->bit != DIFF)
        return usage_error("one publication at a time ('%s' is extra)",
                           o->pub2);
    rc = cli_resolve_pub(o);
    if (rc != 0)
        return rc;
    if (o->dump && o->jobs > 1)
        return usage_error("--dump prints the display lists from one process: "
                           "leave out -j");
    /* before any job of -j starts: they share it */
    fo_cli_cache_start(o->cache_dir, o->no_cache);
    return 0;
}

/* `folio help CMD`: its help on stdout, exit 0; an unknown CMD (or an
 * extra argument) is a usage error. */
static int help_command(const char *name, const char *extra)
{
    if (extra)
        return usage_error("help: one command at a time ('%s' is extra)",
                           extra);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, COMMANDS[i].name) == 0) {
            command_help(&COMMANDS[i], stdout);
            return 0;
        }
    for (size_t i = 0; i < NOTHER; i++)
        if (strcmp(name, OTHER_COMMANDS[i].name) == 0) {
            printf("usage: folio %s %s\n\n%s\n", name, OTHER_COMMANDS[i].usage,
                   OTHER_COMMANDS[i].help);
            return 0;
        }
    return unknown_command(name);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        (void)fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        overview(stdout);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0)
        return help_command(argv[2], argc > 3 ? argv[3] : NULL);
    if (strcmp(argv[1], "cache") == 0)
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                return help_command("cache", NULL);
    if (strcmp(argv[1], "--version") == 0) {
        puts("folio " FO_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++) {
        if (strcmp(argv[1], COMMANDS[i].name) != 0)
            continue;
        opts o;
        int rc = parse_opts(&COMMANDS[i], argc - 2, argv + 2, &o);
        /* --quiet: no summary either (but the display list asked for) */
        if (rc == 0 && o.quiet && !o.dump && COMMANDS[i].bit != DUMP &&
            !freopen("/dev/null", "w", stdout))
            rc = EXIT_INPUT;
        if (rc == 0) {
            rc = COMMANDS[i].run(&o);
            /* the summary's last line: where -o's default put the outputs
             * (a job of build -j, keep_tmp, leaves that to its parent) */
            if (rc == 0 && !o.keep_tmp && (COMMANDS[i].bit & (BUILD | PREVIEW)))
                cli_say_out_default(&o);
        } else if (rc == HELP_SHOWN) {
            rc = 0;
        }
        fo_cli_cache_end(); /* in each job of -j too */
        cli_opts_free(&o);
        return rc;
    }
    /* its own arguments: no publication */
    if (strcmp(argv[1], "cache") == 0)
        return fo_cli_cache_cmd(argc - 2, argv + 2);
    return unknown_command(argv[1]);
}
