/* test_files - reading a data file of the source tree (tests run from the top
 * directory), for every unit test that needs one. */
#ifndef AM_TEST_FILES_H
#define AM_TEST_FILES_H
#include <stddef.h>

/* test_read_file - the whole file, NUL-terminated, malloc'd; its length in *len when len
 * is not NULL. NULL when it cannot be read. */
char *test_read_file(const char *path, size_t *len);
#endif
