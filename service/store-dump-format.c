/* SPDX-License-Identifier: MIT */

/* The dump format (store-dump-format.h): a writer that produces exactly one form per entry, so that two
 * dumps of the same data are byte-identical, and an in-place reader of JSON Lines that only ever
 * shrinks what it decodes (escapes and base64 are longer than their bytes), so a whole input is parsed
 * without copying a value. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "store-dump-format.h"
#include "util.h"

/* JSON allows nesting without end; unknown members are skipped, and this bounds the recursion. */
#define SKIP_DEPTH_MAX 32

void dump_buffer_done(DumpBuffer *b) {
        b->data = mfree(b->data);
        b->len = b->size = 0;
}

static int buffer_reserve(DumpBuffer *b, size_t n) {
        size_t need, size;
        char *d;

        if (n > SIZE_MAX - b->len - 1)
                return -ENOMEM;
        need = b->len + n + 1;
        if (need <= b->size)
                return 0;
        size = MAX(need, MAX(b->size * 2, (size_t)4096));
        d = realloc(b->data, size);
        if (!d)
                return -ENOMEM;
        b->data = d;
        b->size = size;
        return 0;
}

int dump_buffer_append(DumpBuffer *b, const void *p, size_t n) {
        int r = buffer_reserve(b, n);
        if (r < 0)
                return r;
        if (n > 0)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
}

int dump_buffer_printf(DumpBuffer *b, const char *format, ...) {
        va_list ap;
        int n, r;

        va_start(ap, format);
        n = vsnprintf(NULL, 0, format, ap);
        va_end(ap);
        if (n < 0)
                return -EINVAL;
        r = buffer_reserve(b, (size_t)n);
        if (r < 0)
                return r;
        va_start(ap, format);
        vsnprintf(b->data + b->len, (size_t)n + 1, format, ap);
        va_end(ap);
        b->len += (size_t)n;
        return 0;
}

bool dump_text_is_valid(const void *data, size_t len) {
        const unsigned char *p = data, *end = p + len;

        while (p < end) {
                uint32_t c;
                size_t n;

                if (*p == 0)
                        return false;
                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if ((*p & 0xe0) == 0xc0) {
                        n = 2;
                        c = *p & 0x1f;
                } else if ((*p & 0xf0) == 0xe0) {
                        n = 3;
                        c = *p & 0x0f;
                } else if ((*p & 0xf8) == 0xf0) {
                        n = 4;
                        c = *p & 0x07;
                } else
                        return false;
                if ((size_t)(end - p) < n)
                        return false;
                for (size_t i = 1; i < n; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        c = (c << 6) | (p[i] & 0x3f);
                }
                if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
                        return false;
                if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                        return false;
                if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
                        return false;
                p += n;
        }
        return true;
}

/* ---- writing ---- */

int dump_json_append_string(DumpBuffer *b, const char *s, size_t n) {
        static const char hex[] = "0123456789abcdef";
        size_t start = 0;
        int r;

        r = dump_buffer_append(b, "\"", 1);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                char esc[6] = { '\\', 0 };
                size_t esc_len = 2;

                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                switch (c) {
                case '"': esc[1] = '"'; break;
                case '\\': esc[1] = '\\'; break;
                case '\b': esc[1] = 'b'; break;
                case '\f': esc[1] = 'f'; break;
                case '\n': esc[1] = 'n'; break;
                case '\r': esc[1] = 'r'; break;
                case '\t': esc[1] = 't'; break;
                default: memcpy(esc, (char[]){ '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] }, 6); esc_len = 6;
                }
                r = dump_buffer_append(b, s + start, i - start);
                if (r >= 0)
                        r = dump_buffer_append(b, esc, esc_len);
                start = i + 1;
        }
        if (r >= 0)
                r = dump_buffer_append(b, s + start, n - start);
        if (r >= 0)
                r = dump_buffer_append(b, "\"", 1);
        return r;
}

static const char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int dump_base64_append(DumpBuffer *b, const void *data, size_t n) {
        const unsigned char *p = data;
        char *out;
        int r;

        if (n > (SIZE_MAX / 4 - 1) * 3)
                return -ENOMEM;
        r = buffer_reserve(b, (n + 2) / 3 * 4);
        if (r < 0)
                return r;
        out = b->data + b->len;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16;
                if (i + 1 < n)
                        v |= (uint32_t)p[i + 1] << 8;
                if (i + 2 < n)
                        v |= p[i + 2];
                *out++ = base64_alphabet[(v >> 18) & 63];
                *out++ = base64_alphabet[(v >> 12) & 63];
                *out++ = i + 1 < n ? base64_alphabet[(v >> 6) & 63] : '=';
                *out++ = i + 2 < n ? base64_alphabet[v & 63] : '=';
        }
        b->len = (size_t)(out - b->data);
        b->data[b->len] = 0;
        return 0;
}

static int base64_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

int dump_base64_decode_in_place(char *p, size_t n, size_t *ret_len) {
        size_t out = 0, digits = 0;
        uint32_t acc = 0;

        /* Padding is optional, but if present it completes the last quantum exactly. */
        if (n % 4 == 0 && n > 0 && p[n - 1] == '=')
                n -= p[n - 2] == '=' ? 2 : 1;
        if (n % 4 == 1)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                int v = base64_value(p[i]);
                if (v < 0)
                        return -EINVAL;
                acc = (acc << 6) | (uint32_t)v;
                if (++digits == 4) {
                        p[out++] = (char)(acc >> 16);
                        p[out++] = (char)(acc >> 8);
                        p[out++] = (char)acc;
                        acc = 0;
                        digits = 0;
                }
        }
        if (digits == 2)
                p[out++] = (char)(acc >> 4);
        else if (digits == 3) {
                p[out++] = (char)(acc >> 10);
                p[out++] = (char)(acc >> 2);
        }
        *ret_len = out;
        return 0;
}

int dump_entry_append(DumpBuffer *b, const DumpEntry *e) {
        bool text = dump_text_is_valid(e->value, e->value_len);
        size_t start = b->len;
        int r;

        if (!dump_text_is_valid(e->group, strlen(e->group)) || !dump_text_is_valid(e->key, strlen(e->key)))
                return -EINVAL;
        r = dump_buffer_append(b, "{\"group\":", 9);
        if (r >= 0)
                r = dump_json_append_string(b, e->group, strlen(e->group));
        if (r >= 0)
                r = dump_buffer_append(b, ",\"key\":", 7);
        if (r >= 0)
                r = dump_json_append_string(b, e->key, strlen(e->key));
        if (r >= 0 && text) {
                r = dump_buffer_append(b, ",\"value\":", 9);
                if (r >= 0)
                        r = dump_json_append_string(b, e->value, e->value_len);
        } else if (r >= 0) {
                r = dump_buffer_append(b, ",\"value_base64\":\"", 17);
                if (r >= 0)
                        r = dump_base64_append(b, e->value, e->value_len);
                if (r >= 0)
                        r = dump_buffer_append(b, "\"", 1);
        }
        if (r >= 0 && e->expires_usec > 0)
                r = dump_buffer_printf(b, ",\"expires_usec\":%" PRIu64, e->expires_usec);
        if (r >= 0)
                r = dump_buffer_append(b, "}\n", 2);
        if (r < 0) {
                b->len = start; /* no half line */
                if (b->data)
                        b->data[b->len] = 0;
        }
        return r;
}

/* ---- reading ---- */

typedef struct Parser {
        char *s;
        size_t n, pos;
        char *error;
} Parser;

static int parse_error(Parser *p, const char *format, ...) _printf_(2, 3);
static int parse_error(Parser *p, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(p->error, DUMP_ERROR_MAX, format, ap);
        va_end(ap);
        return -EINVAL;
}

static int syntax_error(Parser *p, const char *what) {
        if (p->pos >= p->n)
                return parse_error(p, "%s, found the end of the line", what);
        return parse_error(p, "%s at column %zu", what, p->pos + 1);
}

static void skip_space(Parser *p) {
        while (p->pos < p->n && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
                p->pos++;
}

static bool take(Parser *p, char c) {
        skip_space(p);
        if (p->pos < p->n && p->s[p->pos] == c) {
                p->pos++;
                return true;
        }
        return false;
}

static int hex4(const char *s, uint32_t *ret) {
        uint32_t v = 0;

        for (size_t i = 0; i < 4; i++) {
                char c = s[i];
                int d = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (d < 0)
                        return -EINVAL;
                v = (v << 4) | (uint32_t)d;
        }
        *ret = v;
        return 0;
}

static size_t utf8_encode(char *out, uint32_t c) {
        if (c < 0x80) {
                out[0] = (char)c;
                return 1;
        }
        if (c < 0x800) {
                out[0] = (char)(0xc0 | (c >> 6));
                out[1] = (char)(0x80 | (c & 0x3f));
                return 2;
        }
        if (c < 0x10000) {
                out[0] = (char)(0xe0 | (c >> 12));
                out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
                out[2] = (char)(0x80 | (c & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | (c >> 18));
        out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[3] = (char)(0x80 | (c & 0x3f));
        return 4;
}

/* A JSON string at the current position, decoded over its own bytes: the output starts where the
 * opening quote was and every escape is longer than what it stands for, so writing never overtakes
 * reading, and there is room for a NUL where the closing quote was at the latest. */
static int parse_string(Parser *p, char **ret, size_t *ret_len) {
        char *out;
        size_t w;

        skip_space(p);
        if (p->pos >= p->n || p->s[p->pos] != '"')
                return syntax_error(p, "expected a string");
        out = p->s + p->pos;
        w = 0;
        p->pos++;
        for (;;) {
                unsigned char c;
                uint32_t u, low;

                if (p->pos >= p->n)
                        return syntax_error(p, "unterminated string");
                c = (unsigned char)p->s[p->pos];
                if (c == '"') {
                        p->pos++;
                        break;
                }
                if (c < 0x20)
                        return syntax_error(p, "control character in a string (escape it)");
                if (c != '\\') {
                        out[w++] = (char)c;
                        p->pos++;
                        continue;
                }
                if (p->pos + 1 >= p->n)
                        return syntax_error(p, "unterminated string");
                c = (unsigned char)p->s[p->pos + 1];
                p->pos += 2;
                switch (c) {
                case '"':
                case '\\':
                case '/': out[w++] = (char)c; continue;
                case 'b': out[w++] = '\b'; continue;
                case 'f': out[w++] = '\f'; continue;
                case 'n': out[w++] = '\n'; continue;
                case 'r': out[w++] = '\r'; continue;
                case 't': out[w++] = '\t'; continue;
                case 'u': break;
                default: p->pos -= 2; return syntax_error(p, "unknown escape in a string");
                }
                if (p->pos + 4 > p->n || hex4(p->s + p->pos, &u) < 0) {
                        p->pos -= 2;
                        return syntax_error(p, "bad \\u escape in a string");
                }
                p->pos += 4;
                if (u >= 0xdc00 && u <= 0xdfff) {
                        p->pos -= 6;
                        return syntax_error(p, "lone low surrogate in a string");
                }
                if (u >= 0xd800 && u <= 0xdbff) {
                        if (p->pos + 6 > p->n || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
                                hex4(p->s + p->pos + 2, &low) < 0 || low < 0xdc00 || low > 0xdfff) {
                                p->pos -= 6;
                                return syntax_error(p, "high surrogate without its low half in a string");
                        }
                        p->pos += 6;
                        u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
                }
                w += utf8_encode(out + w, u);
        }
        out[w] = 0;
        *ret = out;
        *ret_len = w;
        return 0;
}

/* A non-negative integer that fits a signed 64-bit column: deadlines are stored as such. */
static int parse_uint(Parser *p, uint64_t *ret) {
        size_t start;
        uint64_t v = 0;

        skip_space(p);
        start = p->pos;
        while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
                unsigned d = (unsigned)(p->s[p->pos] - '0');
                if (v > ((uint64_t)INT64_MAX - d) / 10)
                        return parse_error(p, "\"expires_usec\" is out of range at column %zu", start + 1);
                v = v * 10 + d;
                p->pos++;
        }
        if (p->pos == start || (p->pos < p->n && strchr(".eE-+", p->s[p->pos]) && p->s[p->pos]) ||
                (p->pos - start > 1 && p->s[start] == '0')) {
                p->pos = start;
                return syntax_error(p, "\"expires_usec\" must be a whole number of microseconds");
        }
        *ret = v;
        return 0;
}

/* Skips any JSON value: the value of a member this version does not know. */
static int skip_value(Parser *p, unsigned depth) {
        char *s;
        size_t n;

        if (depth > SKIP_DEPTH_MAX)
                return syntax_error(p, "nested too deeply");
        skip_space(p);
        if (p->pos >= p->n)
                return syntax_error(p, "expected a value");
        switch (p->s[p->pos]) {
        case '"': return parse_string(p, &s, &n);
        case '{':
        case '[': {
                char close = p->s[p->pos] == '{' ? '}' : ']';
                p->pos++;
                if (take(p, close))
                        return 0;
                for (;;) {
                        int r;
                        if (close == '}') {
                                r = parse_string(p, &s, &n);
                                if (r < 0)
                                        return r;
                                if (!take(p, ':'))
                                        return syntax_error(p, "expected ':'");
                        }
                        r = skip_value(p, depth + 1);
                        if (r < 0)
                                return r;
                        if (take(p, close))
                                return 0;
                        if (!take(p, ','))
                                return syntax_error(p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
                }
        }
        default:
                for (const char *const *word = (const char *const[]){ "true", "false", "null", NULL }; *word; word++)
                        if (p->n - p->pos >= strlen(*word) && strncmp(p->s + p->pos, *word, strlen(*word)) == 0) {
                                p->pos += strlen(*word);
                                return 0;
                        }
                n = p->pos;
                while (p->pos < p->n && p->s[p->pos] && strchr("0123456789+-.eE", p->s[p->pos]))
                        p->pos++;
                if (p->pos == n)
                        return syntax_error(p, "expected a value");
                return 0;
        }
}

typedef enum Member {
        MEMBER_GROUP,
        MEMBER_KEY,
        MEMBER_VALUE,
        MEMBER_VALUE_BASE64,
        MEMBER_EXPIRES_USEC,
        _MEMBER_MAX,
} Member;

static const char *const member_names[_MEMBER_MAX] = {
        [MEMBER_GROUP] = "group",
        [MEMBER_KEY] = "key",
        [MEMBER_VALUE] = "value",
        [MEMBER_VALUE_BASE64] = "value_base64",
        [MEMBER_EXPIRES_USEC] = "expires_usec",
};

int dump_line_parse(char *line, size_t n, DumpEntry *ret, char error[static DUMP_ERROR_MAX]) {
        Parser p = { .s = line, .n = n, .error = error };
        char *strings[_MEMBER_MAX] = {};
        size_t lengths[_MEMBER_MAX] = {};
        bool seen[_MEMBER_MAX] = {};
        uint64_t expires = 0;
        int r;

        skip_space(&p);
        if (p.pos >= p.n)
                return 0;
        if (!take(&p, '{'))
                return syntax_error(&p, "expected '{' (each line is one JSON object)");
        if (!take(&p, '}'))
                for (;;) {
                        char *name;
                        size_t name_len;
                        Member m = _MEMBER_MAX;

                        r = parse_string(&p, &name, &name_len);
                        if (r < 0)
                                return r;
                        if (!take(&p, ':'))
                                return syntax_error(&p, "expected ':' after a member name");
                        for (Member i = 0; i < _MEMBER_MAX; i++)
                                if (name_len == strlen(member_names[i]) && streq(name, member_names[i]))
                                        m = i;
                        if (m == _MEMBER_MAX)
                                r = skip_value(&p, 0);
                        else if (seen[m])
                                return parse_error(&p, "\"%s\" appears twice", member_names[m]);
                        else if (m == MEMBER_EXPIRES_USEC)
                                r = parse_uint(&p, &expires);
                        else {
                                skip_space(&p);
                                if (p.pos < p.n && p.s[p.pos] != '"')
                                        return parse_error(&p, "\"%s\" must be a string", member_names[m]);
                                r = parse_string(&p, &strings[m], &lengths[m]);
                        }
                        if (r < 0)
                                return r;
                        if (m != _MEMBER_MAX)
                                seen[m] = true;
                        if (take(&p, '}'))
                                break;
                        if (!take(&p, ','))
                                return syntax_error(&p, "expected ',' or '}'");
                }
        skip_space(&p);
        if (p.pos < p.n)
                return syntax_error(&p, "unexpected text after the entry");

        for (Member m = MEMBER_GROUP; m <= MEMBER_KEY; m++) {
                if (!seen[m])
                        return parse_error(&p, "missing \"%s\"", member_names[m]);
                if (!dump_text_is_valid(strings[m], lengths[m]))
                        return parse_error(&p, "\"%s\" is not text (valid UTF-8 without NUL)", member_names[m]);
        }
        if (seen[MEMBER_VALUE] == seen[MEMBER_VALUE_BASE64])
                return parse_error(&p, "needs exactly one of \"value\" and \"value_base64\"");
        if (seen[MEMBER_VALUE] && !dump_text_is_valid(strings[MEMBER_VALUE], lengths[MEMBER_VALUE]))
                return parse_error(&p, "\"value\" is not text (valid UTF-8 without NUL); write it as \"value_base64\"");
        if (seen[MEMBER_VALUE_BASE64]) {
                r = dump_base64_decode_in_place(strings[MEMBER_VALUE_BASE64], lengths[MEMBER_VALUE_BASE64],
                        &lengths[MEMBER_VALUE_BASE64]);
                if (r < 0)
                        return parse_error(&p, "\"value_base64\" is not valid base64");
        }

        *ret = (DumpEntry){
                .group = strings[MEMBER_GROUP],
                .key = strings[MEMBER_KEY],
                .value = seen[MEMBER_VALUE] ? strings[MEMBER_VALUE] : strings[MEMBER_VALUE_BASE64],
                .value_len = seen[MEMBER_VALUE] ? lengths[MEMBER_VALUE] : lengths[MEMBER_VALUE_BASE64],
                .expires_usec = expires,
        };
        return 1;
}

int dump_reader_next(DumpReader *r, DumpEntry *ret, char error[static DUMP_ERROR_MAX]) {
        while (r->pos < r->len) {
                char *line = r->data + r->pos, *nl = memchr(line, '\n', r->len - r->pos);
                size_t n = nl ? (size_t)(nl - line) : r->len - r->pos;
                char message[DUMP_ERROR_MAX];
                int k;

                r->pos += n + (nl ? 1 : 0);
                r->line++;
                k = dump_line_parse(line, n, ret, message);
                if (k < 0) {
                        int prefix = snprintf(error, DUMP_ERROR_MAX, "line %zu: ", r->line);
                        size_t m = MIN(strlen(message), DUMP_ERROR_MAX - 1 - (size_t)prefix);

                        memcpy(error + prefix, message, m); /* messages are ASCII: no character is cut */
                        error[prefix + m] = 0;
                        return k;
                }
                if (k > 0)
                        return 1;
        }
        return 0;
}
