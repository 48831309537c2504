/* SPDX-License-Identifier: MIT */
/* Number constants as Go's text/template reads them: strconv.ParseUint, ParseInt and ParseFloat
 * with base prefixes and underscores, tried in the same order, so that a constant gets the same
 * integer/float classification (and the same errors) as in Go. */

#include <locale.h>
#include <math.h>

#include "template-internal.h"

static int digit_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z')
                return c - 'A' + 10;
        return 99;
}

/* strconv.ParseUint(s, 0, 64), without underscores (rejected earlier). */
static bool parse_uint(const char *s, size_t n, uint64_t *ret) {
        unsigned base = 10;
        uint64_t v = 0;

        if (n == 0)
                return false;
        if (s[0] == '0') {
                char c = n >= 3 ? (char)(s[1] | 0x20) : 0;

                base = c == 'b' ? 2 : c == 'o' ? 8 : c == 'x' ? 16 : 8;
                s += base == 8 && c != 'o' ? 1 : 2;
                n -= base == 8 && c != 'o' ? 1 : 2;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned d = (unsigned)digit_value(s[i]);

                if (d >= base)
                        return false;
                if (v > (UINT64_MAX - d) / base)
                        return false;
                v = v * base + d;
        }
        *ret = v;
        return true;
}

/* strconv.ParseInt(s, 0, 64) */
static bool parse_int(const char *s, size_t n, int64_t *ret) {
        bool neg = false;
        uint64_t u;

        if (n > 0 && (s[0] == '+' || s[0] == '-')) {
                neg = s[0] == '-';
                s++;
                n--;
        }
        if (!parse_uint(s, n, &u))
                return false;
        if (!neg && u >= UINT64_C(1) << 63)
                return false;
        if (neg && u > UINT64_C(1) << 63)
                return false;
        *ret = neg ? (int64_t)(0 - u) : (int64_t)u;
        return true;
}

/* strconv.ParseFloat(s, 64), after underscores have been checked and removed: decimal, or
 * hexadecimal with the 'p' exponent Go requires there. */
static bool parse_float(const char *s, size_t n, double *ret) {
        _cleanup_free_ char *copy = NULL;
        size_t i = 0, digits = 0;
        bool hex = false;
        locale_t c_locale, old;
        char *end;
        double f;

        if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
        if (n - i >= 2 && s[i] == '0' && (s[i + 1] | 0x20) == 'x') {
                hex = true;
                i += 2;
        }
        for (; i < n && (hex ? digit_value(s[i]) < 16 : digit_value(s[i]) < 10); i++)
                digits++;
        if (i < n && s[i] == '.')
                for (i++; i < n && (hex ? digit_value(s[i]) < 16 : digit_value(s[i]) < 10); i++)
                        digits++;
        if (digits == 0)
                return false;
        if (i < n && (s[i] | 0x20) == (hex ? 'p' : 'e')) {
                size_t exp_digits = 0;

                i++;
                if (i < n && (s[i] == '+' || s[i] == '-'))
                        i++;
                for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
                        exp_digits++;
                if (exp_digits == 0)
                        return false;
        } else if (hex)
                return false; /* a hexadecimal mantissa requires a 'p' exponent */
        if (i != n)
                return false;

        copy = strndup(s, n);
        if (!copy)
                return false;
        /* The decimal point must not depend on the daemon's locale. */
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (c_locale == (locale_t)0)
                return false;
        old = uselocale(c_locale);
        f = strtod(copy, &end);
        uselocale(old);
        freelocale(c_locale);
        if (*end != 0 || isinf(f))
                return false;
        *ret = f;
        return true;
}

/* strconv's underscoreOK: underscores may only separate digits (or follow a base prefix). */
static bool underscores_ok(const char *s, size_t n) {
        char saw = '^';
        size_t i = 0;
        bool hex = false;

        if (n >= 1 && (s[0] == '-' || s[0] == '+')) {
                s++;
                n--;
        }
        if (n >= 2 && s[0] == '0' && strchr("box", s[1] | 0x20)) {
                i = 2;
                saw = '0';
                hex = (s[1] | 0x20) == 'x';
        }
        for (; i < n; i++) {
                if ((s[i] >= '0' && s[i] <= '9') || (hex && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')) {
                        saw = '0';
                        continue;
                }
                if (s[i] == '_') {
                        if (saw != '0')
                                return false;
                        saw = '_';
                        continue;
                }
                if (saw == '_')
                        return false;
                saw = '!';
        }
        return saw != '_';
}

bool tpl_parse_float(const char *text, size_t len, double *ret) {
        _cleanup_free_ char *stripped = NULL;
        size_t k = 0;

        if (!memchr(text, '_', len))
                return parse_float(text, len, ret);
        if (!underscores_ok(text, len))
                return false;
        stripped = calloc(1, len);
        if (!stripped)
                return false;
        for (size_t i = 0; i < len; i++)
                if (text[i] != '_')
                        stripped[k++] = text[i];
        return parse_float(stripped, k, ret);
}

/* Parses a number the way strconv does for text/template: ParseUint, ParseInt, then ParseFloat. */
static bool contains_any(const char *s, size_t n, const char *chars) {
        for (size_t i = 0; i < n; i++)
                if (strchr(chars, s[i]))
                        return true;
        return false;
}

/* Returns false for what Go reports as an integer overflow: an integer spelling that only parses
 * as a float. */
bool tpl_parse_number(const char *text, size_t len, Node *n) {
        _cleanup_free_ char *stripped = NULL;
        double f;

        if (memchr(text, '_', len)) {
                size_t k = 0;

                /* Go accepts well-placed underscores everywhere; a misplaced one makes every parse fail. */
                if (!underscores_ok(text, len))
                        return true;
                stripped = calloc(1, len);
                if (!stripped)
                        return true;
                for (size_t i = 0; i < len; i++)
                        if (text[i] != '_')
                                stripped[k++] = text[i];
                text = stripped;
                len = k;
        }

        if (parse_uint(text, len, &n->number.u))
                n->number.is_uint = true;
        if (parse_int(text, len, &n->number.i)) {
                n->number.is_int = true;
                if (n->number.i == 0)
                        n->number.is_uint = true; /* in case of -0 */
        }
        if (n->number.is_int) {
                n->number.is_float = true;
                n->number.f = (double)n->number.i;
        } else if (n->number.is_uint) {
                n->number.is_float = true;
                n->number.f = (double)n->number.u;
        } else if (parse_float(text, len, &f)) {
                if (!contains_any(text, len, ".eEpP"))
                        return false;
                n->number.is_float = true;
                n->number.f = f;
                if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 && f == trunc(f)) {
                        n->number.is_int = true;
                        n->number.i = (int64_t)f;
                }
                if (f >= 0 && f < 18446744073709551616.0 && f == trunc(f)) {
                        n->number.is_uint = true;
                        n->number.u = (uint64_t)f;
                }
        }
        return true;
}
