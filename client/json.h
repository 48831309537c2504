/* SPDX-License-Identifier: MIT */
#pragma once

/* storectl's --json output: one document per command, built in memory and printed whole, so that a
 * failing command prints no half document. Strings must be valid UTF-8 (they come from D-Bus). */

#include <stdbool.h>
#include <stdint.h>

#include "store-dump-format.h"

#define JSON_DEPTH_MAX 8

typedef struct Json {
        DumpBuffer out;
        int depth;
        bool first[JSON_DEPTH_MAX]; /* nothing written yet at this level */
        bool after_key;
        int error;
} Json;

void json_done(Json *j);

void json_object_begin(Json *j);
void json_object_end(Json *j);
void json_array_begin(Json *j);
void json_array_end(Json *j);
void json_key(Json *j, const char *key);
void json_string(Json *j, const char *s);
void json_string_n(Json *j, const char *s, size_t n);
void json_base64(Json *j, const void *p, size_t n);
void json_uint(Json *j, uint64_t v);
/* Text that is already JSON (a dump line). */
void json_raw(Json *j, const char *s, size_t n);

/* Prints the document with a newline; returns the first error met while building it. */
int json_print(Json *j);
