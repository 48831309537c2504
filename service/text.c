/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "text.h"

/* Length of the UTF-8 sequence that starts at p (1 for a stray byte, as Go treats invalid input). */
static size_t utf8_char_len(const unsigned char *p, size_t avail) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 1;
        return n <= avail ? n : 1;
}

static uint32_t utf8_decode(const unsigned char *p, size_t n) {
        static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
        uint32_t c = p[0] & lead_mask[n];

        for (size_t i = 1; i < n; i++)
                c = (c << 6) | (p[i] & 0x3f);
        return c;
}

/* Go's unicode.IsSpace. */
static int is_space(uint32_t c) {
        switch (c) {
        case '\t':
        case '\n':
        case '\v':
        case '\f':
        case '\r':
        case ' ':
        case 0x85:
        case 0xa0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202f:
        case 0x205f:
        case 0x3000: return 1;
        default: return c >= 0x2000 && c <= 0x200a;
        }
}

int text_split(const char *value, size_t len, const char *sep, size_t sep_len, TextPieceFn fn, void *userdata) {
        const char *p = value, *end = value + len;
        int r;

        if (sep_len == 0) {
                while (p < end) {
                        size_t n = utf8_char_len((const unsigned char *)p, (size_t)(end - p));
                        r = fn(p, n, userdata);
                        if (r < 0)
                                return r;
                        p += n;
                }
                return 0;
        }

        for (;;) {
                const char *hit = (size_t)(end - p) >= sep_len ? memmem(p, (size_t)(end - p), sep, sep_len) : NULL;
                if (!hit)
                        return fn(p, (size_t)(end - p), userdata);
                r = fn(p, (size_t)(hit - p), userdata);
                if (r < 0)
                        return r;
                p = hit + sep_len;
        }
}

int text_fields(const char *value, size_t len, TextPieceFn fn, void *userdata) {
        const unsigned char *p = (const unsigned char *)value, *end = p + len, *start = NULL;
        int r;

        while (p < end) {
                size_t n = utf8_char_len(p, (size_t)(end - p));
                int space = n == 1 && *p >= 0x80 ? 0 : is_space(utf8_decode(p, n));

                if (space && start) {
                        r = fn((const char *)start, (size_t)(p - start), userdata);
                        if (r < 0)
                                return r;
                        start = NULL;
                } else if (!space && !start)
                        start = p;
                p += n;
        }
        if (start)
                return fn((const char *)start, (size_t)(end - start), userdata);
        return 0;
}
