/* clock.h - the time sync's machines decide by: monotonic milliseconds,
 * read through one function so that a test can hold the clock in its hand.
 *
 * anttd never sets a clock of its own: the hub and the uplink read the
 * defaults below (antt_hub_set_clock, antt_uplink_set_clock are for the
 * unit tests, which advance time by hand instead of waiting for it). */
#ifndef ANTT_CLOCK_H
#define ANTT_CLOCK_H

#include <stdint.h>
#include <uv.h>

/* Monotonic milliseconds; arg is the clock's own (a loop, a test's state). */
typedef uint64_t (*antt_clock_fn)(void *arg);

/* The loop's cached time, uv_now(arg): arg is the uv_loop_t. */
static inline uint64_t antt_clock_loop(void *arg)
{
	return uv_now((uv_loop_t *)arg);
}

/* The monotonic clock read now (arg unused): uv_now() is the time the
 * loop iteration began, stale after a long piece of work in it. */
static inline uint64_t antt_clock_now(void *arg)
{
	(void)arg;
	return uv_hrtime() / 1000000;
}

#endif
