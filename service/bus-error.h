/* SPDX-License-Identifier: MIT */
#pragma once

/* The contract's error names, in one table that maps both ways: the daemon turns a store errno into a
 * name, clients (storectl) turn a name back into an errno. */

#include <systemd/sd-bus.h>

#include "store-error.h"

#define STORE_ERROR_NOT_FOUND         "org.example.Store.Error.NotFound"
#define STORE_ERROR_QUOTA_EXCEEDED    "org.example.Store.Error.QuotaExceeded"
#define STORE_ERROR_TOO_LARGE         "org.example.Store.Error.TooLarge"
#define STORE_ERROR_NOT_TEXT          "org.example.Store.Error.NotText"
#define STORE_ERROR_TEMPLATE          "org.example.Store.Error.Template"
#define STORE_ERROR_INVALID_NAMESPACE "org.example.Store.Error.InvalidNamespace"
#define STORE_ERROR_STORAGE           "org.example.Store.Error.Storage"

extern const sd_bus_error_map store_bus_error_map[];

/* Fills `error` from a store failure: the name from the errno, the message from `store_error` when it
 * has one. Returns r, so a handler can `return bus_error_from_store(error, r, &e)`. */
int bus_error_from_store(sd_bus_error *error, int r, const StoreError *store_error);
