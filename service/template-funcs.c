/* SPDX-License-Identifier: MIT */
/* The builtin functions of Go's text/template (funcs.go), over the engine's value types. Error
 * texts are Go's, including the ones Go produces by accident (a recovered reflect panic). */

#include <inttypes.h>

#include "template-internal.h"

/* Sorted by name, for the lookup. Go's signature decides the argument checks: num_in counts the
 * parameters, the variadic one included. */
const BuiltinInfo tpl_builtins[_BUILTIN_MAX] = {
        [BUILTIN_AND] = { "and", 2, true, PARAM_ANY },
        [BUILTIN_CALL] = { "call", 2, true, PARAM_ANY },
        [BUILTIN_EQ] = { "eq", 2, true, PARAM_ANY },
        [BUILTIN_GE] = { "ge", 2, false, PARAM_ANY },
        [BUILTIN_GT] = { "gt", 2, false, PARAM_ANY },
        [BUILTIN_HTML] = { "html", 1, true, PARAM_ANY },
        [BUILTIN_INDEX] = { "index", 2, true, PARAM_ANY },
        [BUILTIN_JS] = { "js", 1, true, PARAM_ANY },
        [BUILTIN_LE] = { "le", 2, false, PARAM_ANY },
        [BUILTIN_LEN] = { "len", 1, false, PARAM_ANY },
        [BUILTIN_LT] = { "lt", 2, false, PARAM_ANY },
        [BUILTIN_NE] = { "ne", 2, false, PARAM_ANY },
        [BUILTIN_NOT] = { "not", 1, false, PARAM_ANY },
        [BUILTIN_OR] = { "or", 2, true, PARAM_ANY },
        [BUILTIN_PRINT] = { "print", 1, true, PARAM_ANY },
        [BUILTIN_PRINTF] = { "printf", 2, true, PARAM_STRING },
        [BUILTIN_PRINTLN] = { "println", 1, true, PARAM_ANY },
        [BUILTIN_SLICE] = { "slice", 2, true, PARAM_ANY },
        [BUILTIN_URLQUERY] = { "urlquery", 1, true, PARAM_ANY },
};

int tpl_builtin_lookup(const char *name, size_t len) {
        for (size_t i = 0; i < _BUILTIN_MAX; i++)
                if (strlen(tpl_builtins[i].name) == len && memcmp(tpl_builtins[i].name, name, len) == 0)
                        return (int)i;
        return -1;
}

static int fail(TplBuf *err, const char *format, ...) _printf_(2, 3);
static int fail(TplBuf *err, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = tpl_buf_vprintf(err, format, ap);
        va_end(ap);
        return r < 0 ? r : -EDOM;
}

static Value bool_value(bool b) {
        return (Value){ .type = VALUE_BOOL, .b = b };
}

/* ---- comparisons ------------------------------------------------------------------------------- */

typedef enum Kind {
        KIND_INVALID,
        KIND_BOOL,
        KIND_INT,
        KIND_FLOAT,
        KIND_STRING,
        KIND_UINT,
} Kind;

static Kind basic_kind(const Value *v) {
        switch (v->type) {
        case VALUE_BOOL: return KIND_BOOL;
        case VALUE_INT: return KIND_INT;
        case VALUE_UINT8: return KIND_UINT;
        case VALUE_FLOAT: return KIND_FLOAT;
        case VALUE_STRING: return KIND_STRING;
        default: return KIND_INVALID;
        }
}

static int compare_strings(const Value *a, const Value *b) {
        int c = memcmp(a->str.s, b->str.s, MIN(a->str.len, b->str.len));

        if (c != 0)
                return c;
        return a->str.len < b->str.len ? -1 : a->str.len > b->str.len ? 1 : 0;
}

static int eq(const Tpl *t, const Value *argv, size_t argc, bool *ret, TplBuf *err) {
        const Value *a = &argv[0];
        Kind k1 = basic_kind(a);

        if (argc < 2)
                return fail(err, "missing argument for comparison");
        for (size_t i = 1; i < argc; i++) {
                const Value *b = &argv[i];
                Kind k2 = basic_kind(b);
                bool truth = false;

                if (k1 != k2) {
                        if (k1 == KIND_INT && k2 == KIND_UINT)
                                truth = a->i >= 0 && (uint64_t)a->i == b->u;
                        else if (k1 == KIND_UINT && k2 == KIND_INT)
                                truth = b->i >= 0 && a->u == (uint64_t)b->i;
                        else if (a->type != VALUE_INVALID && b->type != VALUE_INVALID)
                                return fail(err, "incompatible types for comparison");
                } else {
                        switch (k1) {
                        case KIND_BOOL: truth = a->b == b->b; break;
                        case KIND_FLOAT: truth = a->f == b->f; break;
                        case KIND_INT: truth = a->i == b->i; break;
                        case KIND_STRING: truth = compare_strings(a, b) == 0; break;
                        case KIND_UINT: truth = a->u == b->u; break;
                        case KIND_INVALID: {
                                /* the data map or nothing: only nil-ness can be compared */
                                bool nil_a = a->type == VALUE_INVALID, nil_b = b->type == VALUE_INVALID;

                                if (nil_a || nil_b)
                                        truth = nil_a == nil_b;
                                else {
                                        _cleanup_(tpl_buf_free) TplBuf desc = {};
                                        int r = tpl_sprint(t, &desc, b, 1, false);

                                        if (r < 0)
                                                return r;
                                        return fail(err, "non-comparable type %s: %s", desc.data,
                                                tpl_value_type_name(b));
                                }
                                break;
                        }
                        }
                }
                if (truth) {
                        *ret = true;
                        return 0;
                }
        }
        *ret = false;
        return 0;
}

static int lt(const Value *a, const Value *b, bool *ret, TplBuf *err) {
        Kind k1 = basic_kind(a), k2 = basic_kind(b);

        if (k1 == KIND_INVALID || k2 == KIND_INVALID)
                return fail(err, "invalid type for comparison");
        if (k1 != k2) {
                if (k1 == KIND_INT && k2 == KIND_UINT)
                        *ret = a->i < 0 || (uint64_t)a->i < b->u;
                else if (k1 == KIND_UINT && k2 == KIND_INT)
                        *ret = b->i >= 0 && a->u < (uint64_t)b->i;
                else
                        return fail(err, "incompatible types for comparison");
                return 0;
        }
        switch (k1) {
        case KIND_FLOAT: *ret = a->f < b->f; return 0;
        case KIND_INT: *ret = a->i < b->i; return 0;
        case KIND_STRING: *ret = compare_strings(a, b) < 0; return 0;
        case KIND_UINT: *ret = a->u < b->u; return 0;
        default: return fail(err, "invalid type for comparison");
        }
}

static int le(const Tpl *t, const Value *argv, bool *ret, TplBuf *err) {
        int r = lt(&argv[0], &argv[1], ret, err);

        if (r < 0 || *ret)
                return r;
        return eq(t, argv, 2, ret, err);
}

/* ---- index, slice, len ------------------------------------------------------------------------- */

static int index_arg(const Value *index, size_t cap, size_t *ret, TplBuf *err) {
        int64_t x;

        switch (index->type) {
        case VALUE_INT: x = index->i; break;
        case VALUE_UINT8: x = (int64_t)index->u; break;
        case VALUE_INVALID: return fail(err, "cannot index slice/array with nil");
        default: return fail(err, "cannot index slice/array with type %s", tpl_value_type_name(index));
        }
        if (x < 0 || (uint64_t)x > cap)
                return fail(err, "index out of range: %" PRId64, x);
        *ret = (size_t)x;
        return 0;
}

static int builtin_index(const Tpl *t, const Value *argv, size_t argc, Value *ret, TplBuf *err) {
        _cleanup_(tpl_value_clear) Value item = tpl_value_ref(&argv[0]);
        int r;

        if (item.type == VALUE_INVALID)
                return fail(err, "index of untyped nil");
        for (size_t i = 1; i < argc; i++) {
                const Value *index = &argv[i];

                if (item.type == VALUE_STRING) {
                        size_t x = 0;

                        r = index_arg(index, item.str.len, &x, err);
                        if (r < 0)
                                return r;
                        if (x == item.str.len) /* Go's bounds check lets this through to reflect */
                                return fail(err, "reflect: string index out of range");
                        Value byte = { .type = VALUE_UINT8, .u = (unsigned char)item.str.s[x] };
                        tpl_value_clear(&item);
                        item = byte;
                } else if (item.type == VALUE_MAP) {
                        const TemplateEntry *e;

                        if (index->type == VALUE_INVALID)
                                return fail(err, "value is nil; should be of type string");
                        if (index->type != VALUE_STRING)
                                return fail(err, "value has type %s; should be string", tpl_value_type_name(index));
                        e = tpl_lookup(t, index->str.s, index->str.len);
                        item = (Value){ .type = VALUE_STRING,
                                .str = { e ? e->value : "", e ? strlen(e->value) : 0, NULL } };
                } else
                        return fail(err, "can't index item of type %s", tpl_value_type_name(&item));
        }
        *ret = tpl_value_ref(&item);
        return 0;
}

static int builtin_slice(const Value *argv, size_t argc, Value *ret, TplBuf *err) {
        const Value *item = &argv[0];
        size_t n_indexes = argc - 1, idx[3];
        int r;

        if (item->type == VALUE_INVALID)
                return fail(err, "slice of untyped nil");
        if (n_indexes > 3)
                return fail(err, "too many slice indexes: %zu", n_indexes);
        if (item->type != VALUE_STRING)
                return fail(err, "can't slice item of type %s", tpl_value_type_name(item));
        if (n_indexes == 3)
                return fail(err, "cannot 3-index slice a string");

        idx[0] = 0;
        idx[1] = item->str.len;
        for (size_t i = 0; i < n_indexes; i++) {
                r = index_arg(&argv[1 + i], item->str.len, &idx[i], err);
                if (r < 0)
                        return r;
        }
        if (idx[0] > idx[1])
                return fail(err, "invalid slice index: %zu > %zu", idx[0], idx[1]);
        *ret = tpl_value_ref(item);
        ret->str.s += idx[0];
        ret->str.len = idx[1] - idx[0];
        return 0;
}

static int builtin_len(const Tpl *t, const Value *item, Value *ret, TplBuf *err) {
        switch (item->type) {
        case VALUE_STRING: *ret = (Value){ .type = VALUE_INT, .i = (int64_t)item->str.len }; return 0;
        case VALUE_MAP: *ret = (Value){ .type = VALUE_INT, .i = (int64_t)t->n_entries }; return 0;
        case VALUE_INVALID: return fail(err, "reflect: call of reflect.Value.Type on zero Value");
        default: return fail(err, "len of type %s", tpl_value_type_name(item));
        }
}

/* ---- escapers ------------------------------------------------------------------------------------ */

/* Go's evalArgs: a single string as it is, anything else through fmt.Sprint with missing values
 * shown as "<no value>". */
static int eval_args(const Tpl *t, const Value *argv, size_t argc, TplBuf *tmp, const char **ret_s, size_t *ret_len) {
        _cleanup_free_ Value *args = NULL;
        int r;

        if (argc == 1 && argv[0].type == VALUE_STRING) {
                *ret_s = argv[0].str.s;
                *ret_len = argv[0].str.len;
                return 0;
        }
        args = calloc(MAX(argc, (size_t)1), sizeof(Value));
        if (!args)
                return -ENOMEM;
        for (size_t i = 0; i < argc; i++)
                args[i] = argv[i].type == VALUE_INVALID
                                  ? (Value){ .type = VALUE_STRING, .str = { "<no value>", strlen("<no value>"), NULL } }
                                  : argv[i];
        r = tpl_sprint(t, tmp, args, argc, false);
        if (r < 0)
                return r;
        *ret_s = tmp->data ?: "";
        *ret_len = tmp->len;
        return 0;
}

static int html_escape(TplBuf *b, const char *s, size_t n) {
        size_t last = 0;
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *esc;

                switch (s[i]) {
                case 0: esc = "\xEF\xBF\xBD"; break;
                case '"': esc = "&#34;"; break;
                case '\'': esc = "&#39;"; break;
                case '&': esc = "&amp;"; break;
                case '<': esc = "&lt;"; break;
                case '>': esc = "&gt;"; break;
                default: continue;
                }
                if ((r = tpl_buf_put(b, s + last, i - last)) < 0 || (r = tpl_buf_puts(b, esc)) < 0)
                        return r;
                last = i + 1;
        }
        return tpl_buf_put(b, s + last, n - last);
}

static int js_escape(TplBuf *b, const char *s, size_t n) {
        static const char hex[] = "0123456789ABCDEF";
        size_t last = 0;
        int r;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                const char *esc = NULL;
                char buf[16];

                if (!(c == '\\' || c == '\'' || c == '"' || c == '<' || c == '>' || c == '&' || c == '=' || c < ' ' ||
                            c >= 0x80))
                        continue;
                r = tpl_buf_put(b, s + last, i - last);
                if (r < 0)
                        return r;
                if (c < 0x80) {
                        switch (c) {
                        case '\\': esc = "\\\\"; break;
                        case '\'': esc = "\\'"; break;
                        case '"': esc = "\\\""; break;
                        case '<': esc = "\\u003C"; break;
                        case '>': esc = "\\u003E"; break;
                        case '&': esc = "\\u0026"; break;
                        case '=': esc = "\\u003D"; break;
                        default: snprintf(buf, sizeof(buf), "\\u00%c%c", hex[c >> 4], hex[c & 0xF]); esc = buf;
                        }
                        r = tpl_buf_puts(b, esc);
                } else {
                        size_t w;
                        uint32_t rune = tpl_utf8_decode(s + i, n - i, &w);

                        if (tpl_is_print(rune))
                                r = tpl_buf_put(b, s + i, w);
                        else
                                r = tpl_buf_printf(b, "\\u%04X", (unsigned)rune);
                        i += w - 1;
                }
                if (r < 0)
                        return r;
                last = i + 1;
        }
        return tpl_buf_put(b, s + last, n - last);
}

/* net/url.QueryEscape */
static int url_query_escape(TplBuf *b, const char *s, size_t n) {
        static const char hex[] = "0123456789ABCDEF";
        int r = 0;

        for (size_t i = 0; r >= 0 && i < n; i++) {
                unsigned char c = (unsigned char)s[i];

                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == '~')
                        r = tpl_buf_putc(b, (char)c);
                else if (c == ' ')
                        r = tpl_buf_putc(b, '+');
                else {
                        char esc[3] = { '%', hex[c >> 4], hex[c & 0xF] };

                        r = tpl_buf_put(b, esc, 3);
                }
        }
        return r;
}

/* ---- dispatch ----------------------------------------------------------------------------------- */

static uint64_t input_bytes(const Value *argv, size_t argc) {
        uint64_t n = 0;

        for (size_t i = 0; i < argc; i++)
                if (argv[i].type == VALUE_STRING)
                        n += argv[i].str.len;
        return n;
}

static int call_builtin(Tpl *t, Builtin b, Value *argv, size_t argc, Value *ret, TplBuf *err) {
        _cleanup_(tpl_buf_free) TplBuf out = { .limit = t->max_output }, tmp = { .limit = t->max_output };
        const char *s;
        size_t len;
        bool truth = false;
        int r;

        switch (b) {
        case BUILTIN_CALL:
                if (argv[0].type == VALUE_INVALID)
                        return fail(err, "call of nil");
                return fail(err, "non-function of type %s", tpl_value_type_name(&argv[0]));
        case BUILTIN_EQ:
        case BUILTIN_NE:
                r = eq(t, argv, argc, &truth, err);
                if (r < 0)
                        return r;
                *ret = bool_value(b == BUILTIN_EQ ? truth : !truth);
                return 0;
        case BUILTIN_LT:
        case BUILTIN_GE:
                r = lt(&argv[0], &argv[1], &truth, err);
                if (r < 0)
                        return r;
                *ret = bool_value(b == BUILTIN_LT ? truth : !truth);
                return 0;
        case BUILTIN_LE:
        case BUILTIN_GT:
                r = le(t, argv, &truth, err);
                if (r < 0)
                        return r;
                *ret = bool_value(b == BUILTIN_LE ? truth : !truth);
                return 0;
        case BUILTIN_NOT: *ret = bool_value(!tpl_truth(t, &argv[0])); return 0;
        case BUILTIN_LEN: return builtin_len(t, &argv[0], ret, err);
        case BUILTIN_INDEX: return builtin_index(t, argv, argc, ret, err);
        case BUILTIN_SLICE: return builtin_slice(argv, argc, ret, err);
        case BUILTIN_HTML:
        case BUILTIN_JS:
        case BUILTIN_URLQUERY:
                r = eval_args(t, argv, argc, &tmp, &s, &len);
                if (r < 0)
                        return r;
                r = b == BUILTIN_HTML ? html_escape(&out, s, len)
                    : b == BUILTIN_JS ? js_escape(&out, s, len)
                                      : url_query_escape(&out, s, len);
                break;
        case BUILTIN_PRINT:
        case BUILTIN_PRINTLN: r = tpl_sprint(t, &out, argv, argc, b == BUILTIN_PRINTLN); break;
        case BUILTIN_PRINTF: r = tpl_sprintf(t, &out, argv[0].str.s, argv[0].str.len, argv + 1, argc - 1, err); break;
        default: return -EINVAL; /* and/or are evaluated lazily by the executor */
        }
        if (r < 0)
                return r;
        r = tpl_charge(t, out.len / 1024);
        if (r < 0)
                return r;
        return tpl_value_from_buf(ret, &out);
}

int tpl_builtin_call(Tpl *t, Builtin b, Value *argv, size_t argc, Value *ret, TplBuf *err) {
        int r;

        /* long strings cost work in proportion to their length */
        r = tpl_charge(t, input_bytes(argv, argc) / 1024);
        if (r < 0)
                return r;
        return call_builtin(t, b, argv, argc, ret, err);
}
