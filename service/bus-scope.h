/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* Resolves `scope` for the caller of `m` (self → uid-<UID>) into `ret`. Same convention as
 * auth_sender_uid(): 0 done, 1 pending (return 1 from the handler), negative failed. */
int scope_resolve(const Scope *scope, sd_bus_message *m, Scope *ret, sd_bus_error *error);

/* scope_resolve(), then authorizes `action` on the result. Same convention as authorize(): 0 allowed,
 * 1 pending, negative denied. */
int scope_authorize(const Scope *scope, sd_bus_message *m, Action action, Scope *ret, sd_bus_error *error);

/* The namespace name a path under /org/example/Store/namespace/ stands for, if it is the canonical
 * encoding of a valid name (or "self"); 0 if the path is not a namespace object. */
int namespace_path_decode(const char *path, char ret[static STORE_NAMESPACE_MAX + 1]);
