/* fuzz.h - what every fuzz target shares: the libFuzzer entry point, and a
 * scratch folder for the targets whose decoder reads a file. */
#ifndef ANTT_FUZZ_H
#define ANTT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A folder of this process's own, made on first use (removed at exit). */
const char *fuzz_tmpdir(void);

/* Write data to path (replacing it): 0, or -1. */
int fuzz_write(const char *path, const uint8_t *data, size_t size);

#endif
