/*
 * replay.c - runs a fuzz target over files without libFuzzer.
 *
 * Usage: replay-TARGET PATH...
 *
 * Each PATH is a file or a folder whose regular files are replayed in name
 * order. The normal build links this with each target so that `make check`
 * replays tests/fuzz/regressions/ (tests/test_fuzz_regressions.sh). Each
 * file's name is printed before it runs, so a crash shows which one caused
 * it. Exits 1 when a path cannot be read or no file is found. A broken
 * contract or a crash inside the target ends the process abnormally, and
 * so does an input that runs longer than REPLAY_SECONDS (SIGALRM), so that
 * an input that once hung the library cannot hang `make check`.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_support.h"

/* The time one input may take, far above the milliseconds each one needs
 * natively, so that sanitizers, valgrind or an emulator stay well within. */
#define REPLAY_SECONDS 30

/* Reads a whole file; returns NULL with errno set on failure. */
static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t used = 0, capacity = 0;

    if (!f)
        return NULL;
    for (;;) {
        size_t n;
        if (used == capacity) {
            unsigned char *bigger;
            capacity = capacity ? capacity * 2 : 4096;
            bigger = realloc(data, capacity);
            if (!bigger) {
                free(data);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            data = bigger;
        }
        n = fread(data + used, 1, capacity - used, f);
        used += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        free(data);
        fclose(f);
        errno = EIO;
        return NULL;
    }
    fclose(f);
    *size = used;
    return data;
}

static int replay_file(const char *path)
{
    size_t size = 0;
    unsigned char *data = read_file(path, &size);

    if (!data) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    printf("replay: %s (%zu bytes)\n", path, size);
    fflush(stdout);
    alarm(REPLAY_SECONDS);
    LLVMFuzzerTestOneInput(data, size);
    alarm(0);
    free(data);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files of a folder in name order; returns the number
 * replayed, or -1 on a read error. */
static long replay_folder(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *entry;
    char **names = NULL;
    size_t n = 0, capacity = 0, i;
    long count = 0;

    if (!d) {
        fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (n == capacity) {
            char **bigger;
            capacity = capacity ? capacity * 2 : 64;
            bigger = realloc(names, capacity * sizeof *names);
            if (!bigger) {
                fprintf(stderr, "replay: out of memory\n");
                exit(1);
            }
            names = bigger;
        }
        names[n] = malloc(strlen(dir) + strlen(entry->d_name) + 2);
        if (!names[n]) {
            fprintf(stderr, "replay: out of memory\n");
            exit(1);
        }
        sprintf(names[n], "%s/%s", dir, entry->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, compare_names);
    for (i = 0; i < n; i++) {
        struct stat info;
        if (count >= 0 && stat(names[i], &info) == 0 && S_ISREG(info.st_mode))
            count = replay_file(names[i]) == 0 ? count + 1 : -1;
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH...\n"
                        "Runs the fuzz target on each file, and on each "
                        "regular file of each folder.\n",
                argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat info;
        long count;
        if (stat(argv[i], &info) != 0) {
            fprintf(stderr, "replay: cannot read %s: %s\n", argv[i],
                    strerror(errno));
            return 1;
        }
        count = S_ISDIR(info.st_mode) ? replay_folder(argv[i])
                                      : (replay_file(argv[i]) == 0 ? 1 : -1);
        if (count < 0)
            return 1;
        total += count;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no input files found\n");
        return 1;
    }
    printf("replay: %ld inputs ran without a failure\n", total);
    return 0;
}
