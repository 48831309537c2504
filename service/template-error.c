/* SPDX-License-Identifier: MIT */
/* Error messages in Go's forms, the limits, and Go's Node.String() rendering of tree nodes that
 * the execution errors quote. */

#include <inttypes.h>

#include "template-internal.h"

/* ---- errors and limits -------------------------------------------------------------------------- */

static int set_error(Tpl *t, int code, char *msg) {
        if (t->error_code != 0 && code != -ENOMEM) {
                free(msg);
                return t->error_code;
        }
        free(t->error);
        t->error = msg;
        t->error_code = code;
        return code;
}

int tpl_oom(Tpl *t) {
        return set_error(t, -ENOMEM, NULL);
}

static int verror(Tpl *t, int code, const char *prefix, const char *format, va_list ap) _printf_(4, 0);
static int verror(Tpl *t, int code, const char *prefix, const char *format, va_list ap) {
        _cleanup_(tpl_buf_free) TplBuf msg = {};

        if (tpl_buf_puts(&msg, prefix) < 0 || tpl_buf_vprintf(&msg, format, ap) < 0)
                return tpl_oom(t);
        return set_error(t, code, tpl_buf_steal(&msg));
}

int tpl_parse_error(Tpl *t, int line, const char *format, ...) {
        _cleanup_(tpl_buf_free) TplBuf prefix = {};
        va_list ap;
        int r;

        if (tpl_buf_printf(&prefix, "template: %s:%d: ", t->name, line) < 0)
                return tpl_oom(t);
        va_start(ap, format);
        r = verror(t, -EINVAL, prefix.data, format, ap);
        va_end(ap);
        return r;
}

int tpl_limit_error(Tpl *t, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = verror(t, -E2BIG, "", format, ap);
        va_end(ap);
        return r;
}

/* "template: NAME:LINE:COL: executing "NAME" at <NODE>: ", where the column is the byte offset in
 * the line (Go's ErrorContext), counted from 0. */
int tpl_exec_error(Tpl *t, const char *format, ...) {
        _cleanup_(tpl_buf_free) TplBuf prefix = {};
        va_list ap;
        int r;

        if (!t->node) {
                if (tpl_buf_printf(&prefix, "template: %s: ", t->name) < 0)
                        return tpl_oom(t);
        } else {
                size_t pos = MIN(t->node->pos, t->text_len), line_start = 0;
                int line = 1;

                for (size_t i = 0; i < pos; i++)
                        if (t->text[i] == '\n') {
                                line++;
                                line_start = i + 1;
                        }
                if (tpl_buf_printf(&prefix, "template: %s:%d:%zu: executing ", t->name, line, pos - line_start) < 0 ||
                        tpl_quote(&prefix, t->name, strlen(t->name), false) < 0 || tpl_buf_puts(&prefix, " at <") < 0 ||
                        tpl_node_describe(&prefix, t->node) < 0 || tpl_buf_puts(&prefix, ">: ") < 0)
                        return tpl_oom(t);
        }
        va_start(ap, format);
        r = verror(t, -EDOM, prefix.data, format, ap);
        va_end(ap);
        return r;
}

int tpl_charge(Tpl *t, uint64_t steps) {
        t->steps += steps;
        if (t->steps > t->max_steps)
                return tpl_limit_error(t, "template: %s: step limit of %" PRIu64 " exceeded", t->name, t->max_steps);
        return 0;
}

/* ---- describing nodes, as Go's Node.String() ------------------------------------------------- */

int tpl_node_describe(TplBuf *b, const Node *n) {
        static const char *const branch_names[] = { [NODE_IF] = "if", [NODE_RANGE] = "range", [NODE_WITH] = "with" };
        int r = 0;

        switch (n->type) {
        case NODE_LIST:
                for (const Node *c = n->first; r >= 0 && c; c = c->next)
                        r = tpl_node_describe(b, c);
                return r;
        case NODE_TEXT: return tpl_buf_put(b, n->text.s, n->text.len);
        case NODE_ACTION:
                if ((r = tpl_buf_puts(b, "{{")) < 0 || (r = tpl_node_describe(b, n->branch.pipe)) < 0)
                        return r;
                return tpl_buf_puts(b, "}}");
        case NODE_IF:
        case NODE_RANGE:
        case NODE_WITH:
                if ((r = tpl_buf_printf(b, "{{%s ", branch_names[n->type])) < 0 ||
                        (r = tpl_node_describe(b, n->branch.pipe)) < 0 || (r = tpl_buf_puts(b, "}}")) < 0 ||
                        (r = tpl_node_describe(b, n->branch.list)) < 0)
                        return r;
                if (n->branch.else_list &&
                        ((r = tpl_buf_puts(b, "{{else}}")) < 0 || (r = tpl_node_describe(b, n->branch.else_list)) < 0))
                        return r;
                return tpl_buf_puts(b, "{{end}}");
        case NODE_BREAK: return tpl_buf_puts(b, "{{break}}");
        case NODE_CONTINUE: return tpl_buf_puts(b, "{{continue}}");
        case NODE_END: return tpl_buf_puts(b, "{{end}}");
        case NODE_ELSE: return tpl_buf_puts(b, "{{else}}");
        case NODE_PIPE:
                if (n->pipe.n_decl > 0) {
                        for (const Node *v = n->pipe.decl_first; r >= 0 && v; v = v->next) {
                                if (v != n->pipe.decl_first)
                                        r = tpl_buf_puts(b, ", ");
                                if (r >= 0)
                                        r = tpl_node_describe(b, v);
                        }
                        if (r >= 0)
                                r = tpl_buf_puts(b, " := ");
                }
                for (const Node *c = n->first; r >= 0 && c; c = c->next) {
                        if (c != n->first)
                                r = tpl_buf_puts(b, " | ");
                        if (r >= 0)
                                r = tpl_node_describe(b, c);
                }
                return r;
        case NODE_COMMAND:
                for (const Node *a = n->first; r >= 0 && a; a = a->next) {
                        if (a != n->first)
                                r = tpl_buf_putc(b, ' ');
                        if (r < 0)
                                break;
                        if (a->type == NODE_PIPE) {
                                if ((r = tpl_buf_putc(b, '(')) < 0 || (r = tpl_node_describe(b, a)) < 0)
                                        break;
                                r = tpl_buf_putc(b, ')');
                        } else
                                r = tpl_node_describe(b, a);
                }
                return r;
        case NODE_FIELD:
                for (size_t i = 0; r >= 0 && i < n->field.n_idents; i++)
                        if ((r = tpl_buf_putc(b, '.')) >= 0)
                                r = tpl_buf_put(b, n->field.idents[i].s, n->field.idents[i].len);
                return r;
        case NODE_VARIABLE:
                for (size_t i = 0; r >= 0 && i < n->field.n_idents; i++) {
                        if (i > 0)
                                r = tpl_buf_putc(b, '.');
                        if (r >= 0)
                                r = tpl_buf_put(b, n->field.idents[i].s, n->field.idents[i].len);
                }
                return r;
        case NODE_CHAIN:
                if (n->field.node->type == NODE_PIPE) {
                        if ((r = tpl_buf_putc(b, '(')) < 0 || (r = tpl_node_describe(b, n->field.node)) < 0 ||
                                (r = tpl_buf_putc(b, ')')) < 0)
                                return r;
                } else if ((r = tpl_node_describe(b, n->field.node)) < 0)
                        return r;
                for (size_t i = 0; r >= 0 && i < n->field.n_idents; i++)
                        if ((r = tpl_buf_putc(b, '.')) >= 0)
                                r = tpl_buf_put(b, n->field.idents[i].s, n->field.idents[i].len);
                return r;
        case NODE_IDENTIFIER: return tpl_buf_put(b, n->ident.name.s, n->ident.name.len);
        case NODE_DOT: return tpl_buf_putc(b, '.');
        case NODE_NIL: return tpl_buf_puts(b, "nil");
        case NODE_BOOL: return tpl_buf_puts(b, n->boolean ? "true" : "false");
        case NODE_NUMBER: return tpl_buf_put(b, n->number.text.s, n->number.text.len);
        case NODE_STRING: return tpl_buf_put(b, n->string.quoted.s, n->string.quoted.len);
        }
        return 0;
}
