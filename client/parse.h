/* SPDX-License-Identifier: MIT */
#pragma once

/* What storectl reads from and shows to people: systemd-style durations ("30s", "5min", "1h 30min",
 * "2d", "500ms", "1.5h"), sizes with binary suffixes ("64K", "1M"), and points in time. */

#include <stddef.h>
#include <stdint.h>

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC  UINT64_C(1000000)

/* A duration in microseconds: numbers (with an optional fraction) each followed by a unit, summed; a
 * number without a unit is seconds. -EINVAL if it is not one, -ERANGE if it does not fit. */
int parse_duration(const char *s, uint64_t *ret);

/* A count or a byte size: digits with an optional K, M, G or T suffix (powers of 1024; "KiB" and
 * "KB" are the same), or "unlimited" / "infinity" for 0, which the store reads as no limit. */
int parse_size(const char *s, uint64_t *ret);
int parse_count(const char *s, uint64_t *ret);

/* "Sun 2026-11-22 00:31:02 UTC" in the local time zone. */
char *format_timestamp(char *buf, size_t size, uint64_t usec);
/* "1h 2min 3s", "250ms"; "0" for nothing. */
char *format_timespan(char *buf, size_t size, uint64_t usec);
/* "64.0M", "512B". */
char *format_bytes(char *buf, size_t size, uint64_t bytes);
