/* SPDX-License-Identifier: MIT */
/* The template executor: Go's text/template exec.go for the values a map[string]string can produce.
 * Go's reflection-driven evaluation is reduced to a handful of value types, but the order of
 * evaluation and of the "current node" updates is kept, since both show in error messages. */

#include <inttypes.h>

#include "template-internal.h"

enum {
        WALK_BREAK = 1,
        WALK_CONTINUE = 2,
};

/* The arguments of a command, first word included, or none at all (Go's nil slice). */
typedef struct Args {
        const Node *first;
        size_t n;
} Args;

static int eval_pipeline(Tpl *t, const Value *dot, const Node *pipe, Value *ret);
static int eval_arg(Tpl *t, const Value *dot, int type, const Node *n, Value *ret);

#define PARAM_NONE (-1) /* Go's nil reflect.Type: no conversion at all */

/* ---- values ------------------------------------------------------------------------------------ */

Value tpl_value_ref(const Value *v) {
        if (v->type == VALUE_STRING && v->str.box)
                v->str.box->refs++;
        return *v;
}

void tpl_value_clear(Value *v) {
        if (v->type == VALUE_STRING && v->str.box && --v->str.box->refs == 0)
                free(v->str.box);
        *v = (Value){};
}

int tpl_value_from_buf(Value *ret, TplBuf *b) {
        TplBox *box = malloc(sizeof(TplBox) + b->len + 1);

        if (!box)
                return -ENOMEM;
        box->refs = 1;
        box->len = b->len;
        if (b->len > 0)
                memcpy(box->data, b->data, b->len);
        box->data[b->len] = 0;
        tpl_buf_free(b);
        *ret = (Value){ .type = VALUE_STRING, .str = { box->data, box->len, box } };
        return 0;
}

const char *tpl_value_type_name(const Value *v) {
        switch (v->type) {
        case VALUE_BOOL: return "bool";
        case VALUE_INT: return "int";
        case VALUE_UINT8: return "uint8";
        case VALUE_FLOAT: return "float64";
        case VALUE_STRING: return "string";
        case VALUE_MAP: return "map[string]string";
        default: return "<nil>";
        }
}

static Value borrowed_string(const char *s, size_t len) {
        return (Value){ .type = VALUE_STRING, .str = { s, len, NULL } };
}

bool tpl_truth(const Tpl *t, const Value *v) {
        switch (v->type) {
        case VALUE_BOOL: return v->b;
        case VALUE_INT: return v->i != 0;
        case VALUE_UINT8: return v->u != 0;
        case VALUE_FLOAT: return v->f != 0;
        case VALUE_STRING: return v->str.len > 0;
        case VALUE_MAP: return t->n_entries > 0;
        default: return false;
        }
}

const TemplateEntry *tpl_lookup(const Tpl *t, const char *key, size_t len) {
        size_t lo = 0, hi = t->n_entries;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2, klen = strlen(t->entries[mid].key);
                int c = memcmp(t->entries[mid].key, key, MIN(klen, len));

                if (c == 0)
                        c = klen < len ? -1 : klen > len ? 1 : 0;
                if (c == 0)
                        return &t->entries[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* ---- errors ------------------------------------------------------------------------------------ */

/* Turns a failure to grow a buffer into the right error. */
static int buf_error(Tpl *t, int r) {
        if (r == -E2BIG)
                return tpl_limit_error(t, "template: %s: output limit of %zu bytes exceeded", t->name, t->max_output);
        if (r == -ENOMEM)
                return tpl_oom(t);
        return r;
}

/* An execution error whose message is `before` + the node as Go prints it + `after`. */
static int describe_error(Tpl *t, const char *before, const Node *n, const char *after) {
        _cleanup_(tpl_buf_free) TplBuf desc = {};

        if (tpl_node_describe(&desc, n) < 0)
                return tpl_oom(t);
        return tpl_exec_error(t, "%s%s%s", before, desc.data ?: "", after);
}

/* ---- variables -------------------------------------------------------------------------------- */

static int push_var(Tpl *t, TplStr name, const Value *value) {
        if (t->n_vars == t->cap_vars) {
                size_t cap = MAX(t->cap_vars * 2, (size_t)16);
                TplVar *v = realloc(t->vars, cap * sizeof(TplVar));

                if (!v)
                        return tpl_oom(t);
                t->vars = v;
                t->cap_vars = cap;
        }
        t->vars[t->n_vars++] = (TplVar){ name, tpl_value_ref(value) };
        return 0;
}

static void pop_vars(Tpl *t, size_t mark) {
        while (t->n_vars > mark)
                tpl_value_clear(&t->vars[--t->n_vars].value);
}

static TplVar *find_var(Tpl *t, TplStr name) {
        for (size_t i = t->n_vars; i > 0; i--)
                if (t->vars[i - 1].name.len == name.len && memcmp(t->vars[i - 1].name.s, name.s, name.len) == 0)
                        return &t->vars[i - 1];
        return NULL;
}

static int undefined_variable(Tpl *t, TplStr name) {
        return tpl_exec_error(t, "undefined variable: %.*s", (int)name.len, name.s);
}

static int set_var(Tpl *t, TplStr name, const Value *value) {
        TplVar *v = find_var(t, name);

        if (!v)
                return undefined_variable(t, name);
        tpl_value_clear(&v->value);
        v->value = tpl_value_ref(value);
        return 0;
}

static void set_top_var(Tpl *t, size_t n, const Value *value) {
        TplVar *v = &t->vars[t->n_vars - n];

        tpl_value_clear(&v->value);
        v->value = tpl_value_ref(value);
}

/* ---- evaluation ------------------------------------------------------------------------------- */

static void at(Tpl *t, const Node *n) {
        t->node = n;
}

static int not_a_function(Tpl *t, Args args, const Value *final) {
        if (args.n > 1 || final)
                return describe_error(t, "can't give argument to non-function ", args.first, "");
        return 0;
}

static bool is_hex_int(TplStr s) {
        return s.len > 2 && s.s[0] == '0' && (s.s[1] == 'x' || s.s[1] == 'X') && !memchr(s.s, 'p', s.len) &&
               !memchr(s.s, 'P', s.len);
}

static int ideal_constant(Tpl *t, const Node *n, Value *ret) {
        TplStr text = n->number.text;
        bool float_text = false;

        at(t, n);
        if (n->number.is_complex)
                return tpl_exec_error(t, "complex number constants are not supported: %.*s", (int)text.len, text.s);
        for (size_t i = 0; i < text.len; i++)
                if (strchr(".eEpP", text.s[i]) && text.s[i])
                        float_text = true;
        if (n->number.is_float && !is_hex_int(text) && text.s[0] != '\'' && float_text) {
                *ret = (Value){ .type = VALUE_FLOAT, .f = n->number.f };
                return 0;
        }
        if (n->number.is_int) {
                *ret = (Value){ .type = VALUE_INT, .i = n->number.i };
                return 0;
        }
        if (n->number.is_uint)
                return tpl_exec_error(t, "%.*s overflows int", (int)text.len, text.s);
        *ret = (Value){};
        return 0;
}

static int eval_field(Tpl *t, const char *name, size_t name_len, Args args, const Value *final, const Value *receiver,
        Value *ret) {
        if (receiver->type == VALUE_INVALID) {
                *ret = (Value){};
                return 0;
        }
        if (receiver->type == VALUE_MAP) {
                const TemplateEntry *e;

                if (args.n > 1 || final)
                        return tpl_exec_error(t, "%.*s is not a method but has arguments", (int)name_len, name);
                e = tpl_lookup(t, name, name_len);
                *ret = e ? borrowed_string(e->value, strlen(e->value)) : (Value){};
                return 0;
        }
        return tpl_exec_error(t, "can't evaluate field %.*s in type %s", (int)name_len, name,
                tpl_value_type_name(receiver));
}

static int eval_field_chain(Tpl *t, const Value *receiver, const TplStr *idents, size_t n, Args args,
        const Value *final, Value *ret) {
        _cleanup_(tpl_value_clear) Value cur = tpl_value_ref(receiver);

        for (size_t i = 0; i + 1 < n; i++) {
                Value v = {};
                int r = eval_field(t, idents[i].s, idents[i].len, (Args){}, NULL, &cur, &v);

                if (r < 0)
                        return r;
                tpl_value_clear(&cur);
                cur = v;
        }
        return eval_field(t, idents[n - 1].s, idents[n - 1].len, args, final, &cur, ret);
}

static int eval_field_node(Tpl *t, const Value *dot, const Node *field, Args args, const Value *final, Value *ret) {
        at(t, field);
        return eval_field_chain(t, dot, field->field.idents, field->field.n_idents, args, final, ret);
}

static int eval_chain_node(Tpl *t, const Value *dot, const Node *chain, Args args, const Value *final, Value *ret) {
        _cleanup_(tpl_value_clear) Value pipe = {};
        int r;

        at(t, chain);
        r = eval_arg(t, dot, PARAM_NONE, chain->field.node, &pipe);
        if (r < 0)
                return r;
        return eval_field_chain(t, &pipe, chain->field.idents, chain->field.n_idents, args, final, ret);
}

static int eval_variable_node(Tpl *t, const Value *dot, const Node *var, Args args, const Value *final, Value *ret) {
        TplVar *v;
        int r;

        (void)dot;
        at(t, var);
        v = find_var(t, var->field.idents[0]);
        if (!v)
                return undefined_variable(t, var->field.idents[0]);
        if (var->field.n_idents == 1) {
                r = not_a_function(t, args, final);
                if (r < 0)
                        return r;
                *ret = tpl_value_ref(&v->value);
                return 0;
        }
        return eval_field_chain(t, &v->value, var->field.idents + 1, var->field.n_idents - 1, args, final, ret);
}

static int validate_type(Tpl *t, Value *v, int type) {
        if (type != PARAM_STRING)
                return 0;
        if (v->type == VALUE_INVALID)
                return tpl_exec_error(t, "invalid value; expected string");
        if (v->type != VALUE_STRING)
                return tpl_exec_error(t, "wrong type for value; expected string; got %s", tpl_value_type_name(v));
        return 0;
}

/* Evaluated arguments of a builtin call. */
typedef struct Argv {
        size_t n;
        Value v[];
} Argv;

static void argv_freep(Argv **argv) {
        if (!*argv)
                return;
        for (size_t i = 0; i < (*argv)->n; i++)
                tpl_value_clear(&(*argv)->v[i]);
        free(*argv);
}

static int eval_call(Tpl *t, const Value *dot, Builtin b, const Node *node, Args args, const Value *final, Value *ret) {
        const BuiltinInfo *info = &tpl_builtins[b];
        size_t n_args = args.first ? args.n - 1 : 0, num_in = n_args + (final ? 1 : 0), num_fixed = n_args, i = 0;
        const Node *arg = args.first ? args.first->next : NULL;
        _cleanup_(tpl_buf_free) TplBuf err = {};
        _cleanup_(argv_freep) Argv *argv = NULL;
        int r;

        if (info->variadic) {
                num_fixed = info->num_in - 1;
                if (num_in < num_fixed)
                        return tpl_exec_error(t, "wrong number of args for %s: want at least %u got %zu", info->name,
                                info->num_in - 1, n_args);
        } else if (num_in != info->num_in)
                return tpl_exec_error(t, "wrong number of args for %s: want %u got %zu", info->name, info->num_in,
                        num_in);

        if (b == BUILTIN_AND || b == BUILTIN_OR) {
                Value v = {};

                /* short-circuit: evaluation stops at the first argument that decides the result */
                for (; arg; arg = arg->next) {
                        tpl_value_clear(&v);
                        r = eval_arg(t, dot, PARAM_ANY, arg, &v);
                        if (r < 0)
                                return r;
                        if (tpl_truth(t, &v) == (b == BUILTIN_OR)) {
                                *ret = v;
                                return 0;
                        }
                }
                if (final) {
                        tpl_value_clear(&v);
                        v = tpl_value_ref(final);
                }
                *ret = v;
                return 0;
        }

        argv = calloc(1, sizeof(Argv) + num_in * sizeof(Value));
        if (!argv)
                return tpl_oom(t);
        argv->n = num_in;
        for (; i < num_fixed && arg; i++, arg = arg->next) {
                int type = i == 0 ? (int)info->first_param : PARAM_ANY;

                r = eval_arg(t, dot, type, arg, &argv->v[i]);
                if (r < 0)
                        return r;
        }
        if (info->variadic)
                for (; arg; i++, arg = arg->next) {
                        r = eval_arg(t, dot, PARAM_ANY, arg, &argv->v[i]);
                        if (r < 0)
                                return r;
                }
        if (final) {
                int type = PARAM_ANY;

                /* a final value standing in for a fixed parameter gets that parameter's type */
                if (info->variadic && num_in - 1 < num_fixed && num_in - 1 == 0)
                        type = (int)info->first_param;
                argv->v[i] = tpl_value_ref(final);
                r = validate_type(t, &argv->v[i], type);
                if (r < 0)
                        return r;
        }

        r = tpl_builtin_call(t, b, argv->v, num_in, ret, &err);
        if (r == -EDOM || r == -EOPNOTSUPP) {
                at(t, node);
                return tpl_exec_error(t, "error calling %s: %s", info->name, err.data ?: "");
        }
        if (r < 0)
                return buf_error(t, r);
        return 0;
}

static int eval_function(Tpl *t, const Value *dot, const Node *ident, const Node *cmd, Args args, const Value *final,
        Value *ret) {
        at(t, ident);
        return eval_call(t, dot, ident->ident.builtin, cmd, args, final, ret);
}

static int eval_arg(Tpl *t, const Value *dot, int type, const Node *n, Value *ret) {
        int r;

        r = tpl_charge(t, 1);
        if (r < 0)
                return r;
        at(t, n);
        switch (n->type) {
        case NODE_DOT: *ret = tpl_value_ref(dot); break;
        case NODE_NIL:
                if (type == PARAM_STRING)
                        return tpl_exec_error(t, "cannot assign nil to string");
                *ret = (Value){};
                return 0;
        case NODE_FIELD: r = eval_field_node(t, dot, n, (Args){ n, 1 }, NULL, ret); break;
        case NODE_VARIABLE: r = eval_variable_node(t, dot, n, (Args){}, NULL, ret); break;
        case NODE_PIPE: r = eval_pipeline(t, dot, n, ret); break;
        case NODE_IDENTIFIER: r = eval_function(t, dot, n, n, (Args){}, NULL, ret); break;
        case NODE_CHAIN: r = eval_chain_node(t, dot, n, (Args){}, NULL, ret); break;
        default:
                if (type == PARAM_STRING) {
                        if (n->type == NODE_STRING) {
                                *ret = borrowed_string(n->string.text.s, n->string.text.len);
                                return 0;
                        }
                        return describe_error(t, "expected string; found ", n, "");
                }
                /* an empty interface takes the constant as it is */
                at(t, n);
                switch (n->type) {
                case NODE_BOOL: *ret = (Value){ .type = VALUE_BOOL, .b = n->boolean }; return 0;
                case NODE_NUMBER: return ideal_constant(t, n, ret);
                case NODE_STRING: *ret = borrowed_string(n->string.text.s, n->string.text.len); return 0;
                default: return describe_error(t, "can't handle assignment of ", n, " to empty interface argument");
                }
        }
        if (r < 0)
                return r;
        r = validate_type(t, ret, type);
        if (r < 0)
                tpl_value_clear(ret);
        return r;
}

static int eval_command(Tpl *t, const Value *dot, const Node *cmd, const Value *final, Value *ret) {
        const Node *first = cmd->first;
        Args args = { first, cmd->n_children };
        int r;

        r = tpl_charge(t, 1);
        if (r < 0)
                return r;
        switch (first->type) {
        case NODE_FIELD: return eval_field_node(t, dot, first, args, final, ret);
        case NODE_CHAIN: return eval_chain_node(t, dot, first, args, final, ret);
        case NODE_IDENTIFIER: return eval_function(t, dot, first, cmd, args, final, ret);
        case NODE_PIPE:
                r = not_a_function(t, args, final);
                if (r < 0)
                        return r;
                return eval_pipeline(t, dot, first, ret);
        case NODE_VARIABLE: return eval_variable_node(t, dot, first, args, final, ret);
        default: break;
        }

        at(t, first);
        r = not_a_function(t, args, final);
        if (r < 0)
                return r;
        switch (first->type) {
        case NODE_BOOL: *ret = (Value){ .type = VALUE_BOOL, .b = first->boolean }; return 0;
        case NODE_DOT: *ret = tpl_value_ref(dot); return 0;
        case NODE_NIL: return tpl_exec_error(t, "nil is not a command");
        case NODE_NUMBER: return ideal_constant(t, first, ret);
        case NODE_STRING: *ret = borrowed_string(first->string.text.s, first->string.text.len); return 0;
        default: return describe_error(t, "can't evaluate command ", first, "");
        }
}

static int eval_pipeline(Tpl *t, const Value *dot, const Node *pipe, Value *ret) {
        Value value = {};
        bool have_value = false;
        int r;

        at(t, pipe);
        for (const Node *cmd = pipe->first; cmd; cmd = cmd->next) {
                Value v = {};

                r = eval_command(t, dot, cmd, have_value ? &value : NULL, &v);
                tpl_value_clear(&value);
                if (r < 0)
                        return r;
                value = v;
                have_value = true;
        }
        for (const Node *var = pipe->pipe.decl_first; var; var = var->next) {
                if (pipe->pipe.is_assign)
                        r = set_var(t, var->field.idents[0], &value);
                else
                        r = push_var(t, var->field.idents[0], &value);
                if (r < 0) {
                        tpl_value_clear(&value);
                        return r;
                }
        }
        *ret = value;
        return 0;
}

/* ---- walking the tree ------------------------------------------------------------------------- */

static int walk(Tpl *t, const Value *dot, const Node *node);

static int write_out(Tpl *t, const char *s, size_t n) {
        int r = tpl_charge(t, n / 1024);

        if (r < 0)
                return r;
        r = tpl_buf_put(&t->out, s, n);
        return r < 0 ? buf_error(t, r) : 0;
}

static int walk_if_or_with(Tpl *t, const Value *dot, const Node *node) {
        _cleanup_(tpl_value_clear) Value val = {};
        size_t mark = t->n_vars;
        int r;

        r = eval_pipeline(t, dot, node->branch.pipe, &val);
        if (r >= 0) {
                if (tpl_truth(t, &val))
                        r = walk(t, node->type == NODE_WITH ? &val : dot, node->branch.list);
                else if (node->branch.else_list)
                        r = walk(t, dot, node->branch.else_list);
        }
        pop_vars(t, mark);
        return r;
}

static int range_over_data(Tpl *t, const Node *node, size_t mark) {
        size_t n_decl = node->branch.pipe->pipe.n_decl;

        for (size_t i = 0; i < t->n_entries; i++) {
                Value key = borrowed_string(t->entries[i].key, strlen(t->entries[i].key));
                Value elem = borrowed_string(t->entries[i].value, strlen(t->entries[i].value));
                int r;

                r = tpl_charge(t, 1);
                if (r < 0)
                        return r;
                /* like Go, the loop variables are the last ones the range pipeline pushed */
                if (n_decl > 0)
                        set_top_var(t, 1, &elem);
                if (n_decl > 1)
                        set_top_var(t, 2, &key);
                r = walk(t, &elem, node->branch.list);
                pop_vars(t, mark);
                if (r < 0)
                        return r;
                if (r == WALK_BREAK)
                        break;
        }
        return 0;
}

static int range_over(Tpl *t, const Value *dot, const Node *node, const Value *val) {
        if (val->type == VALUE_MAP && t->n_entries > 0)
                return range_over_data(t, node, t->n_vars);
        if (val->type != VALUE_MAP && val->type != VALUE_INVALID) {
                _cleanup_(tpl_buf_free) TplBuf desc = {};

                if (tpl_sprint(t, &desc, val, 1, false) < 0)
                        return tpl_oom(t);
                return tpl_exec_error(t, "range can't iterate over %s", desc.data ?: "");
        }
        if (node->branch.else_list)
                return walk(t, dot, node->branch.else_list);
        return 0;
}

static int walk_range(Tpl *t, const Value *dot, const Node *node) {
        _cleanup_(tpl_value_clear) Value val = {};
        size_t mark = t->n_vars;
        int r;

        at(t, node);
        r = eval_pipeline(t, dot, node->branch.pipe, &val);
        if (r >= 0)
                r = range_over(t, dot, node, &val);
        pop_vars(t, mark);
        return r;
}

static int walk(Tpl *t, const Value *dot, const Node *node) {
        _cleanup_(tpl_buf_free) TplBuf printed = {};
        _cleanup_(tpl_value_clear) Value val = {};
        int r;

        r = tpl_charge(t, 1);
        if (r < 0)
                return r;
        at(t, node);
        switch (node->type) {
        case NODE_ACTION:
                r = eval_pipeline(t, dot, node->branch.pipe, &val);
                if (r < 0 || node->branch.pipe->pipe.n_decl > 0)
                        return r;
                at(t, node);
                printed.limit = t->max_output;
                r = tpl_print_value(t, &printed, &val);
                if (r < 0)
                        return buf_error(t, r);
                return write_out(t, printed.data, printed.len);
        case NODE_BREAK: return WALK_BREAK;
        case NODE_CONTINUE: return WALK_CONTINUE;
        case NODE_IF:
        case NODE_WITH: return walk_if_or_with(t, dot, node);
        case NODE_LIST:
                for (const Node *c = node->first; c; c = c->next) {
                        r = walk(t, dot, c);
                        if (r != 0)
                                return r;
                }
                return 0;
        case NODE_RANGE: return walk_range(t, dot, node);
        case NODE_TEXT: return write_out(t, node->text.s, node->text.len);
        default: return describe_error(t, "unknown node: ", node, "");
        }
}

int tpl_execute(Tpl *t) {
        Value data = { .type = VALUE_MAP };
        int r;

        t->out.limit = t->max_output;
        r = push_var(t, (TplStr){ "$", 1 }, &data);
        if (r >= 0)
                r = walk(t, &data, t->root);
        pop_vars(t, 0);
        free(t->vars);
        t->vars = NULL;
        t->cap_vars = 0;
        return r < 0 ? r : 0;
}
