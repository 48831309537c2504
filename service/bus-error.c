/* SPDX-License-Identifier: MIT */
#include "bus-error.h"

/* Name → errno for clients; the first entry of an errno is its name for the daemon. */
const sd_bus_error_map store_bus_error_map[] = {
        SD_BUS_ERROR_MAP(STORE_ERROR_NOT_FOUND, STORE_E_NOT_FOUND),
        SD_BUS_ERROR_MAP(STORE_ERROR_QUOTA_EXCEEDED, STORE_E_QUOTA),
        SD_BUS_ERROR_MAP(STORE_ERROR_TOO_LARGE, STORE_E_TOO_LARGE),
        SD_BUS_ERROR_MAP(STORE_ERROR_NOT_TEXT, STORE_E_NOT_TEXT),
        SD_BUS_ERROR_MAP(STORE_ERROR_TEMPLATE, STORE_E_TEMPLATE),
        SD_BUS_ERROR_MAP(STORE_ERROR_INVALID_NAMESPACE, STORE_E_INVALID_NAMESPACE),
        SD_BUS_ERROR_MAP(STORE_ERROR_STORAGE, EIO),
        SD_BUS_ERROR_MAP(STORE_ERROR_STORAGE, ENOSPC),
        SD_BUS_ERROR_MAP(STORE_ERROR_STORAGE, EROFS),
        SD_BUS_ERROR_MAP(STORE_ERROR_STORAGE, EUCLEAN),
        SD_BUS_ERROR_MAP(STORE_ERROR_STORAGE, EBUSY),
        SD_BUS_ERROR_MAP(STORE_ERROR_STORAGE, EPROTONOSUPPORT),
        SD_BUS_ERROR_MAP(SD_BUS_ERROR_INVALID_ARGS, EINVAL),
        SD_BUS_ERROR_MAP(SD_BUS_ERROR_NOT_SUPPORTED, EOPNOTSUPP),
        SD_BUS_ERROR_MAP(SD_BUS_ERROR_ACCESS_DENIED, EACCES),
        SD_BUS_ERROR_MAP(SD_BUS_ERROR_NO_MEMORY, ENOMEM),
        SD_BUS_ERROR_MAP_END,
};

int bus_error_from_store(sd_bus_error *error, int r, const StoreError *store_error) {
        const char *message = store_error && store_error->code != 0 ? store_error->message : NULL;

        for (const sd_bus_error_map *m = store_bus_error_map; m->name; m++)
                if (m->code == -r) {
                        sd_bus_error_set(error, m->name, message ?: strerror(-r));
                        return r;
                }
        return sd_bus_error_set_errnof(error, r, "%s", message ?: strerror(-r));
}
