/* fuzz_xml.c — libFuzzer target for the XML adapter (core/xml.c over
 * libxml2): any bytes through eseal_xml_parse with its refusals (DTD,
 * entities, depth, size), then a walk of the whole tree. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eseal/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const struct eseal_xml_node *n)
{
    size_t sum = strlen(n->name) + strlen(n->text);
    for (size_t i = 0; i < n->n_attrs; i++)
        sum += strlen(n->attrs[2 * i]) + strlen(n->attrs[2 * i + 1]);
    for (size_t i = 0; i < n->n_children; i++)
        sum += walk(&n->children[i]);
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eseal_xml *x = NULL;
    if (eseal_xml_parse(&x, data, size, "fuzz.xml", NULL) == ESEAL_OK)
        (void)walk(eseal_xml_root(x));
    eseal_xml_free(x);
    return 0;
}
