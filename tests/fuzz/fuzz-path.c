/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the namespace objects' paths (namespace_path_decode, bus-scope.h), which decide
 * for every call under /org/example/Store/namespace/ whether it is an object at all.
 *
 * The input is used three ways: as a whole path, as the last element after the namespace prefix, and
 * as a namespace name that is encoded and decoded again. The properties checked are the contract's:
 * a path is an object only if it is the canonical encoding of a valid name (or "self"), and every
 * valid name has exactly one object, whose path decodes back to it. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus-manager.h"
#include "bus-scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool name_is_object(const char *name) {
        return strcmp(name, "self") == 0 || store_namespace_is_valid(name);
}

static void check_path(const char *path) {
        char name[STORE_NAMESPACE_MAX + 1];
        char *canonical = NULL;
        int r;

        memset(name, 0x55, sizeof(name));
        r = namespace_path_decode(path, name);
        if (r < 0) {
                if (r != -EINVAL && r != -ENOMEM)
                        abort();
                return;
        }
        if (r == 0)
                return;
        if (r != 1 || strnlen(name, sizeof(name)) > STORE_NAMESPACE_MAX || !name_is_object(name))
                abort();
        if (sd_bus_path_encode(NAMESPACE_OBJECT_PREFIX, name, &canonical) < 0)
                abort();
        if (strcmp(canonical, path) != 0)
                abort(); /* only the canonical encoding is the object */
        free(canonical);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char name[STORE_NAMESPACE_MAX + 1], *text, *path = NULL;
        int r;

        text = strndup((const char *)data, size);
        if (!text)
                return 0;

        /* Anything as a path: sd-bus only ever passes valid ones, but the function must not care. */
        check_path(text);

        /* Anything as the element after the prefix. */
        if (asprintf(&path, "%s/%s", NAMESPACE_OBJECT_PREFIX, text) >= 0) {
                check_path(path);
                free(path);
                path = NULL;
        }

        /* Anything as a name: its encoding is an object exactly when the name is valid, and decodes
         * back to the same name. */
        if (sd_bus_path_encode(NAMESPACE_OBJECT_PREFIX, text, &path) >= 0) {
                r = namespace_path_decode(path, name);
                if (r < 0 || (r > 0) != name_is_object(text))
                        abort();
                if (r > 0 && strcmp(name, text) != 0)
                        abort();
                free(path);
        }
        free(text);
        return 0;
}
