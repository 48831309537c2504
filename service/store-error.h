/* SPDX-License-Identifier: MIT */
#pragma once

/* How the storage layer reports failures without knowing about D-Bus: a negative errno picks the
 * kind (the bus layer maps it to the contract's error name, see bus-error.c) and a short message
 * says what was wrong. */

#include <errno.h>

#include "util.h"

#define STORE_ERROR_MESSAGE_MAX 512

/* The errno of each error kind of the contract. */
enum {
        STORE_E_NOT_FOUND = ENOKEY, /* org.example.Store.Error.NotFound */
        STORE_E_QUOTA = EDQUOT, /* …QuotaExceeded */
        STORE_E_TOO_LARGE = EFBIG, /* …TooLarge */
        STORE_E_NOT_TEXT = EILSEQ, /* …NotText */
        STORE_E_TEMPLATE = ENOEXEC, /* …Template */
        STORE_E_INVALID_NAMESPACE = EBADSLT, /* …InvalidNamespace */
        STORE_E_STORAGE = EIO, /* …Storage (also ENOSPC, EROFS, EUCLEAN) */
        STORE_E_INVALID_ARGS = EINVAL, /* org.freedesktop.DBus.Error.InvalidArgs */
        STORE_E_NOT_SUPPORTED = EOPNOTSUPP, /* org.freedesktop.DBus.Error.NotSupported */
};

typedef struct StoreError {
        int code; /* negative errno, 0 = no error */
        char message[STORE_ERROR_MESSAGE_MAX];
} StoreError;

/* Records the error (if `e` is not NULL) and returns `code`, so callers can write
 * `return store_error_set(e, -STORE_E_NOT_FOUND, "…")`. `code` must be negative. */
int store_error_set(StoreError *e, int code, const char *format, ...) _printf_(3, 4);

/* Prints at most about 64 bytes of a caller-supplied name into a message, so that a 64 KiB key does
 * not turn an error into a 64 KiB string. The cut falls on a UTF-8 character boundary: a message that
 * is not valid UTF-8 cannot be sent as a D-Bus error at all. */
#define NAME_EXCERPT         "%.*s%s"
#define NAME_EXCERPT_ARGS(s) (int)name_excerpt_len(s), (s), (strlen(s) > name_excerpt_len(s) ? "…" : "")

static inline size_t name_excerpt_len(const char *s) {
        size_t n = strnlen(s, 65);

        if (n <= 64)
                return n;
        n = 64;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
                n--; /* s[n] continues a character: cut before that character starts */
        return n;
}
