/* SPDX-License-Identifier: MIT */
#pragma once

/* The dump format of Export and Import, and of storectl's dump, load and import-go-store: JSON Lines,
 * one entry per line.
 *
 *   {"group":"config","key":"theme","value":"dark"}
 *   {"group":"blobs","key":"k","value_base64":"AAEC/w==","expires_usec":1795305734831319}
 *
 * "value" holds a value that is text (valid UTF-8 without NUL, as Get returns it), "value_base64" any
 * other value (RFC 4648 base64). "expires_usec" is the absolute CLOCK_REALTIME deadline in
 * microseconds, absent when the entry never expires. Groups are relative to the scope.
 *
 * Reading is strict about what it knows and lenient about what it does not: members may come in any
 * order and unknown ones are skipped (a later version may add some), blank lines are skipped, and
 * anything else out of place is an error that says what. Nothing here knows about the store or
 * D-Bus: the daemon and storectl share this file. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DUMP_ERROR_MAX 256

/* A growable byte buffer; a zeroed one is empty. data is NUL-terminated whenever len > 0. */
typedef struct DumpBuffer {
        char *data;
        size_t len;
        size_t size;
} DumpBuffer;

void dump_buffer_done(DumpBuffer *b);
int dump_buffer_append(DumpBuffer *b, const void *p, size_t n);
int dump_buffer_printf(DumpBuffer *b, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Text in the contract's sense: valid UTF-8 without NUL, surrogates, overlong forms or noncharacters
 * (what sd-bus accepts in a string; the same rule as store_value_is_text()). */
bool dump_text_is_valid(const void *p, size_t n);

/* Appends `s` as a quoted JSON string. `s` must be valid UTF-8 (NUL bytes are escaped). */
int dump_json_append_string(DumpBuffer *b, const char *s, size_t n);
/* Appends the padded base64 of the bytes. */
int dump_base64_append(DumpBuffer *b, const void *p, size_t n);
/* Decodes base64 (padding optional, no white space) in place; returns the decoded length or -EINVAL. */
int dump_base64_decode_in_place(char *p, size_t n, size_t *ret_len);

typedef struct DumpEntry {
        const char *group; /* text */
        const char *key; /* text */
        const void *value;
        size_t value_len;
        uint64_t expires_usec; /* 0 = never */
} DumpEntry;

/* Appends one line, with its newline. -EINVAL if the group or key is not text. */
int dump_entry_append(DumpBuffer *b, const DumpEntry *e);

/* Parses one line (without its newline) in place: the line's bytes are overwritten with the decoded
 * strings and the entry points into them (group and key NUL-terminated). Returns 1 for an entry, 0 for
 * a blank line, -EINVAL with a message in `error` for anything else. */
int dump_line_parse(char *line, size_t n, DumpEntry *ret, char error[static DUMP_ERROR_MAX]);

/* Walks the lines of a buffer, parsing each in place. */
typedef struct DumpReader {
        char *data;
        size_t len;
        size_t pos;
        size_t line; /* number of the line last read, from 1 */
} DumpReader;

/* 1 and the next entry, 0 at the end, or -EINVAL with "line N: …" in `error`. */
int dump_reader_next(DumpReader *r, DumpEntry *ret, char error[static DUMP_ERROR_MAX]);
