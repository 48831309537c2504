/* SPDX-License-Identifier: MIT */
#pragma once

/* Go's strings.Split and strings.Fields over a text value, for GetSplit and GetFields. The pieces are
 * handed to a callback as (pointer, length) slices of the input, so nothing is copied. */

#include <stddef.h>

/* Return 0 to go on, negative to stop with that error. */
typedef int (*TextPieceFn)(const char *piece, size_t len, void *userdata);

/* As strings.Split: n separators give n+1 pieces; an empty separator splits after each UTF-8
 * character; an empty value with an empty separator gives no pieces. */
int text_split(const char *value, size_t len, const char *sep, size_t sep_len, TextPieceFn fn, void *userdata);

/* As strings.Fields: the pieces between runs of Unicode white space (unicode.IsSpace). */
int text_fields(const char *value, size_t len, TextPieceFn fn, void *userdata);
