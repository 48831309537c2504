/* SPDX-License-Identifier: MIT */
/* Byte buffers, UTF-8 and Go-style quoting for the template engine. The UTF-8 decoder follows Go's
 * unicode/utf8 exactly (including how invalid input decodes), because the lexer, the escapers and
 * fmt all depend on it for identical output. */

#include <stdio.h>

#include "template-internal.h"

int tpl_buf_put(TplBuf *b, const void *p, size_t n) {
        if (n == 0)
                return 0;
        if (b->limit > 0 && (b->len > b->limit || n > b->limit - b->len))
                return -E2BIG;
        if (n + 1 > b->cap - b->len || !b->data) {
                size_t want = b->len + n + 1, cap = MAX(b->cap * 2, (size_t)64);
                char *d;

                if (want < b->len)
                        return -ENOMEM;
                cap = MAX(cap, want);
                d = realloc(b->data, cap);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
}

int tpl_buf_putc(TplBuf *b, char c) {
        return tpl_buf_put(b, &c, 1);
}

int tpl_buf_puts(TplBuf *b, const char *s) {
        return tpl_buf_put(b, s, strlen(s));
}

int tpl_buf_fill(TplBuf *b, char c, size_t n) {
        char chunk[256];

        memset(chunk, c, sizeof(chunk));
        while (n > 0) {
                size_t k = MIN(n, sizeof(chunk));
                int r = tpl_buf_put(b, chunk, k);

                if (r < 0)
                        return r;
                n -= k;
        }
        return 0;
}

int tpl_buf_vprintf(TplBuf *b, const char *format, va_list ap) {
        _cleanup_free_ char *s = NULL;
        va_list copy;
        int n;

        va_copy(copy, ap);
        n = vsnprintf(NULL, 0, format, copy);
        va_end(copy);
        if (n < 0)
                return -ENOMEM;
        s = malloc((size_t)n + 1);
        if (!s)
                return -ENOMEM;
        (void)vsnprintf(s, (size_t)n + 1, format, ap);
        return tpl_buf_put(b, s, (size_t)n);
}

int tpl_buf_printf(TplBuf *b, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = tpl_buf_vprintf(b, format, ap);
        va_end(ap);
        return r;
}

int tpl_buf_put_rune(TplBuf *b, uint32_t r) {
        char enc[4];

        return tpl_buf_put(b, enc, tpl_utf8_encode(enc, r));
}

void tpl_buf_free(TplBuf *b) {
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}

char *tpl_buf_steal(TplBuf *b) {
        char *s;

        if (!b->data)
                return strdup("");
        s = TAKE_PTR(b->data);
        b->len = b->cap = 0;
        return s;
}

/* ---- UTF-8 ---------------------------------------------------------------------------------------- */

uint32_t tpl_utf8_decode(const char *str, size_t n, size_t *ret_width) {
        const unsigned char *s = (const unsigned char *)str;
        unsigned char lo = 0x80, hi = 0xBF;
        size_t need;
        uint32_t r;

        if (n == 0) {
                *ret_width = 0;
                return TPL_RUNE_ERROR;
        }
        if (s[0] < 0x80) {
                *ret_width = 1;
                return s[0];
        }
        if (s[0] >= 0xC2 && s[0] <= 0xDF) {
                need = 2;
                r = s[0] & 0x1F;
        } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
                need = 3;
                r = s[0] & 0x0F;
                if (s[0] == 0xE0)
                        lo = 0xA0;
                else if (s[0] == 0xED)
                        hi = 0x9F;
        } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
                need = 4;
                r = s[0] & 0x07;
                if (s[0] == 0xF0)
                        lo = 0x90;
                else if (s[0] == 0xF4)
                        hi = 0x8F;
        } else {
                *ret_width = 1;
                return TPL_RUNE_ERROR;
        }
        if (n < need || s[1] < lo || s[1] > hi) {
                *ret_width = 1;
                return TPL_RUNE_ERROR;
        }
        r = (r << 6) | (s[1] & 0x3F);
        for (size_t i = 2; i < need; i++) {
                if (s[i] < 0x80 || s[i] > 0xBF) {
                        *ret_width = 1;
                        return TPL_RUNE_ERROR;
                }
                r = (r << 6) | (s[i] & 0x3F);
        }
        *ret_width = need;
        return r;
}

uint32_t tpl_utf8_decode_last(const char *str, size_t n, size_t *ret_width) {
        const unsigned char *s = (const unsigned char *)str;
        size_t start, lim, width;
        uint32_t r;

        if (n == 0) {
                *ret_width = 0;
                return TPL_RUNE_ERROR;
        }
        if (s[n - 1] < 0x80) {
                *ret_width = 1;
                return s[n - 1];
        }
        lim = n >= 4 ? n - 4 : 0;
        start = n - 1;
        while (start > lim && (s[start] & 0xC0) == 0x80)
                start--;
        r = tpl_utf8_decode(str + start, n - start, &width);
        if (start + width != n) {
                *ret_width = 1;
                return TPL_RUNE_ERROR;
        }
        *ret_width = width;
        return r;
}

size_t tpl_utf8_encode(char out[4], uint32_t r) {
        if (r > TPL_MAX_RUNE || (r >= 0xD800 && r <= 0xDFFF))
                r = TPL_RUNE_ERROR;
        if (r < 0x80) {
                out[0] = (char)r;
                return 1;
        }
        if (r < 0x800) {
                out[0] = (char)(0xC0 | (r >> 6));
                out[1] = (char)(0x80 | (r & 0x3F));
                return 2;
        }
        if (r < 0x10000) {
                out[0] = (char)(0xE0 | (r >> 12));
                out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
                out[2] = (char)(0x80 | (r & 0x3F));
                return 3;
        }
        out[0] = (char)(0xF0 | (r >> 18));
        out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[3] = (char)(0x80 | (r & 0x3F));
        return 4;
}

size_t tpl_utf8_count(const char *s, size_t n) {
        size_t count = 0;

        for (size_t i = 0, w; i < n; i += w, count++)
                (void)tpl_utf8_decode(s + i, n - i, &w);
        return count;
}

bool tpl_utf8_valid(const char *s, size_t n) {
        for (size_t i = 0, w; i < n; i += w)
                if (tpl_utf8_decode(s + i, n - i, &w) == TPL_RUNE_ERROR && w == 1)
                        return false;
        return true;
}

static bool valid_rune(uint32_t r) {
        return r <= TPL_MAX_RUNE && !(r >= 0xD800 && r <= 0xDFFF);
}

/* ---- quoting, as Go's strconv ------------------------------------------------------------------- */

static int put_escaped_rune(TplBuf *b, uint32_t r, char quote, bool ascii_only) {
        static const char hex[] = "0123456789abcdef";
        char esc[12];
        int r_;

        if (r == (uint32_t)(unsigned char)quote || r == '\\') {
                esc[0] = '\\';
                esc[1] = (char)r;
                return tpl_buf_put(b, esc, 2);
        }
        if (ascii_only ? (r < 0x80 && tpl_is_print(r)) : tpl_is_print(r))
                return tpl_buf_put_rune(b, r);

        switch (r) {
        case '\a': return tpl_buf_puts(b, "\\a");
        case '\b': return tpl_buf_puts(b, "\\b");
        case '\f': return tpl_buf_puts(b, "\\f");
        case '\n': return tpl_buf_puts(b, "\\n");
        case '\r': return tpl_buf_puts(b, "\\r");
        case '\t': return tpl_buf_puts(b, "\\t");
        case '\v': return tpl_buf_puts(b, "\\v");
        }
        if (r < ' ' || r == 0x7F) {
                esc[0] = '\\';
                esc[1] = 'x';
                esc[2] = hex[(r >> 4) & 0xF];
                esc[3] = hex[r & 0xF];
                return tpl_buf_put(b, esc, 4);
        }
        if (!valid_rune(r))
                r = TPL_RUNE_ERROR;
        if (r < 0x10000) {
                r_ = snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)r);
                return tpl_buf_put(b, esc, (size_t)r_);
        }
        r_ = snprintf(esc, sizeof(esc), "\\U%08x", (unsigned)r);
        return tpl_buf_put(b, esc, (size_t)r_);
}

int tpl_quote(TplBuf *b, const char *s, size_t n, bool ascii_only) {
        static const char hex[] = "0123456789abcdef";
        int r;

        r = tpl_buf_putc(b, '"');
        for (size_t i = 0, w; r >= 0 && i < n; i += w) {
                uint32_t c = tpl_utf8_decode(s + i, n - i, &w);

                if (c == TPL_RUNE_ERROR && w == 1) {
                        char esc[4] = { '\\', 'x', hex[(unsigned char)s[i] >> 4], hex[s[i] & 0xF] };

                        r = tpl_buf_put(b, esc, 4);
                } else
                        r = put_escaped_rune(b, c, '"', ascii_only);
        }
        if (r < 0)
                return r;
        return tpl_buf_putc(b, '"');
}

int tpl_quote_rune(TplBuf *b, uint32_t c, bool ascii_only) {
        int r;

        if (!valid_rune(c))
                c = TPL_RUNE_ERROR;
        r = tpl_buf_putc(b, '\'');
        if (r >= 0)
                r = put_escaped_rune(b, c, '\'', ascii_only);
        if (r >= 0)
                r = tpl_buf_putc(b, '\'');
        return r;
}

bool tpl_can_backquote(const char *s, size_t n) {
        for (size_t i = 0, w; i < n; i += w) {
                uint32_t c = tpl_utf8_decode(s + i, n - i, &w);

                if (w > 1) {
                        if (c == 0xFEFF)
                                return false;
                        continue;
                }
                if (c == TPL_RUNE_ERROR)
                        return false;
                if ((c < ' ' && c != '\t') || c == '`' || c == 0x7F)
                        return false;
        }
        return true;
}

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

bool tpl_unquote_char(const char *s, size_t n, char quote, uint32_t *ret_rune, bool *ret_multibyte,
        size_t *ret_consumed) {
        uint32_t v = 0;
        size_t digits = 0;
        char c;

        if (n == 0)
                return false;
        c = s[0];
        if (c == quote && (quote == '\'' || quote == '"'))
                return false;
        if ((unsigned char)c >= 0x80) {
                *ret_rune = tpl_utf8_decode(s, n, ret_consumed);
                *ret_multibyte = true;
                return true;
        }
        if (c != '\\') {
                *ret_rune = (unsigned char)c;
                *ret_multibyte = false;
                *ret_consumed = 1;
                return true;
        }
        if (n <= 1)
                return false;
        c = s[1];
        *ret_multibyte = false;
        *ret_consumed = 2;
        switch (c) {
        case 'a': *ret_rune = '\a'; return true;
        case 'b': *ret_rune = '\b'; return true;
        case 'f': *ret_rune = '\f'; return true;
        case 'n': *ret_rune = '\n'; return true;
        case 'r': *ret_rune = '\r'; return true;
        case 't': *ret_rune = '\t'; return true;
        case 'v': *ret_rune = '\v'; return true;
        case '\\': *ret_rune = '\\'; return true;
        case '\'':
        case '"':
                if (c != quote)
                        return false;
                *ret_rune = (unsigned char)c;
                return true;
        case 'x': digits = 2; break;
        case 'u': digits = 4; break;
        case 'U': digits = 8; break;
        case '0' ... '7':
                v = (uint32_t)(c - '0');
                if (n < 4)
                        return false;
                for (size_t j = 2; j < 4; j++) {
                        if (s[j] < '0' || s[j] > '7')
                                return false;
                        v = (v << 3) | (uint32_t)(s[j] - '0');
                }
                if (v > 255)
                        return false;
                *ret_rune = v;
                *ret_consumed = 4;
                return true;
        default: return false;
        }

        if (n - 2 < digits)
                return false;
        for (size_t j = 0; j < digits; j++) {
                int x = unhex(s[2 + j]);

                if (x < 0)
                        return false;
                v = (v << 4) | (uint32_t)x;
        }
        *ret_consumed = 2 + digits;
        if (c != 'x') {
                if (!valid_rune(v))
                        return false;
                *ret_multibyte = true;
        }
        *ret_rune = v;
        return true;
}

/* ---- arena ---------------------------------------------------------------------------------- */

struct TplArenaChunk {
        TplArenaChunk *next;
        size_t used, size;
        max_align_t data[];
};

void *tpl_arena_alloc(TplArena *a, size_t size) {
        TplArenaChunk *c = a->chunks;
        void *p;

        size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
        if (!c || c->size - c->used < size) {
                size_t chunk_size = MAX(size, (size_t)64 * 1024);

                c = malloc(sizeof(TplArenaChunk) + chunk_size);
                if (!c)
                        return NULL;
                c->next = a->chunks;
                c->used = 0;
                c->size = chunk_size;
                a->chunks = c;
        }
        p = (char *)c->data + c->used;
        c->used += size;
        return memset(p, 0, size);
}

void tpl_arena_free(TplArena *a) {
        while (a->chunks) {
                TplArenaChunk *next = a->chunks->next;

                free(a->chunks);
                a->chunks = next;
        }
}
