/* test_files - reading a data file of the source tree (see test_files.h). */
#include "test_files.h"
#include <stdio.h>
#include <stdlib.h>

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) == (size_t)n) {
			s[n] = '\0';
			if (len)
				*len = (size_t)n;
		} else {
			free(s);
			s = NULL;
		}
	}
	fclose(f);
	return s;
}
