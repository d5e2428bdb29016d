/* image.c — impression processing over libvips (the only file that
 * includes vips.h): scan → red stamp found, cropped, background removed,
 * colour normalised, scaled to the declared millimetres. */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <vips/vips.h>

#include "eseal/image.h"

/* ---- starting libvips ----------------------------------------------------- */

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static bool vips_ok;

/* quiet drops libvips' warnings about a damaged scan: the caller gets the
 * error; a daemon's log is no place for what an uploader's file says. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain;
    (void)level;
    (void)msg;
    (void)data;
}

static void vips_start(void)
{
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, quiet, NULL);
    vips_ok = VIPS_INIT("eseal") == 0;
    if (!vips_ok)
        return;
    /* No operation cache: a cached load would hold a pointer into a caller's
     * buffer after it is freed, and cached results only cost memory here. */
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_leak_set(FALSE);
}

/* vips_fail copies libvips' message into |err| after |what| and clears it. */
static eseal_rc vips_fail(struct eseal_err *err, eseal_rc rc, const char *what)
{
    char reason[200];
    snprintf(reason, sizeof(reason), "%s", vips_error_buffer());
    vips_error_clear();
    size_t n = strlen(reason);
    while (n > 0 && (reason[n - 1] == '\n' || reason[n - 1] == ' '))
        reason[--n] = '\0';
    for (char *c = reason; *c != '\0'; c++)
        if (*c == '\n')
            *c = ' ';
    return eseal_err_set(err, rc, "%s: %s", what, reason[0] != '\0' ? reason : "libvips failed");
}

void eseal_image_result_init(struct eseal_image_result *r)
{
    memset(r, 0, sizeof(*r));
    eseal_buf_init(&r->png);
}

void eseal_image_result_cleanup(struct eseal_image_result *r)
{
    if (r == NULL)
        return;
    eseal_buf_cleanup(&r->png);
    memset(r, 0, sizeof(*r));
    eseal_buf_init(&r->png);
}

unsigned eseal_image_px(double mm, unsigned dpi)
{
    double px = floor(mm / 25.4 * (double)dpi + 0.5);
    return px < 1 ? 1u : (unsigned)px;
}

/* ---- the steps ------------------------------------------------------------- */

/* Local images hang off one parent object, unref'd once at the end. */
enum {
    L_SCAN,
    L_MEM,
    L_RGB,
    L_FLAT,
    L_R,
    L_G,
    L_B,
    L_GB_MORE,
    L_GB,
    L_DIFF,
    L_REDNESS,
    L_HIST,
    L_MASK,
    L_MEDIAN,
    L_CLEAN,
    L_COLS,
    L_ROWS,
    L_CROP_R,
    L_CROP_M,
    L_DISC,
    L_KEEP,
    L_SOFT,
    L_SOFT8,
    L_ALPHA,
    L_BLACK,
    L_RED,
    L_RED8,
    L_RED_SRGB,
    L_SIZED_A,
    L_SIZED,
    L_OUT_ALPHA,
    L_COUNT
};

/* otsu returns the threshold that best splits the 256-bin histogram |h|
 * into two classes (Otsu 1979: the largest between-class variance). */
static int otsu(const double h[256])
{
    double total = 0, sum = 0;
    for (int i = 0; i < 256; i++) {
        total += h[i];
        sum += i * h[i];
    }
    double w0 = 0, sum0 = 0, best = -1;
    int t = 0;
    for (int i = 0; i < 256; i++) {
        w0 += h[i];
        if (w0 == 0)
            continue;
        double w1 = total - w0;
        if (w1 == 0)
            break;
        sum0 += i * h[i];
        double m0 = sum0 / w0, m1 = (sum - sum0) / w1;
        double between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (between > best) {
            best = between;
            t = i;
        }
    }
    return t;
}

/* Auto thresholds stay within these: below, paper tint and scanner noise;
 * above, a faint stamp would be lost. */
#define AUTO_MIN 40
#define AUTO_MAX 160

/* read_sums reads a 1-band image of sums (vips_project) into doubles. */
static double *read_sums(VipsImage *in, size_t *n)
{
    VipsImage *d = NULL;
    if (vips_cast_double(in, &d, NULL) != 0)
        return NULL;
    size_t len = 0;
    double *v = vips_image_write_to_memory(d, &len);
    g_object_unref(d);
    *n = len / sizeof(double);
    return v;
}

/* main_run finds the run of non-zero entries of |v| (gaps up to |gap| are
 * bridged) that holds the most ink: the stamp; specks and stray marks
 * further away than |gap| form runs of their own and lose. */
static bool main_run(const double *v, size_t n, size_t gap, size_t *lo, size_t *hi)
{
    double best = 0, mass = 0;
    size_t start = 0, last = 0;
    bool open = false;
    for (size_t i = 0; i <= n; i++) {
        bool ink = i < n && v[i] > 0;
        if (ink && open && i - last > gap + 1) { /* the gap was too wide: close the run */
            if (mass > best) {
                best = mass;
                *lo = start;
                *hi = last;
            }
            open = false;
        }
        if (ink) {
            if (!open) {
                open = true;
                start = i;
                mass = 0;
            }
            mass += v[i];
            last = i;
        }
    }
    if (open && mass > best) {
        best = mass;
        *lo = start;
        *hi = last;
    }
    return best > 0;
}

/* A stamp is at least this many pixels each way (5 mm at 125 dpi): a
 * smaller red mark is a tick or a speck. */
#define STAMP_MIN_PX 24

/* stamp_box finds the stamp's box in the cleaned mask |m|: columns, then
 * rows within those columns, then columns again within those rows. */
static eseal_rc stamp_box(VipsImage *m, int box[4], struct eseal_err *err)
{
    int x = 0, y = 0, w = vips_image_get_width(m), h = vips_image_get_height(m);
    for (int pass = 0; pass < 3; pass++) {
        VipsImage *part = NULL, *cols = NULL, *rows = NULL;
        if (vips_crop(m, &part, x, y, w, h, NULL) != 0 ||
            vips_project(part, &cols, &rows, NULL) != 0) {
            if (part != NULL)
                g_object_unref(part);
            return vips_fail(err, ESEAL_E_INTERNAL, "测量印章 / measuring the stamp");
        }
        bool by_cols = pass != 1;
        size_t n = 0, lo = 0, hi = 0;
        double *v = read_sums(by_cols ? cols : rows, &n);
        g_object_unref(part);
        g_object_unref(cols);
        g_object_unref(rows);
        if (v == NULL)
            return vips_fail(err, ESEAL_E_INTERNAL, "测量印章 / measuring the stamp");
        size_t gap = n / 40 > 8 ? n / 40 : 8;
        bool found = main_run(v, n, gap, &lo, &hi);
        g_free(v);
        if (!found)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "扫描件中未找到红色印章 / no red stamp found in the scan "
                                 "(try a lower threshold)");
        if (by_cols) {
            x += (int)lo;
            w = (int)(hi - lo + 1);
        } else {
            y += (int)lo;
            h = (int)(hi - lo + 1);
        }
    }
    if (w < STAMP_MIN_PX || h < STAMP_MIN_PX)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "扫描件中未找到红色印章（红色区域仅 %d×%d 像素）/ no red stamp found "
                             "in the scan: the red mark is only %d×%d pixels",
                             w, h, w, h);
    box[0] = x;
    box[1] = y;
    box[2] = w;
    box[3] = h;
    return ESEAL_OK;
}

static bool is_png(const uint8_t *p, size_t n)
{
    return n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0;
}

static bool is_jpeg(const uint8_t *p, size_t n)
{
    return n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff;
}

static eseal_rc check_params(const struct eseal_image_params *p, unsigned *dpi,
                             struct eseal_err *err)
{
    *dpi = p->dpi == 0 ? ESEAL_IMAGE_DPI_DEFAULT : p->dpi;
    if (*dpi < ESEAL_IMAGE_DPI_MIN || *dpi > ESEAL_IMAGE_DPI_MAX)
        return eseal_err_set(
            err, ESEAL_E_INVALID, "分辨率须在 %d 至 %d dpi 之间 / dpi must be %d..%d",
            ESEAL_IMAGE_DPI_MIN, ESEAL_IMAGE_DPI_MAX, ESEAL_IMAGE_DPI_MIN, ESEAL_IMAGE_DPI_MAX);
    if (p->threshold != ESEAL_IMAGE_THRESHOLD_AUTO && (p->threshold < 0 || p->threshold > 255))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "阈值须在 0 至 255 之间 / the threshold must be 0..255");
    if (!(p->width_mm >= ESEAL_IMAGE_MM_MIN && p->width_mm <= ESEAL_IMAGE_MM_MAX &&
          p->height_mm >= ESEAL_IMAGE_MM_MIN && p->height_mm <= ESEAL_IMAGE_MM_MAX))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "印章尺寸须在 %.0f 至 %.0f 毫米之间 / the seal's size must be "
                             "%.0f..%.0f mm",
                             ESEAL_IMAGE_MM_MIN, ESEAL_IMAGE_MM_MAX, ESEAL_IMAGE_MM_MIN,
                             ESEAL_IMAGE_MM_MAX);
    return ESEAL_OK;
}

/* load_scan opens the scan with the loader its magic bytes name (never
 * libvips' guess: no SVG, PDF or other loader sees untrusted bytes), checks
 * its size from the header, then decodes it once into memory. */
static eseal_rc load_scan(VipsImage **t, const uint8_t *scan, size_t len, struct eseal_err *err)
{
    if (len > ESEAL_IMAGE_SCAN_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "扫描件超过 %u MiB / the scan is over %u MiB",
                             ESEAL_IMAGE_SCAN_MAX >> 20, ESEAL_IMAGE_SCAN_MAX >> 20);
    int rc;
    if (is_png(scan, len))
        rc =
            vips_pngload_buffer((void *)scan, len, &t[L_SCAN], "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    else if (is_jpeg(scan, len))
        rc = vips_jpegload_buffer((void *)scan, len, &t[L_SCAN], "fail_on", VIPS_FAIL_ON_ERROR,
                                  NULL);
    else
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "扫描件须为 PNG 或 JPEG 图像 / the scan must be a PNG or JPEG image");
    if (rc != 0)
        return vips_fail(err, ESEAL_E_INVALID, "无法读取扫描件 / cannot read the scan");
    uint64_t w = (uint64_t)vips_image_get_width(t[L_SCAN]);
    uint64_t h = (uint64_t)vips_image_get_height(t[L_SCAN]);
    if (w * h > ESEAL_IMAGE_PIXELS_MAX)
        return eseal_err_set(
            err, ESEAL_E_TOOBIG,
            "扫描件 %llu×%llu 像素，超过 %u 万像素 / the scan is %llu×%llu pixels, "
            "over %u megapixels",
            (unsigned long long)w, (unsigned long long)h, ESEAL_IMAGE_PIXELS_MAX / 10000,
            (unsigned long long)w, (unsigned long long)h, ESEAL_IMAGE_PIXELS_MAX / 1000000);
    if (w < 8 || h < 8)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "扫描件过小 / the scan is too small (%llu×%llu pixels)",
                             (unsigned long long)w, (unsigned long long)h);
    if ((t[L_MEM] = vips_image_copy_memory(t[L_SCAN])) == NULL)
        return vips_fail(err, ESEAL_E_INVALID, "无法读取扫描件 / cannot read the scan");
    return ESEAL_OK;
}

/* redness computes R − max(G, B) clipped to 0..255 (uchar, in memory): grey
 * paper, black or grey print and blue ink are near 0, seal red near 200. */
static eseal_rc redness(VipsImage **t, struct eseal_err *err)
{
    VipsImage *in = t[L_MEM];
    if (vips_colourspace(in, &t[L_RGB], VIPS_INTERPRETATION_sRGB, NULL) != 0)
        return vips_fail(err, ESEAL_E_INVALID, "无法转换颜色 / cannot convert the colours");
    in = t[L_RGB];
    if (vips_image_hasalpha(in)) { /* a transparent scan is on white paper */
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        int rc = vips_flatten(in, &t[L_FLAT], "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (rc != 0)
            return vips_fail(err, ESEAL_E_INVALID, "无法转换颜色 / cannot convert the colours");
        in = t[L_FLAT];
    }
    if (vips_extract_band(in, &t[L_R], 0, NULL) != 0 ||
        vips_extract_band(in, &t[L_G], 1, NULL) != 0 ||
        vips_extract_band(in, &t[L_B], 2, NULL) != 0 ||
        vips_relational(t[L_G], t[L_B], &t[L_GB_MORE], VIPS_OPERATION_RELATIONAL_MORE, NULL) != 0 ||
        vips_ifthenelse(t[L_GB_MORE], t[L_G], t[L_B], &t[L_GB], NULL) != 0 ||
        vips_subtract(t[L_R], t[L_GB], &t[L_DIFF], NULL) != 0 ||
        vips_cast_uchar(t[L_DIFF], &t[L_HIST], NULL) != 0 || /* clips to 0..255 */
        (t[L_REDNESS] = vips_image_copy_memory(t[L_HIST])) == NULL)
        return vips_fail(err, ESEAL_E_INVALID, "无法计算红色度 / cannot measure the redness");
    g_object_unref(t[L_HIST]);
    t[L_HIST] = NULL;
    return ESEAL_OK;
}

/* find_threshold returns Otsu's threshold on the redness histogram, kept
 * within AUTO_MIN..AUTO_MAX. */
static eseal_rc find_threshold(VipsImage **t, int *out, struct eseal_err *err)
{
    if (vips_hist_find(t[L_REDNESS], &t[L_HIST], NULL) != 0)
        return vips_fail(err, ESEAL_E_INTERNAL, "直方图 / the histogram");
    size_t n = 0;
    double *h = read_sums(t[L_HIST], &n);
    if (h == NULL || n != 256) {
        g_free(h);
        return vips_fail(err, ESEAL_E_INTERNAL, "直方图 / the histogram");
    }
    int th = otsu(h);
    g_free(h);
    *out = th < AUTO_MIN ? AUTO_MIN : th > AUTO_MAX ? AUTO_MAX : th;
    return ESEAL_OK;
}

/* picture builds the RGBA picture from the stamp's box |box|: opacity from
 * the redness between th/2 and 3th/2 (soft edges), zero outside the cleaned
 * stamp mask (grown by 2 px to keep those edges), colour the seal red. */
static eseal_rc picture(VipsImage **t, const int box[4], int th, unsigned w_px, unsigned h_px,
                        struct eseal_err *err)
{
    double lo = th / 2.0, hi = th * 1.5 > 255 ? 255 : th * 1.5;
    if (hi - lo < 1)
        hi = lo + 1;
    /* a 5×5 disc: 255 must be set (any one sets the output), 128 ignored */
    static const double disc[25] = {128, 255, 255, 255, 128, 255, 255, 255, 255, 255, 255, 255, 255,
                                    255, 255, 255, 255, 255, 255, 255, 128, 255, 255, 255, 128};
    double a[3] = {0, 0, 0}, red[3] = {ESEAL_IMAGE_RED_R, ESEAL_IMAGE_RED_G, ESEAL_IMAGE_RED_B};
    if (vips_crop(t[L_REDNESS], &t[L_CROP_R], box[0], box[1], box[2], box[3], NULL) != 0 ||
        vips_crop(t[L_CLEAN], &t[L_CROP_M], box[0], box[1], box[2], box[3], NULL) != 0 ||
        (t[L_DISC] = vips_image_new_matrix_from_array(5, 5, disc, 25)) == NULL ||
        vips_morph(t[L_CROP_M], &t[L_KEEP], t[L_DISC], VIPS_OPERATION_MORPHOLOGY_DILATE, NULL) !=
            0 || /* grown by 2 px */
        vips_linear1(t[L_CROP_R], &t[L_SOFT], 255.0 / (hi - lo), -lo * 255.0 / (hi - lo), NULL) !=
            0 ||
        vips_cast_uchar(t[L_SOFT], &t[L_SOFT8], NULL) != 0 ||
        vips_andimage(t[L_SOFT8], t[L_KEEP], &t[L_ALPHA], NULL) != 0 ||
        /* only the opacity is scaled: the colour is one constant */
        vips_thumbnail_image(t[L_ALPHA], &t[L_SIZED_A], (int)w_px, "height", (int)h_px, "size",
                             VIPS_SIZE_FORCE, NULL) != 0 ||
        (t[L_OUT_ALPHA] = vips_image_copy_memory(t[L_SIZED_A])) == NULL ||
        vips_black(&t[L_BLACK], (int)w_px, (int)h_px, "bands", 3, NULL) != 0 ||
        vips_linear(t[L_BLACK], &t[L_RED], a, red, 3, NULL) != 0 ||
        vips_cast_uchar(t[L_RED], &t[L_RED8], NULL) != 0 ||
        vips_copy(t[L_RED8], &t[L_RED_SRGB], "interpretation", VIPS_INTERPRETATION_sRGB, NULL) !=
            0 ||
        vips_bandjoin2(t[L_RED_SRGB], t[L_OUT_ALPHA], &t[L_SIZED], NULL) != 0)
        return vips_fail(err, ESEAL_E_INTERNAL, "生成印章图片 / making the picture");
    if (vips_image_get_bands(t[L_OUT_ALPHA]) != 1 ||
        (unsigned)vips_image_get_width(t[L_SIZED]) != w_px ||
        (unsigned)vips_image_get_height(t[L_SIZED]) != h_px)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "scaled to %dx%d, not %ux%u",
                             vips_image_get_width(t[L_SIZED]), vips_image_get_height(t[L_SIZED]),
                             w_px, h_px);
    return ESEAL_OK;
}

static eseal_rc encode(VipsImage **t, struct eseal_image_result *out, struct eseal_err *err)
{
    void *png = NULL;
    size_t len = 0;
    double avg = 0;
    if (vips_pngsave_buffer(t[L_SIZED], &png, &len, "compression", 6, "strip", TRUE, NULL) != 0)
        return vips_fail(err, ESEAL_E_INTERNAL, "保存图片 / saving the picture");
    eseal_buf_reset(&out->png);
    eseal_buf_append(&out->png, png, len);
    g_free(png);
    if (vips_avg(t[L_OUT_ALPHA], &avg, NULL) != 0)
        return vips_fail(err, ESEAL_E_INTERNAL, "测量图片 / measuring the picture");
    out->ink_ratio = avg / 255.0;
    return ESEAL_OK;
}

eseal_rc eseal_image_impression(struct eseal_image_result *out,
                                const struct eseal_image_params *params, const uint8_t *scan,
                                size_t scan_len, struct eseal_err *err)
{
    unsigned dpi = 0;
    eseal_rc rc = check_params(params, &dpi, err);
    if (rc != ESEAL_OK)
        return rc;
    pthread_once(&vips_once, vips_start);
    if (!vips_ok)
        return vips_fail(err, ESEAL_E_INTERNAL, "libvips 未能启动 / libvips did not start");
    VipsObject *parent = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **)vips_object_local_array(parent, L_COUNT);
    int th = params->threshold, box[4] = {0, 0, 0, 0};
    unsigned w_px = eseal_image_px(params->width_mm, dpi);
    unsigned h_px = eseal_image_px(params->height_mm, dpi);
    if ((rc = load_scan(t, scan, scan_len, err)) != ESEAL_OK || (rc = redness(t, err)) != ESEAL_OK)
        goto out;
    if (th == ESEAL_IMAGE_THRESHOLD_AUTO && (rc = find_threshold(t, &th, err)) != ESEAL_OK)
        goto out;
    /* the mask, with specks of one or two pixels removed by a 3×3 median
     * (strokes two pixels wide survive it) */
    if (vips_moreeq_const1(t[L_REDNESS], &t[L_MASK], th > 0 ? th : 1, NULL) != 0 ||
        vips_rank(t[L_MASK], &t[L_MEDIAN], 3, 3, 4, NULL) != 0 ||
        (t[L_CLEAN] = vips_image_copy_memory(t[L_MEDIAN])) == NULL || /* measured 3 times */
        (rc = stamp_box(t[L_CLEAN], box, err)) != ESEAL_OK) {
        if (rc == ESEAL_OK)
            rc = vips_fail(err, ESEAL_E_INTERNAL, "阈值 / thresholding");
        goto out;
    }
    if ((rc = picture(t, box, th, w_px, h_px, err)) != ESEAL_OK ||
        (rc = encode(t, out, err)) != ESEAL_OK)
        goto out;
    out->width_px = w_px;
    out->height_px = h_px;
    out->dpi = dpi;
    out->threshold = th;
    out->scan_width = (unsigned)vips_image_get_width(t[L_MEM]);
    out->scan_height = (unsigned)vips_image_get_height(t[L_MEM]);
    out->bbox_x = (unsigned)box[0];
    out->bbox_y = (unsigned)box[1];
    out->bbox_w = (unsigned)box[2];
    out->bbox_h = (unsigned)box[3];
out:
    g_object_unref(parent);
    return rc;
}
