/* common.h - error codes, error messages, logging and small helpers shared by
 * anttd, antt and the tests.  Every module reports failure the same way: a
 * negative antt_rc value, and a human sentence in the caller's err buffer that
 * says what is wrong and what to do. */
#ifndef ANTT_COMMON_H
#define ANTT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define ANTT_ERR_MAX 512 /* size of every err buffer */

typedef enum {
	ANTT_OK = 0,
	ANTT_E_INVAL = -1,    /* bad input: a value, a form, a period, a file's content */
	ANTT_E_IO = -2,       /* the operating system refused (open, write, fsync...) */
	ANTT_E_CONFIG = -3,   /* config or key file missing or wrong */
	ANTT_E_NOTFOUND = -4, /* no such record, form, ... */
	ANTT_E_EXISTS = -5,   /* would overwrite or duplicate something */
	ANTT_E_CORRUPT = -6,  /* stored data fails its checks, or is not ours */
	ANTT_E_BUSY = -7,     /* another process holds the store */
	ANTT_E_STORE = -8,    /* the database engine failed */
	ANTT_E_UNAVAIL = -9,  /* the daemon cannot be reached */
} antt_rc;

/* Format into err (ANTT_ERR_MAX bytes) and return rc; err may be NULL. */
int antt_errf(char *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Logging: to stderr with a level prefix, or to the journal with the level
 * as its priority once antt_log_use_journal found that stderr is the
 * journal (systemd's JOURNAL_STREAM); returns 1 then.  The levels are
 * syslog's priorities.  Never pass secrets. */
enum { ANTT_LOG_ERR = 3, ANTT_LOG_WARN = 4, ANTT_LOG_INFO = 6, ANTT_LOG_DEBUG = 7 };
int antt_log_use_journal(void);
void antt_log_set_level(int level);
int antt_log_level_parse(const char *s); /* -1 if unknown */
void antt_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 if a line of this level would be logged. */
int antt_log_enabled(int level);

/* Lower-case hex of n bytes into out (2n+1 bytes). Returns out. */
char *antt_hex(char *out, const uint8_t *in, size_t n);
/* Parse exactly 2n hex digits into out.  0 or -1. */
int antt_unhex(uint8_t *out, size_t n, const char *hex);

/* Wall clock, Unix seconds. */
int64_t antt_now(void);

/* Resolve path against the directory of base_file when it is relative.
 * Caller owns the returned string. */
char *antt_path_resolve(const char *base_file, const char *path);

/* Read a whole file (at most max bytes).  Caller owns *out (NUL-terminated). */
int antt_read_file(const char *path, size_t max, char **out, size_t *len, char *err);

/* Write a whole file atomically-ish: O_CREAT|O_EXCL with mode, write, fsync.
 * Fails with ANTT_E_EXISTS if the file exists. */
int antt_write_new_file(const char *path, const void *buf, size_t len, int mode, char *err);

void *antt_xmalloc(size_t n); /* out of memory aborts */
void *antt_xcalloc(size_t n, size_t sz);
void *antt_xrealloc(void *p, size_t n);
char *antt_xstrdup(const char *s);

#endif
