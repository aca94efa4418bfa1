/* replay_main - drives a libFuzzer target without libFuzzer: feeds it every file in the
 * directories (or files) named on the command line, so `make test` replays each fuzz
 * corpus with any compiler and under the sanitizers. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;
	uint8_t chunk[65536];
	if (f == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n > cap) {
			cap = (len + n) * 2;
			data = realloc(data, cap);
			if (data == NULL) {
				fclose(f);
				return -1;
			}
		}
		memcpy(data + len, chunk, n);
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data ? data : (const uint8_t *)"", len);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0;
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			while (d && (e = readdir(d)) != NULL) {
				char path[4096];
				if (e->d_name[0] == '.')
					continue;
				snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
				if (replay_file(path) != 0)
					return 1;
				files++;
			}
			if (d)
				closedir(d);
		} else {
			if (replay_file(argv[i]) != 0)
				return 1;
			files++;
		}
	}
	printf("replayed %d inputs\n", files);
	return 0;
}
