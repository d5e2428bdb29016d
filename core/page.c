/* page.c — the platform's frame shared by the public HTML pages (page.h):
 * one head, one stylesheet, one top bar, one footer, so that a clerk or a
 * citizen moving from the staff console to the lookup or verification page
 * sees one platform. The colours are the console's (Shell.vue: #a61b1b). */
#include "eseal/page.h"

/* The one stylesheet of the public pages: the frame, forms and tables, the
 * publisher's seal statuses (.good, .revoked, …) and the verifier's
 * verdicts (.PASSED, .TOTAL_FAILED, …). System CJK fonts only: the CSP
 * allows no font file. Colours keep at least 4.5:1 on their background. */
static const char page_style[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f2f3f5;color:#1d2129;line-height:1.6;font-size:16px;"
    "font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang SC\",sans-serif}\n"
    ".platform{background:#a61b1b;color:#fff}\n"
    ".platform .bar{max-width:70em;margin:0 auto;padding:.7em 1.2em;display:flex;"
    "flex-wrap:wrap;align-items:center;gap:.3em .8em}\n"
    ".emblem{display:inline-flex;flex:none;width:1.9em;height:1.9em;border:2px solid #fff;"
    "border-radius:50%;align-items:center;justify-content:center;font-size:.95em;"
    "font-weight:600}\n"
    ".platform .name{font-size:1.1em;font-weight:600;letter-spacing:1px}\n"
    ".platform .sub{border-left:1px solid rgba(255,255,255,.6);padding-left:.8em}\n"
    ".platform .en,button .en{color:inherit;opacity:.92}\n"
    "main{display:block;max-width:70em;margin:1.5em auto;padding:1.2em 2em 1.5em;"
    "background:#fff;border:1px solid #e5e6eb;border-radius:4px}\n"
    "main::after{content:\"\";display:block;clear:both}\n"
    "h1,h2,h3{line-height:1.35}h1{font-size:1.5em;margin:.2em 0 "
    ".6em}h2{font-size:1.25em;margin:1.2em 0 .5em}"
    "h3{font-size:1.1em;margin:1.4em 0 .4em;padding-top:.8em;border-top:1px solid #e5e6eb}\n"
    ".en{color:#4e5969;font-size:.88em;font-weight:400}\n"
    "a{color:#0b57a4}\n"
    "table{border-collapse:collapse;margin:1em 0;max-width:100%}\n"
    "th,td{text-align:left;vertical-align:top;padding:.45em .9em;border-bottom:1px solid #e5e6eb;"
    "overflow-wrap:break-word}\n"
    "th{background:#f7f8fa;font-weight:600}\n"
    "code{font-family:monospace;font-size:.9em;word-break:break-all}\n"
    "form{margin:1em 0}\n"
    "fieldset{margin:1em 0;padding:.6em 1.2em 1em;border:1px solid #c9cdd4;border-radius:4px;"
    "min-width:0}\n"
    "legend{font-weight:600;padding:0 .4em}\n"
    "label{display:block;margin:.4em 0 .6em}\n"
    "input,button{font:inherit;max-width:100%}\n"
    "input[type=file]{display:block;margin-top:.3em}\n"
    "input:not([type]){padding:.35em .6em;border:1px solid #86909c;border-radius:4px;"
    "width:14em;margin:0 .5em .4em 0}\n"
    "button{background:#a61b1b;color:#fff;border:1px solid #a61b1b;border-radius:4px;"
    "padding:.35em 1.4em;cursor:pointer}\n"
    "button:hover{background:#861515}\n"
    "a:focus,button:focus,input:focus,summary:focus{outline:3px solid #0b57a4;"
    "outline-offset:2px}\n"
    "footer{max-width:70em;margin:0 auto 2em;padding:0 1.2em}\n"
    ".good,.PASSED,.TOTAL_PASSED{color:#17702f}\n"
    ".suspended,.revoked,.expired,.FAILED,.TOTAL_FAILED{color:#b42318}\n"
    ".pending,.INDETERMINATE{color:#8a5300}.SKIPPED{color:#4e5969}\n"
    "h2.TOTAL_PASSED,h2.TOTAL_FAILED,h2.INDETERMINATE{border-left:6px solid currentColor;"
    "padding:.2em .6em}\n"
    ".notice{padding:.5em 1em;border-left:4px solid #b42318;background:#fff4f4}\n"
    "details summary{cursor:pointer;color:#0b57a4}\n"
    "img.picture,div.picture img{max-width:12em;max-height:12em;border:1px solid #e5e6eb}\n"
    "div.picture{float:right;margin:0 0 1em 1.5em;text-align:center}\n"
    /* a phone: the frame to the edges, the page name under the platform's */
    "@media (max-width:40em){main{margin:0;border:0;border-radius:0;padding:1em}"
    ".platform .sub{flex-basis:100%;border-left:0;padding-left:0}"
    "div.picture{float:none;margin:1em 0}"
    /* on a phone a table row becomes a small card: its cells one under the
     * other, without the column heads */
    "table,tbody,tr,th,td{display:block}tr:has(th+th){display:none}tr{border-bottom:1px solid "
    "#c9cdd4;padding:.3em 0}"
    "th,td{border:0;padding:.15em .4em;overflow-wrap:anywhere}th{background:none}}\n";

void eseal_page_open(struct eseal_buf *b, const char *zh, const char *en)
{
    eseal_buf_appendf(b,
                      "<!DOCTYPE html>\n"
                      "<html lang=\"zh-CN\">\n"
                      "<head>\n"
                      "<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<title>%s · %s</title>\n"
                      /* no icon: without this line browsers ask for /favicon.ico (a 404) */
                      "<link rel=\"icon\" href=\"data:,\">\n"
                      "<style>\n%s</style>\n"
                      "</head>\n"
                      "<body>\n"
                      "<header class=\"platform\"><div class=\"bar\">"
                      "<span class=\"emblem\" aria-hidden=\"true\">印</span>"
                      "<span class=\"name\">政务电子印章服务平台</span>"
                      "<span class=\"sub\">%s <span class=\"en\">%s</span></span>"
                      "</div></header>\n"
                      "<main>\n"
                      "<h1>%s <span class=\"en\">%s</span></h1>\n",
                      zh, en, page_style, zh, en, zh, en);
}

void eseal_page_close(struct eseal_buf *b, const char *footer_html)
{
    eseal_buf_appendf(b,
                      "</main>\n"
                      "<footer>%s</footer>\n"
                      "</body>\n"
                      "</html>\n",
                      footer_html);
}
