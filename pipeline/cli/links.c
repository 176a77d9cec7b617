/* The links manifest of the report (docs/report.md, links): as each page
 * goes to the PDF of a profile, every link and QR code that PDF holds is
 * listed with its page, edition and profile, and its URL as written and
 * as tagged by the campaign. What a PDF holds is what its writer draws:
 * the ops of the profile's channel (dlist.h fo_dl_channel), and in print
 * only the QR codes, since a print PDF has no link annotations
 * (render/pdf_nav.c). tests/cli/links.sh compares the manifest with the
 * link annotations qpdf finds in the PDFs. */
#include "cli/cli.h"
#include "cli/report.h"

void cli_links_page(fo_report *rep, const fo_dl_doc *doc, size_t i,
                    const char *ed, int profile)
{
    const fo_dl_page *pg = doc->pages[i];
    fo_dl_channel ch =
        profile == FO_PROFILE_PRINT ? FO_DL_CH_PRINT : FO_DL_CH_PDF;
    for (size_t k = 0; k < pg->n; k++) {
        const fo_dl_op *op = &pg->ops[k];
        const fo_dl_link *l = &op->u.link;
        if (op->kind != FO_DL_LINK || !l->uri || !fo_dl_op_drawn(op, ch) ||
            (profile == FO_PROFILE_PRINT && !l->qr))
            continue;
        fo_report_link(rep, ed, CLI_PROFILE_NAMES[profile], (int)i + 1,
                       pg->label, l->qr ? "qr" : "link",
                       l->written ? l->written : l->uri, l->uri);
    }
}
