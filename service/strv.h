/* SPDX-License-Identifier: MIT */
#pragma once

/* A growing list of owned strings, always NULL-terminated: the names a listing callback collects,
 * or the nodes an sd-bus enumerator returns. */

#include <stddef.h>

typedef struct StrList {
        char **items; /* NULL-terminated once anything was added */
        size_t n, cap;
} StrList;

/* Adds `s` itself, which the list then owns (and frees at once if it cannot grow). -ENOMEM. */
int strlist_take(StrList *l, char *s);
/* Adds a copy of `s`, as a listing callback: `list` is the StrList. -ENOMEM. */
int strlist_collect(const char *s, void *list);
/* Frees every string and the array; the list is empty again. */
void strlist_done(StrList *l);
