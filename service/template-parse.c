/* SPDX-License-Identifier: MIT */
/* The template parser: Go's text/template/parse parser, ported decision for decision (including
 * its three-token lookahead, whose state decides the line numbers in messages). Differences:
 * {{define}}, {{template}}, {{block}}, complex numbers and a few number spellings are rejected, and
 * the nesting depth is capped before the recursion gets deep. */

#include "template-internal.h"

typedef struct Parser {
        Tpl *t;
        Lexer lex;
        Item token[3]; /* three-token lookahead */
        int peek_count;
        TplStr *vars; /* variables defined at the moment */
        size_t n_vars, cap_vars;
        int action_line; /* line of the left delimiter starting the current action */
        int range_depth;
        unsigned depth;
        bool oom;
} Parser;

static int pipeline(Parser *p, const char *context, ItemType end, Node **ret);
static int item_list(Parser *p, Node **ret_list, Node **ret_next);
static int if_control(Parser *p, Node **ret);

/* ---- token stream ------------------------------------------------------------------------------ */

static Item lex_item(Parser *p) {
        Item item;

        if (tpl_lexer_next(&p->lex, &item) < 0) {
                /* Out of memory: end the input here, the parse fails and the error is replaced. */
                p->oom = true;
                return (Item){ .type = ITEM_EOF, .pos = p->lex.input_len, .line = p->lex.line };
        }
        return item;
}

static Item next(Parser *p) {
        if (p->peek_count > 0)
                p->peek_count--;
        else
                p->token[0] = lex_item(p);
        return p->token[p->peek_count];
}

static void backup(Parser *p) {
        p->peek_count++;
}

static void backup2(Parser *p, Item t1) {
        p->token[1] = t1;
        p->peek_count = 2;
}

static void backup3(Parser *p, Item t2, Item t1) {
        p->token[1] = t1;
        p->token[2] = t2;
        p->peek_count = 3;
}

static Item peek(Parser *p) {
        if (p->peek_count > 0)
                return p->token[p->peek_count - 1];
        p->peek_count = 1;
        p->token[0] = lex_item(p);
        return p->token[0];
}

static Item next_non_space(Parser *p) {
        Item token;

        do
                token = next(p);
        while (token.type == ITEM_SPACE);
        return token;
}

static Item peek_non_space(Parser *p) {
        Item token = next_non_space(p);

        backup(p);
        return token;
}

static bool item_is(const Item *item, const char *s) {
        return item->len == strlen(s) && memcmp(item->val, s, item->len) == 0;
}

/* ---- errors ------------------------------------------------------------------------------------ */

static int errorf(Parser *p, const char *format, ...) _printf_(2, 3);
static int errorf(Parser *p, const char *format, ...) {
        _cleanup_(tpl_buf_free) TplBuf msg = {};
        va_list ap;
        int r;

        va_start(ap, format);
        r = tpl_buf_vprintf(&msg, format, ap);
        va_end(ap);
        if (r < 0)
                return tpl_oom(p->t);
        return tpl_parse_error(p->t, p->token[0].line, "%s", msg.data);
}

static int unexpected(Parser *p, const Item *token, const char *context) {
        _cleanup_(tpl_buf_free) TplBuf desc = {};

        if (tpl_item_describe(&desc, token) < 0)
                return tpl_oom(p->t);
        if (token->type == ITEM_ERROR) {
                _cleanup_(tpl_buf_free) TplBuf extra = {};
                const char *e = "";

                if (p->action_line != 0 && p->action_line != token->line) {
                        if (tpl_buf_printf(&extra, " in action started at %s:%d", p->t->name, p->action_line) < 0)
                                return tpl_oom(p->t);
                        e = extra.data;
                        /* avoid "action in action" */
                        if (token->len >= 7 && memcmp(token->val + token->len - 7, " action", 7) == 0)
                                e += strlen(" in action");
                }
                return errorf(p, "%s%s", desc.data, e);
        }
        return errorf(p, "unexpected %s in %s", desc.data ?: "", context);
}

static int expect(Parser *p, ItemType expected, const char *context, Item *ret) {
        Item token = next_non_space(p);

        if (token.type != expected)
                return unexpected(p, &token, context);
        if (ret)
                *ret = token;
        return 0;
}

static int unsupported(Parser *p, const char *what) {
        return errorf(p, "%s is not supported", what);
}

static int enter(Parser *p) {
        if (++p->depth > p->t->max_depth)
                return tpl_limit_error(p->t, "template: %s:%d: nesting depth exceeds the limit of %u", p->t->name,
                        p->token[0].line, p->t->max_depth);
        return 0;
}

/* ---- nodes ------------------------------------------------------------------------------------- */

static Node *new_node(Parser *p, NodeType type, size_t pos) {
        Node *n = tpl_arena_alloc(&p->t->arena, sizeof(Node));

        if (!n)
                return NULL;
        n->type = type;
        n->pos = pos;
        return n;
}

static void append_child(Node *parent, Node *child) {
        if (parent->last)
                parent->last->next = child;
        else
                parent->first = child;
        parent->last = child;
        parent->n_children++;
}

static int push_var(Parser *p, TplStr name) {
        if (p->n_vars == p->cap_vars) {
                size_t cap = MAX(p->cap_vars * 2, (size_t)8);
                TplStr *v = realloc(p->vars, cap * sizeof(TplStr));

                if (!v)
                        return tpl_oom(p->t);
                p->vars = v;
                p->cap_vars = cap;
        }
        p->vars[p->n_vars++] = name;
        return 0;
}

/* A variable or field node; `idents` come from splitting "a.b.c" (or "$x.a") at dots. */
static Node *new_field_like(Parser *p, NodeType type, size_t pos, const TplStr *idents, size_t n) {
        Node *node = new_node(p, type, pos);

        if (!node)
                return NULL;
        node->field.idents = tpl_arena_alloc(&p->t->arena, sizeof(TplStr) * MAX(n, (size_t)1));
        if (!node->field.idents)
                return NULL;
        memcpy(node->field.idents, idents, sizeof(TplStr) * n);
        node->field.n_idents = n;
        return node;
}

static Node *new_variable(Parser *p, size_t pos, const char *s, size_t len) {
        TplStr name = { s, len };

        return new_field_like(p, NODE_VARIABLE, pos, &name, 1);
}

static int number_error(Parser *p, const char *prefix, const Item *token) {
        _cleanup_(tpl_buf_free) TplBuf q = {};

        if (tpl_quote(&q, token->val, token->len, false) < 0)
                return tpl_oom(p->t);
        return errorf(p, "%s%s", prefix, q.data);
}

static int new_number(Parser *p, const Item *token, Node **ret) {
        const char *text = token->val;
        size_t len = token->len;
        Node *n = NULL;
        double f;

        n = new_node(p, NODE_NUMBER, token->pos);
        if (!n)
                return tpl_oom(p->t);
        n->number.text = (TplStr){ text, len };

        if (token->type == ITEM_CHAR_CONSTANT) {
                uint32_t r;
                bool multibyte;
                size_t consumed;

                if (!tpl_unquote_char(text + 1, len - 1, '\'', &r, &multibyte, &consumed))
                        return errorf(p, "invalid syntax");
                if (consumed + 2 != len || text[len - 1] != '\'')
                        return errorf(p, "malformed character constant: %.*s", (int)len, text);
                n->number.is_int = n->number.is_uint = n->number.is_float = true;
                n->number.i = r;
                n->number.u = r;
                n->number.f = r;
                *ret = n;
                return 0;
        }

        if (token->type == ITEM_COMPLEX)
                return number_error(p, "complex number constants are not supported: ", token);
        if (len > 0 && text[len - 1] == 'i') {
                /* An imaginary constant; it fails when evaluated (see ideal_constant). */
                if (tpl_parse_float(text, len - 1, &f)) {
                        n->number.is_complex = true;
                        *ret = n;
                        return 0;
                }
        }

        if (!tpl_parse_number(text, len, n))
                return number_error(p, "integer overflow: ", token);
        if (!n->number.is_int && !n->number.is_uint && !n->number.is_float)
                return number_error(p, "illegal number syntax: ", token);
        *ret = n;
        return 0;
}

/* strconv.Unquote for a lexed "..." or `...` literal. */
static int new_string(Parser *p, const Item *token, Node **ret) {
        const char *s = token->val;
        size_t len = token->len, out_len = 0;
        Node *n = NULL;
        char *out;

        n = new_node(p, NODE_STRING, token->pos);
        if (!n)
                return tpl_oom(p->t);
        n->string.quoted = (TplStr){ s, len };

        /* Escapes and replacement characters never make the text longer than 3/2 of the input. */
        out = tpl_arena_alloc(&p->t->arena, len * 3 / 2 + 4);
        if (!out)
                return tpl_oom(p->t);

        if (s[0] == '`') {
                for (size_t i = 1; i + 1 < len; i++)
                        if (s[i] != '\r')
                                out[out_len++] = s[i];
        } else {
                size_t i = 1;

                while (i < len && s[i] != '"') {
                        uint32_t r;
                        bool multibyte;
                        size_t consumed;

                        if (s[i] == '\n' || !tpl_unquote_char(s + i, len - i, '"', &r, &multibyte, &consumed))
                                return errorf(p, "invalid syntax");
                        i += consumed;
                        if (r < 0x80 || !multibyte)
                                out[out_len++] = (char)r;
                        else
                                out_len += tpl_utf8_encode(out + out_len, r);
                }
                if (i + 1 != len)
                        return errorf(p, "invalid syntax");
        }
        n->string.text = (TplStr){ out, out_len };
        *ret = n;
        return 0;
}

/* ---- grammar ----------------------------------------------------------------------------------- */

static int check_pipeline(Parser *p, Node *pipe, const char *context) {
        size_t stage = 1;

        if (pipe->n_children == 0)
                return errorf(p, "missing value for %s", context);
        for (Node *cmd = pipe->first->next; cmd; cmd = cmd->next) {
                stage++;
                switch (cmd->first->type) {
                case NODE_BOOL:
                case NODE_DOT:
                case NODE_NIL:
                case NODE_NUMBER:
                case NODE_STRING: return errorf(p, "non executable command in pipeline stage %zu", stage);
                default: break;
                }
        }
        return 0;
}

static int use_var(Parser *p, const Item *token, Node **ret) {
        for (size_t i = 0; i < p->n_vars; i++)
                if (p->vars[i].len == token->len && memcmp(p->vars[i].s, token->val, token->len) == 0) {
                        *ret = new_variable(p, token->pos, token->val, token->len);
                        return *ret ? 0 : tpl_oom(p->t);
                }
        return errorf(p, "undefined variable \"%.*s\"", (int)token->len, token->val);
}

static int term(Parser *p, Node **ret) {
        Item token = next_non_space(p);
        Node *n = NULL;
        int r;

        switch (token.type) {
        case ITEM_IDENTIFIER: {
                int b = tpl_builtin_lookup(token.val, token.len);

                if (b < 0) {
                        _cleanup_(tpl_buf_free) TplBuf q = {};

                        if (tpl_quote(&q, token.val, token.len, false) < 0)
                                return tpl_oom(p->t);
                        return errorf(p, "function %s not defined", q.data);
                }
                n = new_node(p, NODE_IDENTIFIER, token.pos);
                if (n) {
                        n->ident.name = (TplStr){ token.val, token.len };
                        n->ident.builtin = (Builtin)b;
                }
                break;
        }
        case ITEM_DOT: n = new_node(p, NODE_DOT, token.pos); break;
        case ITEM_NIL: n = new_node(p, NODE_NIL, token.pos); break;
        case ITEM_VARIABLE: return use_var(p, &token, ret);
        case ITEM_FIELD: {
                TplStr name = { token.val + 1, token.len - 1 };

                n = new_field_like(p, NODE_FIELD, token.pos, &name, 1);
                break;
        }
        case ITEM_BOOL:
                n = new_node(p, NODE_BOOL, token.pos);
                if (n)
                        n->boolean = item_is(&token, "true");
                break;
        case ITEM_CHAR_CONSTANT:
        case ITEM_COMPLEX:
        case ITEM_NUMBER: return new_number(p, &token, ret);
        case ITEM_LEFT_PAREN:
                r = enter(p);
                if (r < 0)
                        return r;
                r = pipeline(p, "parenthesized pipeline", ITEM_RIGHT_PAREN, ret);
                p->depth--;
                return r;
        case ITEM_STRING:
        case ITEM_RAW_STRING: return new_string(p, &token, ret);
        default:
                backup(p);
                *ret = NULL;
                return 0;
        }
        if (!n)
                return tpl_oom(p->t);
        *ret = n;
        return 0;
}

static int operand(Parser *p, Node **ret) {
        _cleanup_(tpl_buf_free) TplBuf desc = {}, quoted = {};
        TplStr idents[8], *all = idents;
        _cleanup_free_ TplStr *heap = NULL;
        size_t n_idents = 0, cap = ELEMENTSOF(idents), chain_pos;
        Node *node = NULL, *chain;
        int r;

        r = term(p, &node);
        if (r < 0 || !node) {
                *ret = node;
                return r;
        }
        if (peek(p).type != ITEM_FIELD) {
                *ret = node;
                return 0;
        }

        chain_pos = peek(p).pos;
        if (node->type == NODE_FIELD || node->type == NODE_VARIABLE)
                all[n_idents++] = node->field.idents[0];
        while (peek(p).type == ITEM_FIELD) {
                Item field = next(p);

                if (n_idents == cap) {
                        TplStr *grown = realloc(heap, sizeof(TplStr) * cap * 2);

                        if (!grown)
                                return tpl_oom(p->t);
                        if (!heap)
                                memcpy(grown, idents, sizeof(idents));
                        heap = all = grown;
                        cap *= 2;
                }
                all[n_idents++] = (TplStr){ field.val + 1, field.len - 1 };
        }

        switch (node->type) {
        case NODE_BOOL:
        case NODE_STRING:
        case NODE_NUMBER:
        case NODE_NIL:
        case NODE_DOT:
                if (tpl_node_describe(&desc, node) < 0 || tpl_quote(&quoted, desc.data, desc.len, false) < 0)
                        return tpl_oom(p->t);
                return errorf(p, "unexpected . after term %s", quoted.data);
        default: break;
        }

        if (node->type == NODE_FIELD || node->type == NODE_VARIABLE)
                chain = new_field_like(p, node->type, chain_pos, all, n_idents);
        else {
                chain = new_field_like(p, NODE_CHAIN, chain_pos, all, n_idents);
                if (chain)
                        chain->field.node = node;
        }
        if (!chain)
                return tpl_oom(p->t);
        *ret = chain;
        return 0;
}

static int command(Parser *p, Node **ret) {
        Node *cmd = NULL;
        int r;

        cmd = new_node(p, NODE_COMMAND, peek_non_space(p).pos);
        if (!cmd)
                return tpl_oom(p->t);
        for (;;) {
                Node *arg = NULL;
                Item token;

                (void)peek_non_space(p); /* skip leading spaces */
                r = operand(p, &arg);
                if (r < 0)
                        return r;
                if (arg)
                        append_child(cmd, arg);
                token = next(p);
                if (token.type == ITEM_SPACE)
                        continue;
                if (token.type == ITEM_RIGHT_DELIM || token.type == ITEM_RIGHT_PAREN)
                        backup(p);
                else if (token.type != ITEM_PIPE)
                        return unexpected(p, &token, "operand");
                break;
        }
        if (cmd->n_children == 0)
                return errorf(p, "empty command");
        *ret = cmd;
        return 0;
}

static int declare(Parser *p, Node *pipe, const Item *v) {
        Node *var = new_variable(p, v->pos, v->val, v->len);

        if (!var)
                return tpl_oom(p->t);
        if (pipe->pipe.decl_last)
                pipe->pipe.decl_last->next = var;
        else
                pipe->pipe.decl_first = var;
        pipe->pipe.decl_last = var;
        pipe->pipe.n_decl++;
        return push_var(p, (TplStr){ v->val, v->len });
}

static int pipeline(Parser *p, const char *context, ItemType end, Node **ret) {
        bool is_range = streq(context, "range");
        Item token = peek_non_space(p);
        Node *pipe;
        int r;

        pipe = new_node(p, NODE_PIPE, token.pos);
        if (!pipe)
                return tpl_oom(p->t);

        for (;;) {
                Item v = peek_non_space(p), after_variable, nxt;

                if (v.type != ITEM_VARIABLE)
                        break;
                next(p);
                after_variable = peek(p);
                nxt = peek_non_space(p);
                if (nxt.type == ITEM_ASSIGN || nxt.type == ITEM_DECLARE) {
                        pipe->pipe.is_assign = nxt.type == ITEM_ASSIGN;
                        next_non_space(p);
                        r = declare(p, pipe, &v);
                        if (r < 0)
                                return r;
                } else if (nxt.type == ITEM_CHAR && item_is(&nxt, ",")) {
                        next_non_space(p);
                        r = declare(p, pipe, &v);
                        if (r < 0)
                                return r;
                        if (is_range && pipe->pipe.n_decl < 2) {
                                ItemType t = peek_non_space(p).type;

                                if (t == ITEM_VARIABLE || t == ITEM_RIGHT_DELIM || t == ITEM_RIGHT_PAREN)
                                        continue;
                                return errorf(p, "range can only initialize variables");
                        }
                        return errorf(p, "too many declarations in %s", context);
                } else if (after_variable.type == ITEM_SPACE)
                        backup3(p, v, after_variable);
                else
                        backup2(p, v);
                break;
        }

        for (;;) {
                Node *cmd = NULL;

                token = next_non_space(p);
                if (token.type == end) {
                        r = check_pipeline(p, pipe, context);
                        if (r < 0)
                                return r;
                        *ret = pipe;
                        return 0;
                }
                switch (token.type) {
                case ITEM_BOOL:
                case ITEM_CHAR_CONSTANT:
                case ITEM_COMPLEX:
                case ITEM_DOT:
                case ITEM_FIELD:
                case ITEM_IDENTIFIER:
                case ITEM_NUMBER:
                case ITEM_NIL:
                case ITEM_RAW_STRING:
                case ITEM_STRING:
                case ITEM_VARIABLE:
                case ITEM_LEFT_PAREN:
                        backup(p);
                        r = command(p, &cmd);
                        if (r < 0)
                                return r;
                        append_child(pipe, cmd);
                        break;
                default: return unexpected(p, &token, context);
                }
        }
}

static int parse_control(Parser *p, bool allow_else_if, const char *context, NodeType type, Node **ret) {
        size_t saved_vars = p->n_vars;
        bool is_range = type == NODE_RANGE;
        Node *n, *nxt = NULL;
        int r;

        r = enter(p);
        if (r < 0)
                return r;

        n = new_node(p, type, 0);
        if (!n)
                return tpl_oom(p->t);
        r = pipeline(p, context, ITEM_RIGHT_DELIM, &n->branch.pipe);
        if (r < 0)
                return r;
        n->pos = n->branch.pipe->pos;

        if (is_range)
                p->range_depth++;
        r = item_list(p, &n->branch.list, &nxt);
        if (r < 0)
                return r;
        if (is_range)
                p->range_depth--;

        if (nxt->type == NODE_ELSE) {
                if (allow_else_if && peek(p).type == ITEM_IF) {
                        Node *else_if = NULL;

                        next(p);
                        n->branch.else_list = new_node(p, NODE_LIST, nxt->pos);
                        if (!n->branch.else_list)
                                return tpl_oom(p->t);
                        r = if_control(p, &else_if);
                        if (r < 0)
                                return r;
                        append_child(n->branch.else_list, else_if);
                } else {
                        r = item_list(p, &n->branch.else_list, &nxt);
                        if (r < 0)
                                return r;
                        if (nxt->type != NODE_END)
                                return errorf(p, "expected end; found {{else}}");
                }
        }

        p->n_vars = saved_vars;
        p->depth--;
        *ret = n;
        return 0;
}

static int if_control(Parser *p, Node **ret) {
        return parse_control(p, true, "if", NODE_IF, ret);
}

static int loop_control(Parser *p, const Item *keyword, NodeType type, Node **ret) {
        const char *name = type == NODE_BREAK ? "{{break}}" : "{{continue}}";
        Item token = next_non_space(p);

        if (token.type != ITEM_RIGHT_DELIM)
                return unexpected(p, &token, name);
        if (p->range_depth == 0)
                return errorf(p, "%s outside {{range}}", name);
        *ret = new_node(p, type, keyword->pos);
        return *ret ? 0 : tpl_oom(p->t);
}

static int action(Parser *p, Node **ret) {
        Item token = next_non_space(p);
        Node *n = NULL;
        int r;

        switch (token.type) {
        case ITEM_BLOCK: return unsupported(p, "{{block}}");
        case ITEM_TEMPLATE: return unsupported(p, "{{template}}");
        case ITEM_BREAK: return loop_control(p, &token, NODE_BREAK, ret);
        case ITEM_CONTINUE: return loop_control(p, &token, NODE_CONTINUE, ret);
        case ITEM_ELSE: {
                Item pk = peek_non_space(p);

                if (pk.type != ITEM_IF) {
                        r = expect(p, ITEM_RIGHT_DELIM, "else", &pk);
                        if (r < 0)
                                return r;
                }
                *ret = new_node(p, NODE_ELSE, pk.pos);
                return *ret ? 0 : tpl_oom(p->t);
        }
        case ITEM_END:
                r = expect(p, ITEM_RIGHT_DELIM, "end", &token);
                if (r < 0)
                        return r;
                *ret = new_node(p, NODE_END, token.pos);
                return *ret ? 0 : tpl_oom(p->t);
        case ITEM_IF: return if_control(p, ret);
        case ITEM_RANGE: return parse_control(p, false, "range", NODE_RANGE, ret);
        case ITEM_WITH: return parse_control(p, false, "with", NODE_WITH, ret);
        default: break;
        }

        backup(p);
        token = peek(p);
        n = new_node(p, NODE_ACTION, token.pos);
        if (!n)
                return tpl_oom(p->t);
        r = pipeline(p, "command", ITEM_RIGHT_DELIM, &n->branch.pipe);
        if (r < 0)
                return r;
        *ret = n;
        return 0;
}

static int text_or_action(Parser *p, Node **ret) {
        Item token = next_non_space(p);
        int r;

        switch (token.type) {
        case ITEM_TEXT:
                *ret = new_node(p, NODE_TEXT, token.pos);
                if (!*ret)
                        return tpl_oom(p->t);
                (*ret)->text = (TplStr){ token.val, token.len };
                return 0;
        case ITEM_LEFT_DELIM:
                p->action_line = token.line;
                r = action(p, ret);
                p->action_line = 0;
                return r;
        default: return unexpected(p, &token, "input");
        }
}

static int item_list(Parser *p, Node **ret_list, Node **ret_next) {
        Node *list = new_node(p, NODE_LIST, peek_non_space(p).pos);

        if (!list)
                return tpl_oom(p->t);
        while (peek_non_space(p).type != ITEM_EOF) {
                Node *n = NULL;
                int r;

                r = text_or_action(p, &n);
                if (r < 0)
                        return r;
                if (n->type == NODE_END || n->type == NODE_ELSE) {
                        *ret_list = list;
                        *ret_next = n;
                        return 0;
                }
                append_child(list, n);
        }
        return errorf(p, "unexpected EOF");
}

static int parse_root(Parser *p) {
        Node *root = new_node(p, NODE_LIST, peek(p).pos);

        if (!root)
                return tpl_oom(p->t);
        while (peek(p).type != ITEM_EOF) {
                Node *n = NULL;
                int r;

                if (peek(p).type == ITEM_LEFT_DELIM) {
                        Item delim = next(p);

                        if (next_non_space(p).type == ITEM_DEFINE)
                                return unsupported(p, "{{define}}");
                        backup2(p, delim);
                }
                r = text_or_action(p, &n);
                if (r < 0)
                        return r;
                if (n->type == NODE_END)
                        return errorf(p, "unexpected {{end}}");
                if (n->type == NODE_ELSE)
                        return errorf(p, "unexpected {{else}}");
                append_child(root, n);
        }
        p->t->root = root;
        return 0;
}

int tpl_parse(Tpl *t) {
        Parser p = { .t = t };
        int r;

        tpl_lexer_init(&p.lex, t->text, t->text_len);
        r = push_var(&p, (TplStr){ "$", 1 });
        if (r >= 0)
                r = parse_root(&p);
        if (p.oom)
                r = tpl_oom(t);
        tpl_lexer_done(&p.lex);
        free(p.vars);
        return r;
}
