/*
 * oftemplate: OpenFlow messages made once and copied; see oftemplate.h.
 */
#include <config.h>
#include "ofproto-ext/oftemplate.h"

#include <stdint.h>
#include <string.h>

#include "openvswitch/ofpbuf.h"

size_t
oftemplate_find_once(const struct ofpbuf *msg, const void *p, size_t n)
{
    const uint8_t *data = msg->data;
    size_t found = SIZE_MAX;

    for (size_t i = 0; i + n <= msg->size; i++) {
        if (!memcmp(data + i, p, n)) {
            if (found != SIZE_MAX) {
                return SIZE_MAX;
            }
            found = i;
        }
    }
    return found;
}
