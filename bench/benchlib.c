/* benchlib.c - the helpers the benchmark programs of bench/ share (see
 * benchlib.h). */
#define _GNU_SOURCE
#include "benchlib.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *s_prog = "bench";
static void (*s_on_die)(void);
static int64_t s_say_t0;
static int s_say_quiet;

/* ---- errors and the temporary folder ---- */

void bench_setup(const char *prog, void (*on_die)(void))
{
	s_prog = prog;
	s_on_die = on_die;
}

void bench_die(const char *fmt, ...)
{
	va_list ap;
	void (*on_die)(void) = s_on_die;
	fprintf(stderr, "%s: ", s_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	s_on_die = NULL; /* a failure while cleaning up must not loop */
	if (on_die)
		on_die();
	exit(1);
}

void bench_print_log(const char *path, const char *fmt, ...)
{
	va_list ap;
	char line[1024];
	FILE *f = path[0] ? fopen(path, "r") : NULL;
	if (!f)
		return;
	fprintf(stderr, "%s: ", s_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(":\n", stderr);
	while (fgets(line, sizeof line, f))
		fprintf(stderr, "  %s", line);
	fclose(f);
}

void bench_mkdtemp(char *dir, size_t size, const char *tmpbase)
{
	const char *base = tmpbase ? tmpbase : getenv("TMPDIR");
	snprintf(dir, size, "%s/%s.XXXXXX", base && *base ? base : "/tmp", s_prog);
	if (!mkdtemp(dir)) {
		int e = errno;
		dir[0] = '\0';
		bench_die("cannot make a temporary folder: %s", strerror(e));
	}
}

static int s_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

void bench_rmtree(char *dir, int keep)
{
	if (!dir[0])
		return;
	if (keep)
		fprintf(stderr, "%s: kept %s\n", s_prog, dir);
	else if (nftw(dir, s_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		fprintf(stderr, "%s: could not remove %s: %s\n", s_prog, dir, strerror(errno));
	dir[0] = '\0';
}

void bench_unlink_db(const char *path)
{
	char f[PATH_MAX + 40];
	unlink(path);
	snprintf(f, sizeof f, "%s-wal", path);
	unlink(f);
	snprintf(f, sizeof f, "%s-shm", path);
	unlink(f);
}

/* ---- time ---- */

int64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double bench_since_s(int64_t t0)
{
	return (double)(bench_now_ns() - t0) / 1e9;
}

void bench_say_setup(int64_t t0, int quiet)
{
	s_say_t0 = t0;
	s_say_quiet = quiet;
}

void bench_say(const char *fmt, ...)
{
	va_list ap;
	if (s_say_quiet)
		return;
	fprintf(stderr, "[%6.1f s] ", bench_since_s(s_say_t0));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- statistics ---- */

static int s_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile (p in whole percent) of sorted v[0..n). */
static double s_pct(const double *v, size_t n, unsigned p)
{
	size_t k = (n * p + 99) / 100;
	return v[k ? k - 1 : 0];
}

bench_stats_t bench_stats(const double *v, size_t n)
{
	bench_stats_t s = {0};
	double sum = 0;
	if (!n)
		return s;
	double *c = malloc(n * sizeof *c);
	if (!c)
		abort();
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, s_cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += c[i];
	s.min = c[0];
	s.p50 = s_pct(c, n, 50);
	s.p90 = s_pct(c, n, 90);
	s.p99 = s_pct(c, n, 99);
	s.max = c[n - 1];
	s.mean = sum / (double)n;
	s.first = v[0];
	s.last = v[n - 1];
	free(c);
	return s;
}

/* ---- options ---- */

long bench_count_arg(const char *name, const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max) {
		if (max == LONG_MAX)
			fprintf(stderr, "%s: %s takes a number of %ld or more\n", s_prog, name,
			        min);
		else
			fprintf(stderr, "%s: %s takes a number from %ld to %ld\n", s_prog, name,
			        min, max);
		exit(2);
	}
	return v;
}

/* ---- child processes ---- */

int bench_wait(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			bench_die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* In a new child: stdin on /dev/null, stdout to outpath (truncated) and
 * stderr appended to errpath (either NULL: /dev/null), then argv. */
static void __attribute__((noreturn))
s_exec_child(char *const argv[], const char *outpath, const char *errpath)
{
	int nul = open("/dev/null", O_RDWR);
	int out = outpath ? open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600) : nul;
	int err = errpath ? open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0600) : nul;
	dup2(nul, 0);
	dup2(out < 0 ? nul : out, 1);
	dup2(err < 0 ? nul : err, 2);
	execv(argv[0], argv);
	_exit(127);
}

int bench_run(char *const argv[], const char *outpath, const char *errpath, double *ms)
{
	int64_t t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0)
		s_exec_child(argv, outpath, errpath);
	int rc = bench_wait(pid);
	if (ms)
		*ms = (double)(bench_now_ns() - t0) / 1e6;
	return rc;
}

pid_t bench_spawn(char *const argv[], const char *errpath)
{
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		s_exec_child(argv, NULL, errpath);
	}
	return pid;
}

/* ---- the machine and processes ---- */

void bench_cpu_model(char *cpu, size_t n)
{
	snprintf(cpu, n, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "model name", 10)) {
			char *v = strchr(line, ':');
			if (v) {
				v += 1 + (v[1] == ' ');
				v[strcspn(v, "\n")] = '\0';
				snprintf(cpu, n, "%s", v);
			}
			break;
		}
	}
	fclose(f);
}

double bench_machine_busy(double *steal)
{
	unsigned long long v[8] = {0};
	double hz = (double)sysconf(_SC_CLK_TCK), busy = -1;
	FILE *f = fopen("/proc/stat", "r");
	*steal = -1;
	if (!f)
		return -1;
	/* cpu user nice system idle iowait irq softirq steal */
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
	           &v[4], &v[5], &v[6], &v[7]) == 8) {
		busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
		*steal = (double)v[7] / hz;
	}
	fclose(f);
	return busy;
}

void bench_others_cpu(double busy0, double steal0, double *other_cpu, double *steal)
{
	double steal1, busy1 = bench_machine_busy(&steal1);
	*other_cpu = busy0 < 0 || busy1 < 0 ? -1 : busy1 - busy0 - bench_own_cpu();
	*steal = steal0 < 0 || steal1 < 0 ? -1 : steal1 - steal0;
	if (*other_cpu < 0 && busy0 >= 0)
		*other_cpu = 0; /* clock-tick rounding */
}

double bench_rusage_s(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

double bench_self_cpu(void)
{
	struct rusage self;
	getrusage(RUSAGE_SELF, &self);
	return bench_rusage_s(&self);
}

double bench_own_cpu(void)
{
	struct rusage kids;
	getrusage(RUSAGE_CHILDREN, &kids);
	return bench_self_cpu() + bench_rusage_s(&kids);
}

long bench_vmhwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

const char *bench_source(void)
{
	const char *source = getenv("ANTT_BENCH_SOURCE");
	return source && *source ? source : NULL;
}

/* ---- the built binaries ---- */

void bench_self_path(char self[PATH_MAX], const char *give)
{
	ssize_t n = readlink("/proc/self/exe", self, PATH_MAX - 1);
	if (n < 0)
		bench_die("cannot find my own path: %s; give %s", strerror(errno), give);
	self[n] = '\0';
}

void bench_find_binaries(const char **antt, const char **anttd, char antt_buf[PATH_MAX],
                         char anttd_buf[PATH_MAX])
{
	if (!*antt || !*anttd) {
		char self[PATH_MAX];
		bench_self_path(self, "--antt and --anttd");
		char *top = dirname(dirname(self)); /* build/bench/antt-bench -> build */
		if (!*antt) {
			snprintf(antt_buf, PATH_MAX, "%s/antt", top);
			*antt = antt_buf;
		}
		if (!*anttd) {
			snprintf(anttd_buf, PATH_MAX, "%s/anttd", top);
			*anttd = anttd_buf;
		}
	}
	if (access(*antt, X_OK) || access(*anttd, X_OK))
		bench_die("need the antt and anttd binaries (%s, %s): build the project, or give "
		          "--antt and --anttd",
		          *antt, *anttd);
}
