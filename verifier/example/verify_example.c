/* verify_example.c — the smallest relying party of libeseal-verify: check a
 * detached seal signature over a document against the platform's root and,
 * when given, a publisher's signed status; print the verdict.
 *
 *   cc verify_example.c $(pkg-config --cflags --libs eseal-verify)
 *   ./a.out contract.pdf contract.pdf.ses root.pem [http://127.0.0.1:8442]
 *
 * Exit 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE, 3 a file that cannot
 * be read. Only public headers are used (include/eseal/verify.h). */
#include <stdio.h>

#include <eseal/buf.h>
#include <eseal/seal.h>
#include <eseal/sm.h>
#include <eseal/verify.h>

/* The largest document this example reads (the daemon's default too). */
#define DOCUMENT_MAX (32 * 1024 * 1024)

static int verify(const char *doc, const char *sig, const char *trust, const char *status_url)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf d, s;
    eseal_buf_init(&d);
    eseal_buf_init(&s);
    struct eseal_verify_opts o = {.no_status = status_url == NULL};
    int code = 3;
    if (eseal_file_read(&d, doc, DOCUMENT_MAX, &err) != ESEAL_OK ||
        eseal_file_read(&s, sig, ESEAL_SEAL_MAX, &err) != ESEAL_OK ||
        eseal_verify_load_trust(&o.trust, trust, &err) != ESEAL_OK ||
        (status_url != NULL &&
         eseal_status_source_url(&o.status, status_url, o.trust, &err) != ESEAL_OK)) {
        fprintf(stderr, "verify_example: %s\n", err.msg);
        goto out;
    }
    uint8_t digest[ESEAL_SM3_LEN];
    eseal_sm3(digest, d.data, d.len);
    struct eseal_report r;
    eseal_report_init(&r);
    eseal_verify_ses(&r, s.data, s.len, digest, &o);
    eseal_report_print(&r, stdout);
    code = eseal_report_exit_code(&r);
    eseal_report_cleanup(&r);
out:
    eseal_status_source_free(o.status);
    sk_X509_pop_free(o.trust, X509_free);
    eseal_buf_cleanup(&d);
    eseal_buf_cleanup(&s);
    return code;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: verify_example DOCUMENT SIGNATURE TRUST.pem [STATUS_URL]\n");
        return 3;
    }
    return verify(argv[1], argv[2], argv[3], argc == 5 ? argv[4] : NULL);
}
