/* SPDX-License-Identifier: MIT */
#include "bus-scope.h"
#include "bus-manager.h"

int scope_resolve(const Scope *scope, sd_bus_message *m, Scope *ret, sd_bus_error *error) {
        uid_t uid;
        int r;

        *ret = *scope;
        if (!scope->self) {
                if (ret->ns)
                        ret->ns = ret->name; /* not the copied-from scope's buffer */
                return 0;
        }
        r = auth_sender_uid(scope->context->auth, m, &uid, error);
        if (r != 0)
                return r;
        personal_namespace_name(uid, ret->name);
        ret->self = false;
        ret->ns = ret->name;
        return 0;
}

int scope_authorize(const Scope *scope, sd_bus_message *m, Action action, Scope *ret, sd_bus_error *error) {
        int r = scope_resolve(scope, m, ret, error);
        if (r != 0)
                return r;
        return authorize(scope->context->auth, m, action, ret->ns, error);
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
