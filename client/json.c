/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void json_done(Json *j) {
        dump_buffer_done(&j->out);
}

static void append(Json *j, const char *s, size_t n) {
        int r;

        if (j->error < 0)
                return;
        r = dump_buffer_append(&j->out, s, n);
        if (r < 0)
                j->error = r;
}

/* The comma before a value, unless it is the first at its level or follows its key. */
static void value_begin(Json *j) {
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (j->depth > 0 && !j->first[j->depth - 1])
                append(j, ",", 1);
        if (j->depth > 0)
                j->first[j->depth - 1] = false;
}

static void open_level(Json *j, const char *c) {
        value_begin(j);
        append(j, c, 1);
        if (j->depth >= JSON_DEPTH_MAX) {
                j->error = -E2BIG;
                return;
        }
        j->first[j->depth++] = true;
}

static void close_level(Json *j, const char *c) {
        if (j->depth > 0)
                j->depth--;
        append(j, c, 1);
}

void json_object_begin(Json *j) {
        open_level(j, "{");
}

void json_object_end(Json *j) {
        close_level(j, "}");
}

void json_array_begin(Json *j) {
        open_level(j, "[");
}

void json_array_end(Json *j) {
        close_level(j, "]");
}

void json_key(Json *j, const char *key) {
        json_string(j, key);
        append(j, ":", 1);
        j->after_key = true;
}

void json_string_n(Json *j, const char *s, size_t n) {
        int r;

        value_begin(j);
        if (j->error < 0)
                return;
        r = dump_json_append_string(&j->out, s, n);
        if (r < 0)
                j->error = r;
}

void json_string(Json *j, const char *s) {
        json_string_n(j, s, strlen(s));
}

void json_base64(Json *j, const void *p, size_t n) {
        int r;

        value_begin(j);
        append(j, "\"", 1);
        if (j->error >= 0 && (r = dump_base64_append(&j->out, p, n)) < 0)
                j->error = r;
        append(j, "\"", 1);
}

void json_uint(Json *j, uint64_t v) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

        value_begin(j);
        append(j, buf, (size_t)n);
}

void json_raw(Json *j, const char *s, size_t n) {
        value_begin(j);
        append(j, s, n);
}

int json_print(Json *j) {
        if (j->error < 0)
                return j->error;
        append(j, "\n", 1);
        if (j->error < 0)
                return j->error;
        if (fwrite(j->out.data, 1, j->out.len, stdout) != j->out.len)
                return -EIO;
        return 0;
}
