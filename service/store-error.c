/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "store-error.h"

int store_error_set(StoreError *e, int code, const char *format, ...) {
        va_list ap;

        if (e) {
                e->code = code;
                va_start(ap, format);
                vsnprintf(e->message, sizeof(e->message), format, ap);
                va_end(ap);
        }
        return code;
}
