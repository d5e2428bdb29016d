/* image.h — impression processing (印模电子化): the scan of a paper seal
 * impression turned into the seal's picture, a PNG with alpha at the size
 * the form declares. The adapter over libvips (core/image.c is the only
 * code that includes vips.h); docs/issuer-domain.md explains the steps. */
#ifndef ESEAL_IMAGE_H
#define ESEAL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* Limits on a scan: bytes, and pixels (width × height), checked from the
 * header before any pixel is decoded. */
#define ESEAL_IMAGE_SCAN_MAX (20u * 1024 * 1024)
#define ESEAL_IMAGE_PIXELS_MAX 40000000u
/* The resolution of the picture when none is asked for: 300 dpi, the usual
 * print resolution, gives a 42 mm round seal 496 px across. */
#define ESEAL_IMAGE_DPI_DEFAULT 300
#define ESEAL_IMAGE_DPI_MIN 72
#define ESEAL_IMAGE_DPI_MAX 1200
/* The declared size, in millimetres, a picture may have. */
#define ESEAL_IMAGE_MM_MIN 5.0
#define ESEAL_IMAGE_MM_MAX 200.0
/* ESEAL_IMAGE_THRESHOLD_AUTO asks for the threshold found from the scan. */
#define ESEAL_IMAGE_THRESHOLD_AUTO (-1)
/* The standard seal red every stamp pixel is given (#E60012). */
#define ESEAL_IMAGE_RED_R 0xE6
#define ESEAL_IMAGE_RED_G 0x00
#define ESEAL_IMAGE_RED_B 0x12

/* struct eseal_image_params says how to process a scan. */
struct eseal_image_params {
    int threshold;    /* 0..255 on the redness scale, or ESEAL_IMAGE_THRESHOLD_AUTO */
    double width_mm;  /* the form's declared width (ESEAL_IMAGE_MM_MIN..MAX) */
    double height_mm; /* and height */
    unsigned dpi;     /* ESEAL_IMAGE_DPI_MIN..MAX; 0 is ESEAL_IMAGE_DPI_DEFAULT */
};

/* struct eseal_image_result is a processed impression and what was measured
 * (caller-owned storage: eseal_image_result_init / _cleanup). */
struct eseal_image_result {
    struct eseal_buf png;    /* the picture: 8-bit RGBA PNG, metadata stripped */
    unsigned width_px;       /* = round(width_mm / 25.4 * dpi) */
    unsigned height_px;      /* = round(height_mm / 25.4 * dpi) */
    unsigned dpi;            /* the resolution used */
    int threshold;           /* the threshold used (found or given) */
    unsigned scan_width;     /* the scan's size in pixels */
    unsigned scan_height;    /*   */
    unsigned bbox_x, bbox_y; /* the stamp's box in the scan (pixels) */
    unsigned bbox_w, bbox_h; /*   */
    double ink_ratio;        /* mean opacity of the picture, 0..1 */
};

void eseal_image_result_init(struct eseal_image_result *r);
/* eseal_image_result_cleanup frees what |r| holds; accepts NULL. */
void eseal_image_result_cleanup(struct eseal_image_result *r);

/* eseal_image_px returns round(mm / 25.4 * dpi): the pixels |mm| takes. */
unsigned eseal_image_px(double mm, unsigned dpi);

/* eseal_image_impression processes the scan |scan| (PNG or JPEG bytes) with
 * |params| into |out| (initialised; replaced on success). It finds the red
 * stamp by its redness, R − max(G, B), against a threshold (Otsu's, from the
 * redness histogram, unless given); ignores specks and marks apart from the
 * stamp; crops to the stamp's axis-aligned box; makes every pixel that is
 * not stamp transparent and every stamp pixel the standard seal red, its
 * opacity following the ink (soft edges kept); and scales the result to
 * exactly width_px × height_px. Errors: not PNG or JPEG, bad parameters, or
 * no stamp found ESEAL_E_INVALID; over ESEAL_IMAGE_SCAN_MAX bytes or
 * ESEAL_IMAGE_PIXELS_MAX pixels ESEAL_E_TOOBIG; a damaged image
 * ESEAL_E_INVALID with the decoder's reason. Messages are Chinese, then
 * English. Thread-safe (libvips is started once, on first use). */
eseal_rc eseal_image_impression(struct eseal_image_result *out,
                                const struct eseal_image_params *params, const uint8_t *scan,
                                size_t scan_len, struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
