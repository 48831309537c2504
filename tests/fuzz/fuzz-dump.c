/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the dump format of Export and Import (store-dump-format.h). The input is
 * parsed as one line (dump_line_parse) and as a whole file (dump_reader_next), each from a buffer of
 * exactly its size, so that a read past the end is caught. Every entry read must be what the contract
 * says (group and key text, the value inside the line) and must survive a round trip: written again
 * with dump_entry_append and read back, it is the same entry. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store-dump-format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const char *error) {
        size_t n = strnlen(error, DUMP_ERROR_MAX);

        if (n == 0 || n >= DUMP_ERROR_MAX)
                abort();
}

static void check_entry(const DumpEntry *e, const char *buffer, size_t size) {
        const char *value = e->value;

        if (!e->group || !e->key || (!e->value && e->value_len > 0))
                abort();
        /* Decoded in place: everything points into the line. */
        if (e->group < buffer || e->group >= buffer + size || e->key < buffer || e->key >= buffer + size)
                abort();
        if (e->value_len > 0 && (value < buffer || value + e->value_len > buffer + size))
                abort();
        if (!dump_text_is_valid(e->group, strlen(e->group)) || !dump_text_is_valid(e->key, strlen(e->key)))
                abort();
        if (e->expires_usec > (uint64_t)INT64_MAX)
                abort();
}

/* Written again and read back, an entry is the same entry. */
static void check_round_trip(const DumpEntry *e) {
        DumpBuffer b = {};
        DumpEntry again;
        char error[DUMP_ERROR_MAX];
        char *line;
        size_t n;
        int r;

        if (dump_entry_append(&b, e) < 0)
                abort();
        if (b.len == 0 || b.data[b.len - 1] != '\n' || memchr(b.data, '\n', b.len - 1))
                abort(); /* one line, ended by its newline */
        n = b.len - 1;
        line = malloc(n ? n : 1);
        if (!line)
                abort();
        memcpy(line, b.data, n);
        r = dump_line_parse(line, n, &again, error);
        if (r != 1)
                abort();
        if (strcmp(again.group, e->group) != 0 || strcmp(again.key, e->key) != 0 || again.value_len != e->value_len ||
                again.expires_usec != e->expires_usec ||
                (e->value_len > 0 && memcmp(again.value, e->value, e->value_len) != 0))
                abort();
        free(line);
        dump_buffer_done(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char error[DUMP_ERROR_MAX];
        DumpReader reader;
        DumpEntry e;
        char *line, *file;
        size_t lines = 0;
        int r;

        /* One line. */
        line = malloc(size ? size : 1);
        if (!line)
                return 0;
        memcpy(line, data, size);
        memset(error, 0, sizeof(error));
        r = dump_line_parse(line, size, &e, error);
        if (r == 1) {
                check_entry(&e, line, size);
                check_round_trip(&e);
        } else if (r < 0) {
                if (r != -EINVAL)
                        abort();
                check_error(error);
        } else if (r != 0)
                abort();
        free(line);

        /* A file. */
        file = malloc(size ? size : 1);
        if (!file)
                return 0;
        memcpy(file, data, size);
        reader = (DumpReader){ .data = file, .len = size };
        for (;;) {
                memset(error, 0, sizeof(error));
                r = dump_reader_next(&reader, &e, error);
                if (r <= 0)
                        break;
                check_entry(&e, file, size);
                check_round_trip(&e);
                if (++lines > size + 1)
                        abort(); /* the reader must make progress */
        }
        if (r < 0) {
                if (r != -EINVAL || strncmp(error, "line ", 5) != 0)
                        abort();
                check_error(error);
        }
        if (reader.pos > size)
                abort();
        free(file);
        return 0;
}
