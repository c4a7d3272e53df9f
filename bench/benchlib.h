/* benchlib.h - what the benchmark programs of bench/ share: fatal errors
 * that clean up first, a temporary folder, the monotonic clock, statistics
 * over timings, child commands run and timed, what /proc says about the
 * machine and a process, and the built antt and anttd found beside the
 * bench.  Only libc: antt-mosq-bench links it without anttcore.
 *
 * Messages start with the program's name, given once to bench_setup at the
 * top of main. */
#ifndef ANTT_BENCHLIB_H
#define ANTT_BENCHLIB_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* ---- errors and the temporary folder ---- */

/* prog: the name messages start with ("antt-bench"); on_die: what
 * bench_die runs before it exits (print logs, stop children, remove the
 * temporary folder), NULL for nothing. */
void bench_setup(const char *prog, void (*on_die)(void));

/* "PROG: message" on stderr, then on_die (once), then exit(1). */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* When the file at path can be read: "PROG: header:" on stderr, then each
 * of its lines indented by two spaces.  Nothing when path is "" or cannot
 * be opened. */
void bench_print_log(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A new folder PROG.XXXXXX under tmpbase (NULL or "": $TMPDIR, else /tmp),
 * its path into dir[0..size).  Dies if it cannot be made, dir then "". */
void bench_mkdtemp(char *dir, size_t size, const char *tmpbase);

/* Removes the folder dir and all below it, or with keep says on stderr that
 * it is kept; either way dir becomes "".  Nothing when dir is "". */
void bench_rmtree(char *dir, int keep);

/* Removes an SQLite database and its -wal and -shm files. */
void bench_unlink_db(const char *path);

/* ---- time ---- */

/* CLOCK_MONOTONIC in ns. */
int64_t bench_now_ns(void);

/* Seconds since t0 (from bench_now_ns). */
double bench_since_s(int64_t t0);

/* Progress from bench_say: times from t0, nothing at all when quiet. */
void bench_say_setup(int64_t t0, int quiet);

/* Progress on stderr, after the seconds since bench_say_setup's t0. */
void bench_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs op in batches of 256 until seconds have passed; operations/s. */
#define BENCH_RATE(seconds, op)                                                                    \
	({                                                                                         \
		int64_t t0_ = bench_now_ns(), t_ = t0_, lim_ = (int64_t)((seconds)*1e9);           \
		uint64_t n_ = 0;                                                                   \
		while (t_ - t0_ < lim_) {                                                          \
			for (int k_ = 0; k_ < 256; k_++) {                                         \
				op;                                                                \
			}                                                                          \
			n_ += 256;                                                                 \
			t_ = bench_now_ns();                                                       \
		}                                                                                  \
		(double)n_ / ((double)(t_ - t0_) / 1e9);                                           \
	})

/* ---- statistics ---- */

typedef struct {
	double min, p50, p90, p99, max, mean; /* over the values sorted */
	double first, last;                   /* v[0] and v[n - 1] as given */
} bench_stats_t;

/* The statistics of v[0..n) (all 0 when n is 0); v is left as it is.
 * Percentiles are nearest-rank: p50 is the lower of the two middle values
 * when n is even. */
bench_stats_t bench_stats(const double *v, size_t n);

/* ---- options ---- */

/* The whole number s for option name, from min to max; on anything else a
 * message on stderr ("a number of MIN or more" when max is LONG_MAX) and
 * exit(2). */
long bench_count_arg(const char *name, const char *s, long min, long max);

/* ---- child processes ---- */

/* Waits for the child pid: its exit status, -1 if it did not exit
 * normally. */
int bench_wait(pid_t pid);

/* Runs argv (argv[0] a path) with stdin on /dev/null, stdout to outpath
 * (truncated) and stderr appended to errpath (either NULL: /dev/null).  Its
 * exit status (-1 if it did not exit normally); when ms is not NULL, the
 * time from fork to reaping in *ms. */
int bench_run(char *const argv[], const char *outpath, const char *errpath, double *ms);

/* Starts argv (argv[0] a path) in the background with stdin and stdout on
 * /dev/null and stderr appended to errpath (NULL: /dev/null); it gets
 * SIGTERM if the bench dies.  Its pid, for the caller to reap. */
pid_t bench_spawn(char *const argv[], const char *errpath);

/* ---- the machine and processes ---- */

/* The CPU's model name from /proc/cpuinfo into cpu[0..n), else "unknown". */
void bench_cpu_model(char *cpu, size_t n);

/* Busy and (in *steal) stolen CPU time of the whole machine so far, in
 * seconds, from /proc/stat; -1 if unknown. */
double bench_machine_busy(double *steal);

/* CPU seconds used by this process and its reaped children. */
double bench_own_cpu(void);

/* What other processes used since busy0 and steal0 were read with
 * bench_machine_busy: *other_cpu, the machine's busy seconds less
 * bench_own_cpu (never below 0 when busy0 was known), and *steal, the
 * seconds stolen; -1 for what is unknown. */
void bench_others_cpu(double busy0, double steal0, double *other_cpu, double *steal);

/* User + system seconds of a struct rusage. */
double bench_rusage_s(const struct rusage *ru);

/* CPU seconds used by this process (not its children). */
double bench_self_cpu(void);

/* Peak resident memory of a process (VmHWM of /proc/PID/status), in kB; -1
 * if unknown. */
long bench_vmhwm_kb(pid_t pid);

/* $ANTT_BENCH_SOURCE (bench/run.sh sets it to 'git describe'), NULL when
 * unset or empty. */
const char *bench_source(void);

/* ---- the built binaries ---- */

/* This program's own path, from /proc/self/exe; dies saying what to give
 * instead (e.g. "--mosq-bench") if it cannot be read. */
void bench_self_path(char self[PATH_MAX], const char *give);

/* *antt and *anttd, those not given (NULL), set to antt and anttd at the top
 * of the build tree, one folder above this program's own (build/antt for
 * build/bench/antt-bench), in antt_buf and anttd_buf; dies unless both can
 * be run. */
void bench_find_binaries(const char **antt, const char **anttd, char antt_buf[PATH_MAX],
                         char anttd_buf[PATH_MAX]);

#endif
