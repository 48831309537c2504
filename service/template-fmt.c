/* SPDX-License-Identifier: MIT */
/* Go's fmt for the values templates produce: Sprint, Sprintln and Sprintf with the verbs and flags
 * listed in the README. Padding, bad-verb and missing/extra-argument output follow fmt's code
 * paths one to one. Verbs whose Go output we do not reproduce (float formatting other than %v,
 * %#v, %p of the map, '*' widths and argument indexes) fail instead of rendering differently. */

#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>

#include "template-internal.h"

static const char ldigits[] = "0123456789abcdefx";
static const char udigits[] = "0123456789ABCDEFX";

typedef struct Fmt {
        const Tpl *t;
        TplBuf *buf;
        TplBuf *unsupported; /* why the format cannot be reproduced, when it cannot */
        bool wid_present, prec_present, minus, plus, sharp, space, zero, sharp_v;
        int wid, prec;
} Fmt;

static int print_arg(Fmt *f, const Value *arg, uint32_t verb);

static void clear_flags(Fmt *f) {
        f->wid_present = f->prec_present = f->minus = f->plus = f->sharp = f->space = f->zero = f->sharp_v = false;
        f->wid = f->prec = 0;
}

static int unsupported(Fmt *f, const char *format, ...) _printf_(2, 3);
static int unsupported(Fmt *f, const char *format, ...) {
        va_list ap;
        int r;

        if (f->unsupported) {
                va_start(ap, format);
                r = tpl_buf_vprintf(f->unsupported, format, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return -EOPNOTSUPP;
}

static int write_padding(Fmt *f, int n) {
        if (n <= 0)
                return 0;
        return tpl_buf_fill(f->buf, f->zero ? '0' : ' ', (size_t)n);
}

static int pad(Fmt *f, const char *s, size_t n) {
        int width, r;

        if (!f->wid_present || f->wid == 0)
                return tpl_buf_put(f->buf, s, n);
        width = f->wid - (int)MIN(tpl_utf8_count(s, n), (size_t)INT_MAX);
        if (!f->minus) {
                r = write_padding(f, width);
                if (r < 0)
                        return r;
                return tpl_buf_put(f->buf, s, n);
        }
        r = tpl_buf_put(f->buf, s, n);
        if (r < 0)
                return r;
        return write_padding(f, width);
}

static int pad_no_zero(Fmt *f, const char *s, size_t n) {
        bool old_zero = f->zero;
        int r;

        f->zero = false;
        r = pad(f, s, n);
        f->zero = old_zero;
        return r;
}

static int pad_string(Fmt *f, const char *s) {
        return pad(f, s, strlen(s));
}

static int fmt_integer(Fmt *f, uint64_t u, unsigned base, bool is_signed, uint32_t verb, const char *digits) {
        _cleanup_free_ char *heap = NULL;
        bool negative = is_signed && (int64_t)u < 0;
        char small[68], *buf = small;
        size_t size = sizeof(small), i;
        int prec = 0;

        if (negative)
                u = -u;
        if (f->wid_present || f->prec_present) {
                size_t width = 3 + (size_t)f->wid + (size_t)f->prec;

                if (width > size) {
                        heap = malloc(width);
                        if (!heap)
                                return -ENOMEM;
                        buf = heap;
                        size = width;
                }
        }

        if (f->prec_present) {
                prec = f->prec;
                /* precision 0 and value 0 means "print nothing" but padding */
                if (prec == 0 && u == 0) {
                        bool old_zero = f->zero;
                        int r;

                        f->zero = false;
                        r = write_padding(f, f->wid);
                        f->zero = old_zero;
                        return r;
                }
        } else if (f->zero && f->wid_present) {
                prec = f->wid;
                if (negative || f->plus || f->space)
                        prec--; /* leave room for the sign */
        }

        i = size;
        do {
                buf[--i] = digits[u % base];
                u /= base;
        } while (u > 0);
        while (i > 0 && prec > (int)(size - i))
                buf[--i] = '0';
        if (f->sharp) {
                if (base == 2) {
                        buf[--i] = 'b';
                        buf[--i] = '0';
                } else if (base == 8 && buf[i] != '0')
                        buf[--i] = '0';
                else if (base == 16) {
                        buf[--i] = digits[16];
                        buf[--i] = '0';
                }
        }
        if (verb == 'O') {
                buf[--i] = 'o';
                buf[--i] = '0';
        }
        if (negative)
                buf[--i] = '-';
        else if (f->plus)
                buf[--i] = '+';
        else if (f->space)
                buf[--i] = ' ';
        return pad_no_zero(f, buf + i, size - i);
}

/* The prefix of s holding at most f->prec runes. */
static size_t truncated_length(const Fmt *f, const char *s, size_t n) {
        if (f->prec_present) {
                int left = f->prec;

                for (size_t i = 0, w; i < n; i += w) {
                        if (--left < 0)
                                return i;
                        (void)tpl_utf8_decode(s + i, n - i, &w);
                }
        }
        return n;
}

static int fmt_s(Fmt *f, const char *s, size_t n) {
        return pad(f, s, truncated_length(f, s, n));
}

static int fmt_sbx(Fmt *f, const char *s, size_t n, const char *digits) {
        size_t length = n, width;
        int r;

        if (f->prec_present && (size_t)f->prec < length)
                length = (size_t)f->prec;
        width = 2 * length;
        if (width > 0) {
                if (f->space) {
                        if (f->sharp)
                                width *= 2;
                        width += length - 1;
                } else if (f->sharp)
                        width += 2;
        } else {
                /* the string to encode is empty */
                if (f->wid_present)
                        return write_padding(f, f->wid);
                return 0;
        }
        if (f->wid_present && (size_t)f->wid > width && !f->minus) {
                r = write_padding(f, f->wid - (int)width);
                if (r < 0)
                        return r;
        }
        if (f->sharp) {
                char prefix[2] = { '0', digits[16] };

                r = tpl_buf_put(f->buf, prefix, 2);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < length; i++) {
                unsigned char c = (unsigned char)s[i];
                char hex[5];
                size_t k = 0;

                if (f->space && i > 0) {
                        hex[k++] = ' ';
                        if (f->sharp) {
                                hex[k++] = '0';
                                hex[k++] = digits[16];
                        }
                }
                hex[k++] = digits[c >> 4];
                hex[k++] = digits[c & 0xF];
                r = tpl_buf_put(f->buf, hex, k);
                if (r < 0)
                        return r;
        }
        if (f->wid_present && (size_t)f->wid > width && f->minus)
                return write_padding(f, f->wid - (int)width);
        return 0;
}

static int fmt_q(Fmt *f, const char *s, size_t n) {
        _cleanup_(tpl_buf_free) TplBuf q = { .limit = f->buf->limit };
        int r;

        n = truncated_length(f, s, n);
        if (f->sharp && tpl_can_backquote(s, n)) {
                if ((r = tpl_buf_putc(&q, '`')) < 0 || (r = tpl_buf_put(&q, s, n)) < 0 ||
                        (r = tpl_buf_putc(&q, '`')) < 0)
                        return r;
        } else if ((r = tpl_quote(&q, s, n, f->plus)) < 0)
                return r;
        return pad(f, q.data, q.len);
}

static int fmt_c(Fmt *f, uint64_t c) {
        char enc[4];

        return pad(f, enc, tpl_utf8_encode(enc, c > TPL_MAX_RUNE ? TPL_RUNE_ERROR : (uint32_t)c));
}

static int fmt_qc(Fmt *f, uint64_t c) {
        _cleanup_(tpl_buf_free) TplBuf q = {};
        int r;

        r = tpl_quote_rune(&q, c > TPL_MAX_RUNE ? TPL_RUNE_ERROR : (uint32_t)c, f->plus);
        if (r < 0)
                return r;
        return pad(f, q.data, q.len);
}

static int fmt_unicode(Fmt *f, uint64_t u) {
        _cleanup_(tpl_buf_free) TplBuf b = { .limit = f->buf->limit };
        char hex[17];
        int prec = 4, n, r;

        if (f->prec_present && f->prec > 4)
                prec = f->prec;
        n = snprintf(hex, sizeof(hex), "%" PRIX64, u);
        if ((r = tpl_buf_puts(&b, "U+")) < 0 || (r = tpl_buf_fill(&b, '0', (size_t)MAX(prec - n, 0))) < 0 ||
                (r = tpl_buf_put(&b, hex, (size_t)n)) < 0)
                return r;
        if (f->sharp && u <= TPL_MAX_RUNE && tpl_is_print((uint32_t)u)) {
                if ((r = tpl_buf_puts(&b, " '")) < 0 || (r = tpl_buf_put_rune(&b, (uint32_t)u)) < 0 ||
                        (r = tpl_buf_putc(&b, '\'')) < 0)
                        return r;
        }
        return pad_no_zero(f, b.data, b.len);
}

/* Shortest decimal digits that read back as v (like strconv's shortest formatting): returns the
 * number of digits and sets *ret_dp to the position of the decimal point. v must be finite and > 0. */
static int shortest_digits(double v, char digits[32], int *ret_dp) {
        locale_t c_locale, old;
        int nd = 0;

        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (c_locale == (locale_t)0)
                return -ENOMEM;
        old = uselocale(c_locale);
        for (int prec = 1; prec <= 17 && nd == 0; prec++) {
                char buf[64], cand[64];
                int exp;

                snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
                exp = atoi(strchr(buf, 'e') + 1);
                /* the correctly rounded candidate and its two neighbours, since the interval of values
                 * that read back as v is not symmetric at powers of two */
                for (int delta = 0; delta <= 2 && nd == 0; delta++) {
                        char d[32];
                        int k = 0, e = exp;

                        for (const char *p = buf; *p && *p != 'e'; p++)
                                if (*p >= '0' && *p <= '9')
                                        d[k++] = *p;
                        if (delta > 0) {
                                int i = k - 1;

                                if (delta == 1) { /* one unit up */
                                        while (i >= 0 && d[i] == '9')
                                                d[i--] = '0';
                                        if (i < 0) {
                                                memmove(d + 1, d, (size_t)k);
                                                d[0] = '1';
                                                e++;
                                        } else
                                                d[i]++;
                                } else { /* one unit down */
                                        while (i >= 0 && d[i] == '0')
                                                d[i--] = '9';
                                        if (i < 0 || (i == 0 && d[0] == '1' && k == 1))
                                                continue;
                                        d[i]--;
                                        if (d[0] == '0')
                                                continue;
                                }
                        }
                        snprintf(cand, sizeof(cand), "%.*se%d", k, d, e - (k - 1));
                        if (strtod(cand, NULL) == v) {
                                while (k > 1 && d[k - 1] == '0')
                                        k--;
                                memcpy(digits, d, (size_t)k);
                                nd = k;
                                *ret_dp = e + 1;
                        }
                }
        }
        uselocale(old);
        freelocale(c_locale);
        return nd;
}

/* strconv.FormatFloat(v, 'g', -1, 64), with the sign always present for fmt's benefit. */
static int format_float_g(double v, TplBuf *b) {
        char digits[32];
        int nd, dp = 0, exp, r;

        r = tpl_buf_putc(b, signbit(v) ? '-' : '+');
        if (r < 0)
                return r;
        v = fabs(v);
        if (v == 0)
                return tpl_buf_putc(b, '0');
        nd = shortest_digits(v, digits, &dp);
        if (nd <= 0)
                return nd < 0 ? nd : -ENOMEM;

        exp = dp - 1;
        if (exp < -4 || exp >= 6) {
                if ((r = tpl_buf_putc(b, digits[0])) < 0)
                        return r;
                if (nd > 1 && ((r = tpl_buf_putc(b, '.')) < 0 || (r = tpl_buf_put(b, digits + 1, (size_t)nd - 1)) < 0))
                        return r;
                return tpl_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
        }
        if (dp > 0) {
                if ((r = tpl_buf_put(b, digits, (size_t)MIN(dp, nd))) < 0 ||
                        (r = tpl_buf_fill(b, '0', (size_t)MAX(dp - nd, 0))) < 0)
                        return r;
        } else if ((r = tpl_buf_putc(b, '0')) < 0)
                return r;
        if (nd > dp) {
                if ((r = tpl_buf_putc(b, '.')) < 0)
                        return r;
                for (int i = dp; i < nd; i++)
                        if ((r = tpl_buf_putc(b, i < 0 ? '0' : digits[i])) < 0)
                                return r;
        }
        return 0;
}

static int fmt_float(Fmt *f, double v) {
        _cleanup_(tpl_buf_free) TplBuf num = {};
        int r;

        if (f->prec_present || f->sharp)
                return unsupported(f, "precision and '#' with floating-point values are not supported");
        r = format_float_g(v, &num);
        if (r < 0)
                return r;
        if (f->space && num.data[0] == '+' && !f->plus)
                num.data[0] = ' ';
        if (f->plus || num.data[0] != '+') {
                /* if we're zero padding to the left we want the sign before the leading zeros */
                if (f->zero && f->wid_present && (size_t)f->wid > num.len) {
                        if ((r = tpl_buf_putc(f->buf, num.data[0])) < 0 ||
                                (r = write_padding(f, f->wid - (int)num.len)) < 0)
                                return r;
                        return tpl_buf_put(f->buf, num.data + 1, num.len - 1);
                }
                return pad(f, num.data, num.len);
        }
        return pad(f, num.data + 1, num.len - 1);
}

static int bad_verb(Fmt *f, const Value *arg, uint32_t verb) {
        int r;

        if ((r = tpl_buf_puts(f->buf, "%!")) < 0 || (r = tpl_buf_put_rune(f->buf, verb)) < 0 ||
                (r = tpl_buf_putc(f->buf, '(')) < 0)
                return r;
        if (arg->type == VALUE_INVALID)
                r = tpl_buf_puts(f->buf, "<nil>");
        else if ((r = tpl_buf_puts(f->buf, tpl_value_type_name(arg))) >= 0 && (r = tpl_buf_putc(f->buf, '=')) >= 0)
                r = print_arg(f, arg, 'v');
        if (r < 0)
                return r;
        return tpl_buf_putc(f->buf, ')');
}

static int fmt_integer_verb(Fmt *f, const Value *arg, uint64_t v, bool is_signed, uint32_t verb) {
        switch (verb) {
        case 'v':
        case 'd': return fmt_integer(f, v, 10, is_signed, verb, ldigits);
        case 'b': return fmt_integer(f, v, 2, is_signed, verb, ldigits);
        case 'o':
        case 'O': return fmt_integer(f, v, 8, is_signed, verb, ldigits);
        case 'x': return fmt_integer(f, v, 16, is_signed, verb, ldigits);
        case 'X': return fmt_integer(f, v, 16, is_signed, verb, udigits);
        case 'c': return fmt_c(f, v);
        case 'q': return fmt_qc(f, v);
        case 'U': return fmt_unicode(f, v);
        default: return bad_verb(f, arg, verb);
        }
}

static int fmt_string(Fmt *f, const Value *arg, uint32_t verb) {
        switch (verb) {
        case 'v':
        case 's': return fmt_s(f, arg->str.s, arg->str.len);
        case 'x': return fmt_sbx(f, arg->str.s, arg->str.len, ldigits);
        case 'X': return fmt_sbx(f, arg->str.s, arg->str.len, udigits);
        case 'q': return fmt_q(f, arg->str.s, arg->str.len);
        default: return bad_verb(f, arg, verb);
        }
}

static int print_map(Fmt *f, uint32_t verb) {
        int r;

        r = tpl_buf_puts(f->buf, "map[");
        for (size_t i = 0; r >= 0 && i < f->t->n_entries; i++) {
                const TemplateEntry *e = &f->t->entries[i];
                Value key = { .type = VALUE_STRING, .str = { e->key, strlen(e->key), NULL } };
                Value value = { .type = VALUE_STRING, .str = { e->value, strlen(e->value), NULL } };

                if (i > 0)
                        r = tpl_buf_putc(f->buf, ' ');
                if (r >= 0)
                        r = fmt_string(f, &key, verb);
                if (r >= 0)
                        r = tpl_buf_putc(f->buf, ':');
                if (r >= 0)
                        r = fmt_string(f, &value, verb);
        }
        if (r < 0)
                return r;
        return tpl_buf_putc(f->buf, ']');
}

static int print_arg(Fmt *f, const Value *arg, uint32_t verb) {
        if (f->sharp_v)
                return unsupported(f, "%%#v is not supported");
        if (arg->type == VALUE_INVALID) {
                if (verb == 'T' || verb == 'v')
                        return pad_string(f, "<nil>");
                return bad_verb(f, arg, verb);
        }
        if (verb == 'T') {
                const char *name = tpl_value_type_name(arg);

                return fmt_s(f, name, strlen(name));
        }
        if (verb == 'p') {
                if (arg->type == VALUE_MAP)
                        return unsupported(f, "%%p is not supported");
                return bad_verb(f, arg, verb);
        }
        switch (arg->type) {
        case VALUE_BOOL:
                if (verb == 't' || verb == 'v')
                        return pad_string(f, arg->b ? "true" : "false");
                return bad_verb(f, arg, verb);
        case VALUE_FLOAT:
                if (verb == 'v')
                        return fmt_float(f, arg->f);
                if (strchr("bgGxXfeEF", (int)verb) && verb != 0)
                        return unsupported(f, "%%%c with floating-point values is not supported", (char)verb);
                return bad_verb(f, arg, verb);
        case VALUE_INT: return fmt_integer_verb(f, arg, (uint64_t)arg->i, true, verb);
        case VALUE_UINT8: return fmt_integer_verb(f, arg, arg->u, false, verb);
        case VALUE_STRING: return fmt_string(f, arg, verb);
        case VALUE_MAP: return print_map(f, verb);
        default: return 0;
        }
}

int tpl_sprint(const Tpl *t, TplBuf *b, const Value *args, size_t n, bool ln) {
        Fmt f = { .t = t, .buf = b };
        bool prev_string = false;
        int r;

        for (size_t i = 0; i < n; i++) {
                bool is_string = args[i].type == VALUE_STRING;

                if (i > 0 && (ln || (!is_string && !prev_string))) {
                        r = tpl_buf_putc(b, ' ');
                        if (r < 0)
                                return r;
                }
                clear_flags(&f);
                r = print_arg(&f, &args[i], 'v');
                if (r < 0)
                        return r;
                prev_string = is_string;
        }
        return ln ? tpl_buf_putc(b, '\n') : 0;
}

int tpl_print_value(const Tpl *t, TplBuf *b, const Value *v) {
        if (v->type == VALUE_INVALID)
                return tpl_buf_puts(b, "<no value>");
        return tpl_sprint(t, b, v, 1, false);
}

/* fmt's parsenum: digits, giving up (and swallowing the rest of the format) past a million. */
static bool parse_num(const char *s, size_t *i, size_t end, int *ret) {
        bool isnum = false;
        int num = 0;

        *ret = 0;
        if (*i >= end)
                return false;
        for (; *i < end && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
                if (num > 1000000) {
                        *i = end;
                        return false;
                }
                num = num * 10 + (s[*i] - '0');
                isnum = true;
        }
        *ret = num;
        return isnum;
}

int tpl_sprintf(const Tpl *t, TplBuf *b, const char *format, size_t end, const Value *args, size_t n,
        TplBuf *unsupported_msg) {
        Fmt f = { .t = t, .buf = b, .unsupported = unsupported_msg };
        size_t arg_num = 0, i = 0;
        int r;

        while (i < end) {
                size_t last = i, size;
                uint32_t verb;

                while (i < end && format[i] != '%')
                        i++;
                r = tpl_buf_put(b, format + last, i - last);
                if (r < 0)
                        return r;
                if (i >= end)
                        break;
                i++; /* skip the % */

                clear_flags(&f);
                for (; i < end; i++) {
                        char c = format[i];

                        if (c == '#')
                                f.sharp = true;
                        else if (c == '0')
                                f.zero = !f.minus; /* only allow zero padding to the left */
                        else if (c == '+')
                                f.plus = true;
                        else if (c == '-') {
                                f.minus = true;
                                f.zero = false; /* do not pad with zeros to the right */
                        } else if (c == ' ')
                                f.space = true;
                        else
                                break;
                }

                if (i < end && (format[i] == '[' || format[i] == '*'))
                        return unsupported(&f, "printf: '%c' in a format is not supported", format[i]);
                f.wid_present = parse_num(format, &i, end, &f.wid);

                if (i + 1 < end && format[i] == '.') {
                        i++;
                        if (format[i] == '[' || format[i] == '*')
                                return unsupported(&f, "printf: '%c' in a format is not supported", format[i]);
                        f.prec_present = parse_num(format, &i, end, &f.prec);
                        if (!f.prec_present) {
                                f.prec = 0;
                                f.prec_present = true;
                        }
                }
                if (i < end && format[i] == '[')
                        return unsupported(&f, "printf: '[' in a format is not supported");

                if (i >= end) {
                        r = tpl_buf_puts(b, "%!(NOVERB)");
                        if (r < 0)
                                return r;
                        break;
                }

                verb = (unsigned char)format[i];
                size = 1;
                if (verb >= 0x80)
                        verb = tpl_utf8_decode(format + i, end - i, &size);
                i += size;

                if (verb == '%')
                        r = tpl_buf_putc(b, '%'); /* takes no operand and ignores width and precision */
                else if (arg_num >= n) {
                        if ((r = tpl_buf_puts(b, "%!")) >= 0 && (r = tpl_buf_put_rune(b, verb)) >= 0)
                                r = tpl_buf_puts(b, "(MISSING)");
                } else {
                        if (verb == 'v') {
                                f.sharp_v = f.sharp;
                                f.sharp = false;
                                f.plus = false; /* fmt keeps it as plusV, which only matters for structs */
                        }
                        r = print_arg(&f, &args[arg_num++], verb);
                }
                if (r < 0)
                        return r;
        }

        if (arg_num < n) {
                clear_flags(&f);
                r = tpl_buf_puts(b, "%!(EXTRA ");
                for (size_t k = arg_num; r >= 0 && k < n; k++) {
                        if (k > arg_num)
                                r = tpl_buf_puts(b, ", ");
                        if (r < 0)
                                break;
                        if (args[k].type == VALUE_INVALID)
                                r = tpl_buf_puts(b, "<nil>");
                        else if ((r = tpl_buf_puts(b, tpl_value_type_name(&args[k]))) >= 0 &&
                                 (r = tpl_buf_putc(b, '=')) >= 0)
                                r = print_arg(&f, &args[k], 'v');
                }
                if (r < 0)
                        return r;
                return tpl_buf_putc(b, ')');
        }
        return 0;
}
