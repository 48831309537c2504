/* SPDX-License-Identifier: MIT */
/* The template lexer: a port of Go's text/template/parse lexer, state for state, so that tokens,
 * positions, line numbers and lexical errors come out exactly as Go produces them. Items are
 * produced on demand; the parser pulls them one at a time. */

#include "template-internal.h"

#define EOF_RUNE UINT32_MAX

enum {
        LEX_DONE,
        LEX_TEXT,
        LEX_LEFT_DELIM,
        LEX_COMMENT,
        LEX_RIGHT_DELIM,
        LEX_INSIDE_ACTION,
        LEX_SPACE,
        LEX_IDENTIFIER,
        LEX_FIELD,
        LEX_VARIABLE,
        LEX_CHAR,
        LEX_NUMBER,
        LEX_QUOTE,
        LEX_RAW_QUOTE,
};

static const struct {
        const char *word;
        ItemType type;
} keywords[] = {
        { ".", ITEM_DOT },
        { "block", ITEM_BLOCK },
        { "break", ITEM_BREAK },
        { "continue", ITEM_CONTINUE },
        { "define", ITEM_DEFINE },
        { "else", ITEM_ELSE },
        { "end", ITEM_END },
        { "if", ITEM_IF },
        { "range", ITEM_RANGE },
        { "nil", ITEM_NIL },
        { "template", ITEM_TEMPLATE },
        { "with", ITEM_WITH },
};

void tpl_lexer_init(Lexer *l, const char *input, size_t len) {
        *l = (Lexer){
                .input = input,
                .input_len = len,
                .line = 1,
                .start_line = 1,
                .state = LEX_TEXT,
        };
}

void tpl_lexer_done(Lexer *l) {
        tpl_buf_free(&l->error);
}

static bool is_space(uint32_t r) {
        return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

static bool is_alphanumeric(uint32_t r) {
        return r == '_' || tpl_is_letter(r) || tpl_is_digit(r);
}

static bool has_prefix(const Lexer *l, size_t pos, const char *prefix) {
        size_t n = strlen(prefix);

        return pos <= l->input_len && l->input_len - pos >= n && memcmp(l->input + pos, prefix, n) == 0;
}

static bool has_left_trim_marker(const Lexer *l, size_t pos) {
        return pos <= l->input_len && l->input_len - pos >= 2 && l->input[pos] == '-' &&
               is_space((unsigned char)l->input[pos + 1]);
}

static bool has_right_trim_marker(const Lexer *l, size_t pos) {
        return pos <= l->input_len && l->input_len - pos >= 2 && is_space((unsigned char)l->input[pos]) &&
               l->input[pos + 1] == '-';
}

static int count_newlines(const char *s, size_t n) {
        int count = 0;

        for (size_t i = 0; i < n; i++)
                if (s[i] == '\n')
                        count++;
        return count;
}

static uint32_t next(Lexer *l) {
        size_t w;
        uint32_t r;

        if (l->pos >= l->input_len) {
                l->at_eof = true;
                return EOF_RUNE;
        }
        r = tpl_utf8_decode(l->input + l->pos, l->input_len - l->pos, &w);
        l->pos += w;
        if (r == '\n')
                l->line++;
        return r;
}

static void backup(Lexer *l) {
        if (!l->at_eof && l->pos > 0) {
                size_t w;
                uint32_t r = tpl_utf8_decode_last(l->input, l->pos, &w);

                l->pos -= w;
                if (r == '\n')
                        l->line--;
        }
}

static uint32_t peek(Lexer *l) {
        uint32_t r = next(l);

        backup(l);
        return r;
}

static void emit(Lexer *l, ItemType type) {
        size_t i = (l->queue_head + l->queue_len) % ELEMENTSOF(l->queue);

        l->queue[i] = (Item){
                .type = type,
                .pos = l->start,
                .val = l->input + l->start,
                .len = l->pos - l->start,
                .line = l->start_line,
        };
        l->queue_len++;
        l->start = l->pos;
        l->start_line = l->line;
}

static void ignore(Lexer *l) {
        l->line += count_newlines(l->input + l->start, l->pos - l->start);
        l->start = l->pos;
        l->start_line = l->line;
}

static bool accept(Lexer *l, const char *valid) {
        uint32_t r = next(l);

        if (r != EOF_RUNE && r != 0 && r < 0x80 && strchr(valid, (int)r))
                return true;
        backup(l);
        return false;
}

static void accept_run(Lexer *l, const char *valid) {
        for (;;) {
                uint32_t r = next(l);

                if (r == EOF_RUNE || r == 0 || r >= 0x80 || !strchr(valid, (int)r))
                        break;
        }
        backup(l);
}

/* Emits an error item; the message lives in the lexer. Lexing stops there, like in Go. */
static int errorf(Lexer *l, const char *format, ...) _printf_(2, 3);
static int errorf(Lexer *l, const char *format, ...) {
        size_t i = (l->queue_head + l->queue_len) % ELEMENTSOF(l->queue);
        va_list ap;
        int r;

        va_start(ap, format);
        r = tpl_buf_vprintf(&l->error, format, ap);
        va_end(ap);
        if (r < 0)
                return r;
        l->queue[i] = (Item){
                .type = ITEM_ERROR,
                .pos = l->start,
                .val = l->error.data,
                .len = l->error.len,
                .line = l->start_line,
        };
        l->queue_len++;
        return LEX_DONE;
}

/* Go's %#U: "U+0041 'A'" for printable runes, "U+0001" otherwise. */
static int error_rune(Lexer *l, const char *prefix, uint32_t r) {
        char enc[4];
        size_t n;

        if (r == EOF_RUNE)
                return errorf(l, "%sU+FFFFFFFFFFFFFFFF", prefix); /* Go prints the rune -1 this way */
        if (!tpl_is_print(r))
                return errorf(l, "%sU+%04X", prefix, (unsigned)r);
        n = tpl_utf8_encode(enc, r);
        return errorf(l, "%sU+%04X '%.*s'", prefix, (unsigned)r, (int)n, enc);
}

static size_t right_trim_length(const char *s, size_t n) {
        size_t k = 0;

        while (k < n && is_space((unsigned char)s[n - 1 - k]))
                k++;
        return k;
}

static size_t left_trim_length(const char *s, size_t n) {
        size_t k = 0;

        while (k < n && is_space((unsigned char)s[k]))
                k++;
        return k;
}

static const char *find_left_delim(const Lexer *l) {
        const char *p = l->input + l->pos, *end = l->input + l->input_len;

        while ((p = memchr(p, '{', (size_t)(end - p)))) {
                if (end - p >= 2 && p[1] == '{')
                        return p;
                p++;
        }
        return NULL;
}

static int lex_text(Lexer *l) {
        const char *delim = find_left_delim(l);

        if (delim) {
                size_t trim = 0;

                l->pos = (size_t)(delim - l->input);
                if (has_left_trim_marker(l, l->pos + 2))
                        trim = right_trim_length(l->input + l->start, l->pos - l->start);
                l->pos -= trim;
                if (l->pos > l->start) {
                        l->line += count_newlines(l->input + l->start, l->pos - l->start);
                        emit(l, ITEM_TEXT);
                }
                l->pos += trim;
                ignore(l);
                return LEX_LEFT_DELIM;
        }
        l->pos = l->input_len;
        if (l->pos > l->start) {
                l->line += count_newlines(l->input + l->start, l->pos - l->start);
                emit(l, ITEM_TEXT);
        }
        emit(l, ITEM_EOF);
        return LEX_DONE;
}

/* Whether the input is at a right delimiter, possibly preceded by a trim marker. */
static bool at_right_delim(const Lexer *l, bool *ret_trim) {
        if (has_right_trim_marker(l, l->pos) && has_prefix(l, l->pos + 2, "}}")) {
                *ret_trim = true;
                return true;
        }
        *ret_trim = false;
        return has_prefix(l, l->pos, "}}");
}

static int lex_left_delim(Lexer *l) {
        size_t after_marker;

        l->pos += 2;
        after_marker = has_left_trim_marker(l, l->pos) ? 2 : 0;
        if (has_prefix(l, l->pos + after_marker, "/*")) {
                l->pos += after_marker;
                ignore(l);
                return LEX_COMMENT;
        }
        emit(l, ITEM_LEFT_DELIM);
        l->pos += after_marker;
        ignore(l);
        l->paren_depth = 0;
        return LEX_INSIDE_ACTION;
}

static int lex_comment(Lexer *l) {
        const char *end;
        bool trim;

        l->pos += 2;
        for (end = l->input + l->pos; end + 1 < l->input + l->input_len; end++)
                if (end[0] == '*' && end[1] == '/')
                        break;
        if (end + 1 >= l->input + l->input_len)
                return errorf(l, "unclosed comment");
        l->pos = (size_t)(end - l->input) + 2;
        if (!at_right_delim(l, &trim))
                return errorf(l, "comment ends before closing delimiter");
        if (trim)
                l->pos += 2;
        l->pos += 2;
        if (trim)
                l->pos += left_trim_length(l->input + l->pos, l->input_len - l->pos);
        ignore(l);
        return LEX_TEXT;
}

static int lex_right_delim(Lexer *l) {
        bool trim = has_right_trim_marker(l, l->pos);

        if (trim) {
                l->pos += 2;
                ignore(l);
        }
        l->pos += 2;
        emit(l, ITEM_RIGHT_DELIM);
        if (trim) {
                l->pos += left_trim_length(l->input + l->pos, l->input_len - l->pos);
                ignore(l);
        }
        return LEX_TEXT;
}

static int lex_inside_action(Lexer *l) {
        uint32_t r;
        bool trim;

        if (at_right_delim(l, &trim)) {
                if (l->paren_depth == 0)
                        return LEX_RIGHT_DELIM;
                return errorf(l, "unclosed left paren");
        }

        r = next(l);
        if (r == EOF_RUNE)
                return errorf(l, "unclosed action");
        if (is_space(r)) {
                backup(l); /* put the space back in case we have " -}}" */
                return LEX_SPACE;
        }
        switch (r) {
        case '=': emit(l, ITEM_ASSIGN); return LEX_INSIDE_ACTION;
        case ':':
                if (next(l) != '=')
                        return errorf(l, "expected :=");
                emit(l, ITEM_DECLARE);
                return LEX_INSIDE_ACTION;
        case '|': emit(l, ITEM_PIPE); return LEX_INSIDE_ACTION;
        case '"': return LEX_QUOTE;
        case '`': return LEX_RAW_QUOTE;
        case '$': return LEX_VARIABLE;
        case '\'': return LEX_CHAR;
        case '.':
                if (l->pos < l->input_len) {
                        char c = l->input[l->pos];

                        if (c < '0' || c > '9')
                                return LEX_FIELD;
                }
                backup(l); /* '.' can start a number */
                return LEX_NUMBER;
        case '+':
        case '-':
        case '0' ... '9': backup(l); return LEX_NUMBER;
        case '(':
                emit(l, ITEM_LEFT_PAREN);
                l->paren_depth++;
                return LEX_INSIDE_ACTION;
        case ')':
                emit(l, ITEM_RIGHT_PAREN);
                l->paren_depth--;
                if (l->paren_depth < 0)
                        return error_rune(l, "unexpected right paren ", r);
                return LEX_INSIDE_ACTION;
        }
        if (is_alphanumeric(r)) {
                backup(l);
                return LEX_IDENTIFIER;
        }
        if (r < 0x80 && tpl_is_print(r)) {
                emit(l, ITEM_CHAR);
                return LEX_INSIDE_ACTION;
        }
        return error_rune(l, "unrecognized character in action: ", r);
}

static int lex_space(Lexer *l) {
        unsigned num_spaces = 0;

        while (is_space(peek(l))) {
                next(l);
                num_spaces++;
        }
        /* Be careful about a trim-marked closing delimiter, which has a minus after a space. */
        if (has_right_trim_marker(l, l->pos - 1) && has_prefix(l, l->pos - 1 + 2, "}}")) {
                backup(l); /* before the space */
                if (num_spaces == 1)
                        return LEX_RIGHT_DELIM; /* on the delimiter, so go right to that */
        }
        emit(l, ITEM_SPACE);
        return LEX_INSIDE_ACTION;
}

static bool at_terminator(Lexer *l) {
        uint32_t r = peek(l);

        if (is_space(r))
                return true;
        switch (r) {
        case EOF_RUNE:
        case '.':
        case ',':
        case '|':
        case ':':
        case ')':
        case '(': return true;
        }
        return has_prefix(l, l->pos, "}}");
}

static int lex_identifier(Lexer *l) {
        uint32_t r;
        const char *word;
        size_t len;

        do
                r = next(l);
        while (r != EOF_RUNE && is_alphanumeric(r));
        backup(l);

        word = l->input + l->start;
        len = l->pos - l->start;
        if (!at_terminator(l))
                return error_rune(l, "bad character ", r);

        for (size_t i = 0; i < ELEMENTSOF(keywords); i++)
                if (strlen(keywords[i].word) == len && memcmp(keywords[i].word, word, len) == 0) {
                        emit(l, keywords[i].type);
                        return LEX_INSIDE_ACTION;
                }
        if (word[0] == '.')
                emit(l, ITEM_FIELD);
        else if ((len == 4 && memcmp(word, "true", 4) == 0) || (len == 5 && memcmp(word, "false", 5) == 0))
                emit(l, ITEM_BOOL);
        else
                emit(l, ITEM_IDENTIFIER);
        return LEX_INSIDE_ACTION;
}

static int lex_field_or_variable(Lexer *l, ItemType type) {
        uint32_t r;

        if (at_terminator(l)) { /* nothing interesting follows: "." or "$" */
                emit(l, type == ITEM_VARIABLE ? ITEM_VARIABLE : ITEM_DOT);
                return LEX_INSIDE_ACTION;
        }
        for (;;) {
                r = next(l);
                if (r == EOF_RUNE || !is_alphanumeric(r)) {
                        backup(l);
                        break;
                }
        }
        if (!at_terminator(l))
                return error_rune(l, "bad character ", r);
        emit(l, type);
        return LEX_INSIDE_ACTION;
}

static int lex_char(Lexer *l) {
        for (;;) {
                uint32_t r = next(l);

                if (r == '\\') {
                        r = next(l);
                        if (r != EOF_RUNE && r != '\n')
                                continue;
                }
                if (r == '\\' || r == EOF_RUNE || r == '\n')
                        return errorf(l, "unterminated character constant");
                if (r == '\'')
                        break;
        }
        emit(l, ITEM_CHAR_CONSTANT);
        return LEX_INSIDE_ACTION;
}

static bool scan_number(Lexer *l) {
        const char *digits = "0123456789_";
        uint32_t r;

        accept(l, "+-");
        if (accept(l, "0")) {
                if (accept(l, "xX"))
                        digits = "0123456789abcdefABCDEF_";
                else if (accept(l, "oO"))
                        digits = "01234567_";
                else if (accept(l, "bB"))
                        digits = "01_";
        }
        accept_run(l, digits);
        if (accept(l, "."))
                accept_run(l, digits);
        if (strlen(digits) == 10 + 1 && accept(l, "eE")) {
                accept(l, "+-");
                accept_run(l, "0123456789_");
        }
        if (strlen(digits) == 16 + 6 + 1 && accept(l, "pP")) {
                accept(l, "+-");
                accept_run(l, "0123456789_");
        }
        accept(l, "i");
        r = peek(l);
        if (r != EOF_RUNE && is_alphanumeric(r)) {
                next(l);
                return false;
        }
        return true;
}

static int bad_number(Lexer *l) {
        _cleanup_(tpl_buf_free) TplBuf q = {};
        int r;

        r = tpl_quote(&q, l->input + l->start, l->pos - l->start, false);
        if (r < 0)
                return r;
        return errorf(l, "bad number syntax: %s", q.data);
}

static int lex_number(Lexer *l) {
        uint32_t sign;

        if (!scan_number(l))
                return bad_number(l);
        sign = peek(l);
        if (sign == '+' || sign == '-') {
                /* complex: 1+2i */
                if (!scan_number(l) || l->input[l->pos - 1] != 'i')
                        return bad_number(l);
                emit(l, ITEM_COMPLEX);
        } else
                emit(l, ITEM_NUMBER);
        return LEX_INSIDE_ACTION;
}

static int lex_quote(Lexer *l) {
        for (;;) {
                uint32_t r = next(l);

                if (r == '\\') {
                        r = next(l);
                        if (r != EOF_RUNE && r != '\n')
                                continue;
                }
                if (r == '\\' || r == EOF_RUNE || r == '\n')
                        return errorf(l, "unterminated quoted string");
                if (r == '"')
                        break;
        }
        emit(l, ITEM_STRING);
        return LEX_INSIDE_ACTION;
}

static int lex_raw_quote(Lexer *l) {
        for (;;) {
                uint32_t r = next(l);

                if (r == EOF_RUNE)
                        return errorf(l, "unterminated raw quoted string");
                if (r == '`')
                        break;
        }
        emit(l, ITEM_RAW_STRING);
        return LEX_INSIDE_ACTION;
}

static int run_state(Lexer *l) {
        switch (l->state) {
        case LEX_TEXT: return lex_text(l);
        case LEX_LEFT_DELIM: return lex_left_delim(l);
        case LEX_COMMENT: return lex_comment(l);
        case LEX_RIGHT_DELIM: return lex_right_delim(l);
        case LEX_INSIDE_ACTION: return lex_inside_action(l);
        case LEX_SPACE: return lex_space(l);
        case LEX_IDENTIFIER: return lex_identifier(l);
        case LEX_FIELD: return lex_field_or_variable(l, ITEM_FIELD);
        case LEX_VARIABLE:
                if (at_terminator(l)) { /* nothing interesting follows: "$" */
                        emit(l, ITEM_VARIABLE);
                        return LEX_INSIDE_ACTION;
                }
                return lex_field_or_variable(l, ITEM_VARIABLE);
        case LEX_CHAR: return lex_char(l);
        case LEX_NUMBER: return lex_number(l);
        case LEX_QUOTE: return lex_quote(l);
        case LEX_RAW_QUOTE: return lex_raw_quote(l);
        }
        return LEX_DONE;
}

int tpl_lexer_next(Lexer *l, Item *ret) {
        while (l->queue_len == 0 && l->state != LEX_DONE) {
                int s = run_state(l);

                if (s < 0)
                        return s;
                l->state = s;
        }
        if (l->queue_len == 0) {
                /* after EOF or an error, like reading from Go's closed channel */
                *ret = (Item){ .type = ITEM_EOF, .pos = l->input_len, .line = l->line };
                return 0;
        }
        *ret = l->queue[l->queue_head];
        l->queue_head = (l->queue_head + 1) % ELEMENTSOF(l->queue);
        l->queue_len--;
        return 0;
}

int tpl_item_describe(TplBuf *b, const Item *item) {
        int r;

        switch (item->type) {
        case ITEM_EOF: return tpl_buf_puts(b, "EOF");
        case ITEM_ERROR: return tpl_buf_put(b, item->val, item->len);
        default: break;
        }
        if (item->type > ITEM_KEYWORD)
                return tpl_buf_printf(b, "<%.*s>", (int)item->len, item->val);
        if (item->len > 10) {
                /* %.10q...: the first ten runes, quoted */
                size_t n = 0;

                for (size_t count = 0, w; n < item->len && count < 10; n += w, count++)
                        (void)tpl_utf8_decode(item->val + n, item->len - n, &w);
                r = tpl_quote(b, item->val, n, false);
                if (r < 0)
                        return r;
                return tpl_buf_puts(b, "...");
        }
        return tpl_quote(b, item->val, item->len, false);
}
