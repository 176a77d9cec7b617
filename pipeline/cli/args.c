/* What the commands' arguments name, beyond main.c's parsing (cli.h): a
 * publication given by its folder, the default output folder. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_resolve_pub(opts *o)
{
    struct stat st;
    if (stat(o->pub, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0; /* a file, or nothing: the load says what is wrong */
    char *file = fo_path_join(o->pub, "publication.yaml");
    if (stat(file, &st) != 0) {
        cli_say("%s is a folder without a publication.yaml: name the "
                "publication's .yaml file, or its folder",
                o->pub);
        free(file);
        return EXIT_USAGE;
    }
    o->pub_owned = file;
    o->pub = file;
    return 0;
}

void cli_opts_free(opts *o)
{
    free(o->pub_owned);
    o->pub_owned = NULL;
}

void cli_say_out_default(const opts *o)
{
    if (o->out_given || o->quiet)
        return;
    printf("(written into ./%s, the default; -o DIR chooses the folder)\n",
           o->out_dir);
}
