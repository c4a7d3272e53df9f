/* testutil.h - helpers shared by the unit test programs: temporary folders,
 * small files, hex and string checks.  Failures are cmocka failures. */
#ifndef ANTT_TESTUTIL_H
#define ANTT_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A new empty folder under $TMPDIR (or /tmp).  Caller frees with tu_rmtree. */
char *tu_mkdtemp(void);
/* Remove dir and everything below it, then free the string. */
void tu_rmtree(char *dir);
/* dir "/" name.  Caller frees. */
char *tu_path(const char *dir, const char *name);
/* Create or replace path with exactly these bytes and this mode. */
void tu_write(const char *path, const void *buf, size_t len, int mode);
void tu_write_text(const char *path, const char *text);
/* Hex of any length -> bytes.  Fails the test on bad hex.  Caller frees. */
uint8_t *tu_unhex(const char *hex, size_t *len);
/* Fails the test (printing both) unless needle occurs in haystack. */
#define tu_assert_contains(haystack, needle) tu_check_contains(haystack, needle, __FILE__, __LINE__)
void tu_check_contains(const char *haystack, const char *needle, const char *file, int line);

#endif
