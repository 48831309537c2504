/* SPDX-License-Identifier: MIT */
#pragma once

/* Logging to stderr with sd-daemon level prefixes, so the journal files each line at its level. The
 * maximum level is the one piece of process-wide state, set once by main(). */

#include <syslog.h>

#include "util.h"

void log_set_max_level(int level);
int log_level_from_string(const char *s); /* negative if unknown */
int log_message(int level, int error, const char *format, ...) _printf_(3, 4);

#define log_debug(...)   log_message(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_message(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_message(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_message(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_message(LOG_ERR, 0, __VA_ARGS__)
/* Logs with ": <strerror>" appended and returns the (negative) error. */
#define log_error_errno(e, ...)   log_message(LOG_ERR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_message(LOG_WARNING, (e), __VA_ARGS__)
