/*
 * standalone.c: main() of a fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file given, or on every file of a
 * folder given (in name order), so the corpora are regression tests in
 * every build (tests/fuzz/test-fuzz-corpus.sh) and a finding can be
 * replayed without clang (docs/fuzzing.md).
 *
 *   fuzz-TARGET [-v] FILE|DIR...
 *
 * Exits 0 when every input ran, 1 when an input cannot be read or none was
 * given (an empty corpus tests nothing); a finding aborts, under the
 * sanitizers or not.
 */
#include "config.h"

#include "fuzz.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Weak: most targets need no initialization. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static bool verbose;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *b = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!b) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = b;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (verbose)
		fprintf(stderr, "%s (%zu bytes)\n", path, len);
	/* A copy of exactly `len` bytes, so ASan sees a read past the input. */
	{
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static long run_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	long ran = 0;

	if (!d) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d))) {
		char **grown;
		if (e->d_name[0] == '.')
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
		if (!names[n])
			break;
		sprintf(names[n], "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		struct stat st;
		if (ran >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			ran = run_file(names[i]) < 0 ? -1 : ran + 1;
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	long total = 0;
	int i = 1;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = true;
		i++;
	}
	for (; i < argc; i++) {
		struct stat st;
		long ran;
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		ran = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]) < 0 ? -1 : 1;
		if (ran < 0)
			return 1;
		total += ran;
	}
	if (total == 0) {
		fprintf(stderr, "%s: no input ran (give files or folders of a corpus)\n", argv[0]);
		return 1;
	}
	printf("%s: %ld inputs ran\n", argv[0], total);
	return 0;
}
