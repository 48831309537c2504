/* SPDX-License-Identifier: MIT */
#pragma once

/* Export and Import (org.example.Store, on every store object) and Backup (org.example.Store.Manager):
 * the handlers that move data through a file descriptor the caller passes. They reply once the
 * transfer is over; meanwhile the daemon serves everyone else (see bus-dump.c). */

#include <systemd/sd-bus.h>

#include "context.h"

/* userdata: the object's Scope, as for every org.example.Store handler. */
int method_export(sd_bus_message *m, void *userdata, sd_bus_error *error);
int method_import(sd_bus_message *m, void *userdata, sd_bus_error *error);
/* userdata: the root object's Scope. */
int method_backup(sd_bus_message *m, void *userdata, sd_bus_error *error);

/* Ends every transfer in progress with an error ("stored is stopping"): before the store closes. */
void bus_dump_abort_all(Context *c);
