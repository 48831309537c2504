/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between the lexer, parser and executor of the template engine. The structure follows Go's
 * text/template closely on purpose: output and messages must match Go byte for byte, and the
 * easiest way to get there is to keep the same decisions in the same order. */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template.h"
#include "util.h"

#define TPL_RUNE_ERROR 0xFFFDU
#define TPL_MAX_RUNE   0x10FFFFU

/* ---- growable byte buffer ---------------------------------------------------------------------- */

typedef struct TplBuf {
        char *data;
        size_t len, cap;
        size_t limit; /* 0 = unlimited; growing past it fails with -E2BIG */
} TplBuf;

int tpl_buf_put(TplBuf *b, const void *p, size_t n);
int tpl_buf_putc(TplBuf *b, char c);
int tpl_buf_puts(TplBuf *b, const char *s);
int tpl_buf_fill(TplBuf *b, char c, size_t n);
int tpl_buf_printf(TplBuf *b, const char *format, ...) _printf_(2, 3);
int tpl_buf_vprintf(TplBuf *b, const char *format, va_list ap) _printf_(2, 0);
int tpl_buf_put_rune(TplBuf *b, uint32_t r);
void tpl_buf_free(TplBuf *b);
char *tpl_buf_steal(TplBuf *b); /* NUL-terminated, or NULL on allocation failure */

/* ---- UTF-8 and Unicode classes, as Go's unicode/utf8 and unicode packages ------------------------ */

uint32_t tpl_utf8_decode(const char *s, size_t n, size_t *ret_width);
uint32_t tpl_utf8_decode_last(const char *s, size_t n, size_t *ret_width);
size_t tpl_utf8_encode(char out[4], uint32_t r);
size_t tpl_utf8_count(const char *s, size_t n);
bool tpl_utf8_valid(const char *s, size_t n);
bool tpl_is_letter(uint32_t r);
bool tpl_is_digit(uint32_t r);
bool tpl_is_print(uint32_t r);

/* strconv.Quote/QuoteToASCII (quote '"') and QuoteRune/QuoteRuneToASCII. */
int tpl_quote(TplBuf *b, const char *s, size_t n, bool ascii_only);
int tpl_quote_rune(TplBuf *b, uint32_t r, bool ascii_only);
bool tpl_can_backquote(const char *s, size_t n);
/* strconv.UnquoteChar; returns false on a syntax error. */
bool tpl_unquote_char(const char *s, size_t n, char quote, uint32_t *ret_rune, bool *ret_multibyte,
        size_t *ret_consumed);

/* ---- arena for the parse tree ------------------------------------------------------------------ */

typedef struct TplArenaChunk TplArenaChunk;
typedef struct TplArena {
        TplArenaChunk *chunks;
} TplArena;

void *tpl_arena_alloc(TplArena *a, size_t size); /* zeroed; NULL on allocation failure */
void tpl_arena_free(TplArena *a);

/* ---- lexer --------------------------------------------------------------------------------------- */

typedef enum ItemType {
        ITEM_ERROR,
        ITEM_BOOL,
        ITEM_CHAR,
        ITEM_CHAR_CONSTANT,
        ITEM_COMPLEX,
        ITEM_ASSIGN,
        ITEM_DECLARE,
        ITEM_EOF,
        ITEM_FIELD,
        ITEM_IDENTIFIER,
        ITEM_LEFT_DELIM,
        ITEM_LEFT_PAREN,
        ITEM_NUMBER,
        ITEM_PIPE,
        ITEM_RAW_STRING,
        ITEM_RIGHT_DELIM,
        ITEM_RIGHT_PAREN,
        ITEM_SPACE,
        ITEM_STRING,
        ITEM_TEXT,
        ITEM_VARIABLE,
        ITEM_KEYWORD, /* only delimits the keywords below */
        ITEM_BLOCK,
        ITEM_BREAK,
        ITEM_CONTINUE,
        ITEM_DOT,
        ITEM_DEFINE,
        ITEM_ELSE,
        ITEM_END,
        ITEM_IF,
        ITEM_NIL,
        ITEM_RANGE,
        ITEM_TEMPLATE,
        ITEM_WITH,
} ItemType;

typedef struct Item {
        ItemType type;
        size_t pos; /* byte offset of the item in the input */
        const char *val; /* into the input, or the lexer's error message */
        size_t len;
        int line;
} Item;

typedef struct Lexer {
        const char *input;
        size_t input_len;
        size_t pos, start;
        bool at_eof;
        int paren_depth;
        int line, start_line;
        int state;
        Item queue[4];
        size_t queue_head, queue_len;
        TplBuf error;
} Lexer;

void tpl_lexer_init(Lexer *l, const char *input, size_t len);
void tpl_lexer_done(Lexer *l);
int tpl_lexer_next(Lexer *l, Item *ret);
int tpl_item_describe(TplBuf *b, const Item *item); /* Go's item.String() */

/* ---- parse tree ------------------------------------------------------------------------------- */

typedef enum NodeType {
        NODE_LIST,
        NODE_TEXT,
        NODE_ACTION,
        NODE_IF,
        NODE_RANGE,
        NODE_WITH,
        NODE_BREAK,
        NODE_CONTINUE,
        NODE_PIPE,
        NODE_COMMAND,
        NODE_FIELD,
        NODE_VARIABLE,
        NODE_CHAIN,
        NODE_IDENTIFIER,
        NODE_DOT,
        NODE_NIL,
        NODE_BOOL,
        NODE_NUMBER,
        NODE_STRING,
        NODE_END, /* {{end}}, only while parsing */
        NODE_ELSE, /* {{else}}, only while parsing */
} NodeType;

typedef enum Builtin {
        BUILTIN_AND,
        BUILTIN_CALL,
        BUILTIN_EQ,
        BUILTIN_GE,
        BUILTIN_GT,
        BUILTIN_HTML,
        BUILTIN_INDEX,
        BUILTIN_JS,
        BUILTIN_LE,
        BUILTIN_LEN,
        BUILTIN_LT,
        BUILTIN_NE,
        BUILTIN_NOT,
        BUILTIN_OR,
        BUILTIN_PRINT,
        BUILTIN_PRINTF,
        BUILTIN_PRINTLN,
        BUILTIN_SLICE,
        BUILTIN_URLQUERY,
        _BUILTIN_MAX,
} Builtin;

typedef struct TplStr {
        const char *s;
        size_t len;
} TplStr;

typedef struct Node Node;
struct Node {
        NodeType type;
        size_t pos;
        Node *next; /* next sibling in the parent's list */

        /* LIST: the nodes; PIPE: the commands; COMMAND: the arguments */
        Node *first, *last;
        size_t n_children;

        union {
                TplStr text; /* TEXT */
                struct { /* ACTION (pipe only), IF, RANGE, WITH */
                        Node *pipe, *list, *else_list;
                } branch;
                struct { /* PIPE */
                        Node *decl_first, *decl_last;
                        size_t n_decl;
                        bool is_assign;
                } pipe;
                struct { /* FIELD, VARIABLE, CHAIN */
                        TplStr *idents;
                        size_t n_idents;
                        Node *node; /* CHAIN: the operand before the fields */
                } field;
                struct { /* IDENTIFIER */
                        TplStr name;
                        Builtin builtin;
                } ident;
                bool boolean; /* BOOL */
                struct { /* NUMBER */
                        bool is_int, is_uint, is_float, is_complex;
                        int64_t i;
                        uint64_t u;
                        double f;
                        TplStr text;
                } number;
                struct { /* STRING */
                        TplStr quoted;
                        TplStr text;
                } string;
        };
};

/* strconv.ParseFloat(s, 64); false on a syntax or range error. */
bool tpl_parse_float(const char *text, size_t len, double *ret);
/* Fills in the number node's is_int/is_uint/is_float and values; returns false for what Go reports
 * as an integer overflow (an integer spelling that only parses as a float). */
bool tpl_parse_number(const char *text, size_t len, Node *n);

/* ---- values ----------------------------------------------------------------------------------- */

typedef enum ValueType {
        VALUE_INVALID, /* Go's zero reflect.Value: a missing key, nil */
        VALUE_BOOL,
        VALUE_INT, /* Go int */
        VALUE_UINT8, /* a byte, from index on a string */
        VALUE_FLOAT, /* float64 */
        VALUE_STRING,
        VALUE_MAP, /* the data, map[string]string */
} ValueType;

/* Strings built during execution are shared by reference count, so that passing them around (and
 * through variables in loops) costs nothing; strings from the data or the tree are borrowed. */
typedef struct TplBox {
        size_t refs;
        size_t len;
        char data[];
} TplBox;

typedef struct Value {
        ValueType type;
        union {
                bool b;
                int64_t i;
                uint64_t u;
                double f;
                struct {
                        const char *s;
                        size_t len;
                        TplBox *box;
                } str;
        };
} Value;

Value tpl_value_ref(const Value *v);
void tpl_value_clear(Value *v);
int tpl_value_from_buf(Value *ret, TplBuf *b); /* takes the buffer's contents */
const char *tpl_value_type_name(const Value *v);

/* ---- one render ------------------------------------------------------------------------------- */

typedef struct TplVar {
        TplStr name;
        Value value;
} TplVar;

typedef struct Tpl {
        const char *name;
        const char *text;
        size_t text_len;
        const TemplateEntry *entries;
        size_t n_entries;

        size_t max_output;
        unsigned max_depth;
        uint64_t max_steps;
        uint64_t steps;

        TplArena arena;
        Node *root;

        int error_code;
        char *error;

        /* execution state */
        const Node *node; /* the node being evaluated, for messages */
        TplVar *vars;
        size_t n_vars, cap_vars;
        TplBuf out;
} Tpl;

int tpl_parse(Tpl *t);
int tpl_execute(Tpl *t);

/* Error reporting: the first error wins and is kept in t->error. */
int tpl_parse_error(Tpl *t, int line, const char *format, ...) _printf_(3, 4);
int tpl_exec_error(Tpl *t, const char *format, ...) _printf_(2, 3);
int tpl_limit_error(Tpl *t, const char *format, ...) _printf_(2, 3);
int tpl_oom(Tpl *t);
int tpl_charge(Tpl *t, uint64_t steps);
int tpl_node_describe(TplBuf *b, const Node *n); /* Go's Node.String() */

/* ---- fmt ---------------------------------------------------------------------------------------- */

/* fmt.Sprint (ln = false) and fmt.Sprintln (ln = true). */
int tpl_sprint(const Tpl *t, TplBuf *b, const Value *args, size_t n, bool ln);
/* fmt.Sprintf; -EOPNOTSUPP with a message in *unsupported for verbs and flags the engine does not
 * reproduce. */
int tpl_sprintf(const Tpl *t, TplBuf *b, const char *format, size_t format_len, const Value *args, size_t n,
        TplBuf *unsupported);
/* How {{ value }} prints. */
int tpl_print_value(const Tpl *t, TplBuf *b, const Value *v);

/* ---- builtins ----------------------------------------------------------------------------------- */

typedef enum ParamType {
        PARAM_ANY, /* interface{} or reflect.Value */
        PARAM_STRING, /* string */
} ParamType;

typedef struct BuiltinInfo {
        const char *name;
        unsigned num_in; /* Go's Type.NumIn() */
        bool variadic;
        ParamType first_param;
} BuiltinInfo;

extern const BuiltinInfo tpl_builtins[_BUILTIN_MAX];
int tpl_builtin_lookup(const char *name, size_t len);

/* Runs a builtin other than and/or. On a Go-level error returns -EDOM with the message in *err;
 * -EOPNOTSUPP with the message in *err for what the engine does not reproduce. */
int tpl_builtin_call(Tpl *t, Builtin b, Value *argv, size_t argc, Value *ret, TplBuf *err);
bool tpl_truth(const Tpl *t, const Value *v);
const TemplateEntry *tpl_lookup(const Tpl *t, const char *key, size_t len);
