/* test_image.c — impression processing: scans drawn here (a red round and a
 * red rectangular stamp, tilted, on noisy off-white paper with grey print
 * beside them and red specks away from them) become pictures with a
 * transparent background, seal-red ink, the declared aspect and the stamp
 * filling the picture; bad scans are refused with a clear error. The scans
 * are encoded and the pictures decoded with libvips itself. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vips/vips.h>

#include "eseal/image.h"
#include "testutil.h"

/* ---- drawing scans ------------------------------------------------------------ */

enum shape { ROUND, RECT, NONE };

struct scan {
    int w, h;
    uint8_t *px; /* RGB */
};

static uint32_t rng = 12345;
static int noise(int amp)
{
    rng = rng * 1103515245u + 12345u;
    return (int)((rng >> 16) % (unsigned)(2 * amp + 1)) - amp;
}

static uint8_t clamp(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* ink lays colour (r,g,b) over pixel (x,y) with coverage c (0..1). */
static void ink(struct scan *s, int x, int y, double c, int r, int g, int b)
{
    if (x < 0 || y < 0 || x >= s->w || y >= s->h || c <= 0)
        return;
    uint8_t *p = s->px + ((size_t)y * (size_t)s->w + (size_t)x) * 3;
    int col[3] = {r, g, b};
    for (int k = 0; k < 3; k++)
        p[k] = clamp((int)lround(p[k] * (1 - c) + col[k] * c));
}

/* star_inside: a five-pointed star of outer radius |ro| at the origin. */
static bool star_inside(double x, double y, double ro)
{
    double ri = ro * 0.38, a = atan2(y, x) + M_PI / 2, r = hypot(x, y);
    double seg = fmod(a + 4 * M_PI, 2 * M_PI / 5) / (2 * M_PI / 5); /* 0..1 across a point */
    double edge = seg < 0.5 ? ro + (ri - ro) * seg * 2 : ri + (ro - ri) * (seg - 0.5) * 2;
    return r <= edge;
}

/* in_stamp tells whether stamp-frame point (u,v) (origin at the centre,
 * unrotated) is ink. Round: ring, star, two arcs of "text". Rect: frame
 * and three bars of "text". */
static bool in_stamp(enum shape sh, double u, double v, double size_a, double size_b)
{
    if (sh == ROUND) {
        double r = hypot(u, v), R = size_a;
        if (r <= R && r >= R - 14)
            return true;
        if (star_inside(u, v, R * 0.3))
            return true;
        /* text-like strokes around the inside of the ring */
        double ang = atan2(v, u) * 180 / M_PI;
        if (r <= R - 28 && r >= R - 62 && ang < -20 && ang > -160 && fmod(ang + 360, 14) < 6)
            return true;
        return r <= R * 0.55 + 4 && r >= R * 0.55 - 4 && v > R * 0.45;
    }
    if (sh == RECT) {
        double a = size_a, b = size_b; /* half width, half height */
        bool outer = fabs(u) <= a && fabs(v) <= b;
        bool inner = fabs(u) <= a - 12 && fabs(v) <= b - 12;
        if (outer && !inner)
            return true;
        for (int k = -1; k <= 1; k++)
            if (fabs(v - k * b * 0.5) <= 8 && fabs(u) <= a * 0.75 && fmod(u + a, 40) < 30)
                return true;
    }
    return false;
}

/* draw makes a w×h scan: paper #F2EEDC with noise, grey print lines left of
 * and below the stamp, red specks in far corners, and the stamp centred at
 * (cx,cy) tilted by |tilt| degrees (anti-aliased by 3×3 supersampling). */
static struct scan draw(int w, int h, enum shape sh, double cx, double cy, double a, double b,
                        double tilt)
{
    struct scan s = {w, h, malloc((size_t)w * (size_t)h * 3)};
    rng = 12345;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        int n = noise(10);
        s.px[i * 3] = clamp(0xF2 + n + noise(3));
        s.px[i * 3 + 1] = clamp(0xEE + n + noise(3));
        s.px[i * 3 + 2] = clamp(0xDC + n + noise(3));
    }
    /* printed text: dark grey bars, like lines of a form */
    for (int line = 0; line < 6; line++)
        for (int y = 40 + line * 40; y < 40 + line * 40 + 16; y++)
            for (int x = 30; x < (int)(cx - a - 40); x++)
                if ((x / 18) % 3 != 2)
                    ink(&s, x, y, 0.85, 0x40, 0x40, 0x40);
    for (int y = h - 60; y < h - 44; y++)
        for (int x = 60; x < w - 60; x++)
            if ((x / 22) % 4 != 3)
                ink(&s, x, y, 0.9, 0x38, 0x38, 0x3c);
    /* red specks far from the stamp: scanner dust, a pen tick */
    for (int k = 0; k < 3; k++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
                ink(&s, w - 25 - k * 11 + x, 12 + y, 1, 0xD0, 0x20, 0x30);
    for (int x = 0; x < 30; x++)
        for (int y = 0; y < 4; y++)
            ink(&s, w - 40 + x, h / 2 + x / 3 + y, 1, 0xC8, 0x30, 0x30);
    if (sh == NONE)
        return s;
    double t = tilt * M_PI / 180, ext = hypot(a, b > 0 ? b : a) + 4;
    for (int y = (int)(cy - ext); y <= (int)(cy + ext); y++)
        for (int x = (int)(cx - ext); x <= (int)(cx + ext); x++) {
            int hits = 0;
            for (int sy = 0; sy < 3; sy++)
                for (int sx = 0; sx < 3; sx++) {
                    double dx = x + (sx + 0.5) / 3 - cx, dy = y + (sy + 0.5) / 3 - cy;
                    double u = dx * cos(t) + dy * sin(t), v = -dx * sin(t) + dy * cos(t);
                    hits += in_stamp(sh, u, v, a, b);
                }
            /* the ink is a scanned red, not the standard one, and uneven */
            ink(&s, x, y, hits / 9.0 * (0.85 + noise(10) / 100.0), 0xC8, 0x28, 0x30);
        }
    return s;
}

/* encode saves |s| as PNG (or JPEG, quality 88) bytes (g_free them). */
static void *encode(const struct scan *s, bool jpeg, size_t *len)
{
    VipsImage *im = vips_image_new_from_memory(s->px, (size_t)s->w * (size_t)s->h * 3, s->w, s->h,
                                               3, VIPS_FORMAT_UCHAR);
    assert_non_null(im);
    void *buf = NULL;
    int rc = jpeg ? vips_jpegsave_buffer(im, &buf, len, "Q", 88, NULL)
                  : vips_pngsave_buffer(im, &buf, len, "compression", 1, NULL);
    assert_int_equal(rc, 0);
    g_object_unref(im);
    return buf;
}

/* ---- checking pictures ------------------------------------------------------- */

struct picture {
    int w, h;
    uint8_t *px; /* RGBA */
};

static struct picture decode(const struct eseal_buf *png)
{
    VipsImage *im = NULL;
    assert_int_equal(vips_pngload_buffer(png->data, png->len, &im, NULL), 0);
    assert_int_equal(vips_image_get_bands(im), 4);
    assert_int_equal(vips_image_get_format(im), VIPS_FORMAT_UCHAR);
    size_t n = 0;
    struct picture p = {vips_image_get_width(im), vips_image_get_height(im),
                        vips_image_write_to_memory(im, &n)};
    assert_int_equal(n, (size_t)p.w * (size_t)p.h * 4);
    g_object_unref(im);
    return p;
}

static const uint8_t *at(const struct picture *p, int x, int y)
{
    return p->px + ((size_t)y * (size_t)p->w + (size_t)x) * 4;
}

/* check_picture asserts what every good picture has: the declared size,
 * transparent corners, seal red wherever it is opaque, and the stamp
 * filling at least 90 % of each dimension. */
static void check_picture(const struct eseal_image_result *r, double wmm, double hmm, unsigned dpi,
                          bool round_corners)
{
    struct picture p = decode(&r->png);
    assert_int_equal(p.w, (int)lround(wmm / 25.4 * dpi));
    assert_int_equal(p.h, (int)lround(hmm / 25.4 * dpi));
    assert_int_equal((unsigned)p.w, r->width_px);
    assert_int_equal((unsigned)p.h, r->height_px);
    double aspect = ((double)p.w / p.h) / (wmm / hmm);
    assert_true(aspect > 0.98 && aspect < 1.02);
    if (round_corners) {
        assert_int_equal(at(&p, 0, 0)[3], 0);
        assert_int_equal(at(&p, p.w - 1, 0)[3], 0);
        assert_int_equal(at(&p, 0, p.h - 1)[3], 0);
        assert_int_equal(at(&p, p.w - 1, p.h - 1)[3], 0);
    }
    int x0 = p.w, y0 = p.h, x1 = -1, y1 = -1, opaque = 0, clear = 0;
    for (int y = 0; y < p.h; y++)
        for (int x = 0; x < p.w; x++) {
            const uint8_t *q = at(&p, x, y);
            if (q[3] == 0)
                clear++;
            if (q[3] < 128)
                continue;
            opaque++;
            /* the standard seal red, not the scanned one */
            assert_true(q[0] >= ESEAL_IMAGE_RED_R - 3 && q[0] <= ESEAL_IMAGE_RED_R + 3);
            assert_true(q[1] <= ESEAL_IMAGE_RED_G + 3);
            assert_true(q[2] >= ESEAL_IMAGE_RED_B - 3 && q[2] <= ESEAL_IMAGE_RED_B + 3);
            x0 = x < x0 ? x : x0;
            y0 = y < y0 ? y : y0;
            x1 = x > x1 ? x : x1;
            y1 = y > y1 ? y : y1;
        }
    assert_true(opaque > 0);
    assert_true(x1 - x0 + 1 >= p.w * 0.9);
    assert_true(y1 - y0 + 1 >= p.h * 0.9);
    /* most of a seal's box is paper: transparent */
    assert_true(clear > p.w * p.h / 4);
    assert_true(r->ink_ratio > 0.05 && r->ink_ratio < 0.75);
    g_free(p.px);
}

static eseal_rc process(const struct scan *s, bool jpeg, int threshold, double wmm, double hmm,
                        unsigned dpi, struct eseal_image_result *r, struct eseal_err *err)
{
    size_t len = 0;
    void *buf = encode(s, jpeg, &len);
    struct eseal_image_params p = {threshold, wmm, hmm, dpi};
    eseal_rc rc = eseal_image_impression(r, &p, buf, len, err);
    g_free(buf);
    return rc;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_round_stamp(void **state)
{
    (void)state;
    /* a 42 mm round stamp scanned at 300 dpi: radius 248 px */
    struct scan s = draw(1400, 1100, ROUND, 820, 480, 248, 0, 3.0);
    struct eseal_image_result r;
    eseal_image_result_init(&r);
    struct eseal_err err;
    eseal_rc rc = process(&s, false, ESEAL_IMAGE_THRESHOLD_AUTO, 42, 42, 0, &r, &err);
    if (rc != ESEAL_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(r.dpi, ESEAL_IMAGE_DPI_DEFAULT);
    assert_true(r.threshold >= 40 && r.threshold <= 160);
    /* the box is the stamp's: not the print, not the specks */
    assert_true(abs((int)r.bbox_x - (820 - 248)) <= 3);
    assert_true(abs((int)r.bbox_y - (480 - 248)) <= 3);
    assert_true(abs((int)r.bbox_w - 497) <= 5);
    assert_true(abs((int)r.bbox_h - 497) <= 5);
    assert_int_equal(r.scan_width, 1400);
    check_picture(&r, 42, 42, 300, true);

    /* a given threshold is used; a JPEG scan works too */
    rc = process(&s, true, 90, 40, 40, 600, &r, &err);
    if (rc != ESEAL_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(r.threshold, 90);
    assert_int_equal(r.dpi, 600);
    check_picture(&r, 40, 40, 600, true);
    eseal_image_result_cleanup(&r);
    free(s.px);
}

static void test_rect_stamp(void **state)
{
    (void)state;
    /* a 50 × 25 mm stamp at 300 dpi (295 × 148 px half-sizes), tilted 4° */
    struct scan s = draw(1500, 1000, RECT, 900, 420, 295, 148, -4.0);
    struct eseal_image_result r;
    eseal_image_result_init(&r);
    struct eseal_err err;
    eseal_rc rc = process(&s, false, ESEAL_IMAGE_THRESHOLD_AUTO, 50, 25, 300, &r, &err);
    if (rc != ESEAL_OK)
        fail_msg("%s", err.msg);
    /* the axis-aligned box of the tilted frame */
    double t = 4.0 * M_PI / 180;
    int half_w = (int)lround(295 * cos(t) + 148 * sin(t)),
        half_h = (int)lround(295 * sin(t) + 148 * cos(t));
    assert_true(abs((int)r.bbox_x - (900 - half_w)) <= 3);
    assert_true(abs((int)r.bbox_w - 2 * half_w) <= 6);
    assert_true(abs((int)r.bbox_y - (420 - half_h)) <= 3);
    assert_true(abs((int)r.bbox_h - 2 * half_h) <= 6);
    check_picture(&r, 50, 25, 300, true);
    eseal_image_result_cleanup(&r);
    free(s.px);
}

static void expect_error(const void *data, size_t len, eseal_rc want, const char *words)
{
    struct eseal_image_result r;
    eseal_image_result_init(&r);
    struct eseal_image_params p = {ESEAL_IMAGE_THRESHOLD_AUTO, 42, 42, 300};
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_image_impression(&r, &p, data, len, &err), want);
    if (strstr(err.msg, words) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, words);
    assert_int_equal(r.png.len, 0);
    eseal_image_result_cleanup(&r);
}

static void test_bad_scans(void **state)
{
    (void)state;
    static const char text[] = "%PDF-1.4 not an image at all";
    expect_error(text, sizeof(text), ESEAL_E_INVALID, "PNG or JPEG");
    expect_error("<svg xmlns='http://www.w3.org/2000/svg'/>", 41, ESEAL_E_INVALID, "PNG or JPEG");

    struct scan s = draw(600, 500, ROUND, 380, 250, 150, 0, 0);
    size_t len = 0;
    uint8_t *png = encode(&s, false, &len);
    expect_error(png, len / 2, ESEAL_E_INVALID, "cannot read the scan"); /* truncated */
    g_free(png);

    /* a JPEG whose frame header claims 60000 × 60000 pixels */
    uint8_t *jpg = encode(&s, true, &len);
    size_t sof = 2;
    while (sof + 9 < len && !(jpg[sof] == 0xff && jpg[sof + 1] == 0xc0))
        sof++;
    assert_true(sof + 9 < len);
    jpg[sof + 5] = jpg[sof + 7] = 0xea; /* 0xea60 = 60000 */
    jpg[sof + 6] = jpg[sof + 8] = 0x60;
    expect_error(jpg, len, ESEAL_E_TOOBIG, "megapixels");
    g_free(jpg);

    /* over 20 MiB: refused before anything is decoded */
    uint8_t *big = calloc(ESEAL_IMAGE_SCAN_MAX + 1, 1);
    memcpy(big, "\x89PNG\r\n\x1a\n", 8);
    expect_error(big, ESEAL_IMAGE_SCAN_MAX + 1, ESEAL_E_TOOBIG, "MiB");
    free(big);
    free(s.px);

    /* paper and print but no stamp */
    struct scan blank = draw(600, 500, NONE, 380, 250, 150, 0, 0);
    png = encode(&blank, false, &len);
    expect_error(png, len, ESEAL_E_INVALID, "no red stamp");
    g_free(png);
    free(blank.px);
}

static void test_bad_params(void **state)
{
    (void)state;
    struct scan s = draw(600, 500, ROUND, 380, 250, 150, 0, 0);
    struct eseal_image_result r;
    eseal_image_result_init(&r);
    struct eseal_err err;
    assert_int_equal(process(&s, false, -1, 42, 42, 10, &r, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "dpi"));
    assert_int_equal(process(&s, false, 256, 42, 42, 300, &r, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "threshold"));
    assert_int_equal(process(&s, false, -1, 0, 42, 300, &r, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "mm"));
    /* a threshold above any red finds nothing */
    assert_int_equal(process(&s, false, 255, 42, 42, 300, &r, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "no red stamp"));
    eseal_image_result_cleanup(&r);
    free(s.px);
}

/* A 3000 × 3000 scan (9 megapixels, a 42 mm stamp at 1200 dpi would be
 * about 2000 px across) is processed in well under a second on one core of
 * the CI machine; the bound here leaves room for a sanitizer build. */
static void test_speed(void **state)
{
    (void)state;
    struct scan s = draw(3000, 3000, ROUND, 1700, 1400, 900, 0, 2.0);
    size_t len = 0;
    void *buf = encode(&s, false, &len);
    struct eseal_image_result r;
    eseal_image_result_init(&r);
    struct eseal_image_params p = {ESEAL_IMAGE_THRESHOLD_AUTO, 42, 42, 300};
    struct eseal_err err;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    eseal_rc rc = eseal_image_impression(&r, &p, buf, len, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (rc != ESEAL_OK)
        fail_msg("%s", err.msg);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("# 3000x3000 scan (%zu bytes PNG) processed in %.3f s\n", len, secs);
    assert_true(secs < 10.0);
    check_picture(&r, 42, 42, 300, true);
    eseal_image_result_cleanup(&r);
    g_free(buf);
    free(s.px);
}

int main(void)
{
    if (VIPS_INIT("test_image") != 0)
        return 1;
    vips_cache_set_max(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_stamp), cmocka_unit_test(test_rect_stamp),
        cmocka_unit_test(test_bad_scans),   cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_speed),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    vips_shutdown();
    return failed;
}
