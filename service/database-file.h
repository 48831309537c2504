/* SPDX-License-Identifier: MIT */
#pragma once

/* The database as files on disk, beside what SQLite does with them: moving a damaged one out of the
 * way without losing it. */

/* Renames `path` to `<path>.corrupt-<UTC time>` (with "-2", "-3"… if that name is taken), together
 * with its -wal and -shm companions under the same new name, and syncs the directory. Never deletes
 * or overwrites anything. Returns 0 and the new path of the database in *ret_path, or a negative
 * errno. */
int database_file_move_aside(const char *path, char **ret_path);
