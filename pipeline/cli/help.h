/* help — what `folio help`, `folio CMD --help` and the "did you mean" of
 * a mistyped command or option print (help.c). main.c owns the tables of
 * commands and options; these functions format a row at a time, so that a
 * row added to those tables gets its help and its suggestions without
 * anything here changing. */
#ifndef FO_CLI_HELP_H
#define FO_CLI_HELP_H

#include <stddef.h>
#include <stdio.h>

/* The candidate nearest to word, when it is near enough to be what the
 * user meant (a distance of at most a third of the word, and at least 1);
 * else NULL. Borrowed from cands. Ties go to the first candidate. */
const char *cli_nearest(const char *word, const char *const *cands, size_t n);

/* One option's line of a command's help:
 *   "  -o, --output DIR     where the outputs go (default: ./out)"
 * name and alias (may be NULL) from the option table; needs is what its
 * value is (NULL: a flag); cmd_name the command shown, for the texts that
 * differ by command (--profile). The text comes from help.c's table of
 * option texts, else is made from needs. */
void cli_help_option(FILE *out, const char *name, const char *alias,
                     const char *needs, const char *cmd_name);

/* The operand of a command in its usage line: args as the command table
 * gives it, or "PUB" (a publication) when NULL. */
const char *cli_help_args(const char *args);

/* The text after the options of a command's help: what PUB may be, what
 * -o defaults to. Nothing for commands without a publication (args not
 * NULL). */
void cli_help_footer(FILE *out, const char *args);

#endif
