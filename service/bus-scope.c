/* SPDX-License-Identifier: MIT */
#include "bus-scope.h"
#include "bus-manager.h"

int scope_authorize(const Scope *scope, sd_bus_message *m, Action action, Scope *ret, sd_bus_error *error) {
        Auth *auth = scope->context->auth;
        int r;

        *ret = *scope;
        if (scope->self) {
                uid_t uid;
                r = auth_sender_uid(auth, m, &uid, error);
                if (r != 0)
                        return r;
                snprintf(ret->name, sizeof(ret->name), "uid-%u", (unsigned)uid);
                ret->self = false;
        }
        if (ret->ns || scope->self)
                ret->ns = ret->name;
        return authorize(auth, m, action, ret->ns, error);
}

int namespace_path_decode(const char *path, char ret[static STORE_NAMESPACE_MAX + 1]) {
        _cleanup_free_ char *name = NULL, *canonical = NULL;
        int r;

        r = sd_bus_path_decode(path, NAMESPACE_OBJECT_PREFIX, &name);
        if (r <= 0)
                return r;
        if (!streq(name, "self") && !store_namespace_is_valid(name))
                return 0;
        /* Only the canonical encoding is the object: …/_61bc decodes to "abc" but is not …/abc. */
        r = sd_bus_path_encode(NAMESPACE_OBJECT_PREFIX, name, &canonical);
        if (r < 0)
                return r;
        if (!streq(canonical, path))
                return 0;
        snprintf(ret, STORE_NAMESPACE_MAX + 1, "%s", name);
        return 1;
}
