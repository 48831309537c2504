/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include "strv.h"
#include "util.h"

int strlist_take(StrList *l, char *s) {
        if (!s)
                return -ENOMEM;
        if (l->n + 1 >= l->cap) {
                size_t cap = MAX(l->cap * 2, (size_t)16);
                char **items = realloc(l->items, cap * sizeof(char *));
                if (!items) {
                        free(s);
                        return -ENOMEM;
                }
                l->items = items;
                l->cap = cap;
        }
        l->items[l->n++] = s;
        l->items[l->n] = NULL;
        return 0;
}

int strlist_collect(const char *s, void *list) {
        return strlist_take(list, strdup(s));
}

void strlist_done(StrList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i]);
        free(l->items);
        *l = (StrList){};
}
