/* watchdog.c - systemd's watchdog, fed from wherever the loop is held
 * (watchdog.h).  anttd has one loop thread: the state is this file's. */
#include "watchdog.h"

#include <systemd/sd-daemon.h>
#include <uv.h>

static uint64_t s_period_ms; /* 0: not armed */
static uint64_t s_last_fed;  /* uv_hrtime() / 1e6 of the last WATCHDOG=1 */

void antt_watchdog_arm(uint64_t period_ms)
{
	s_period_ms = period_ms;
	s_last_fed = 0;
}

void antt_watchdog_feed(void)
{
	if (!s_period_ms)
		return;
	sd_notify(0, "WATCHDOG=1");
	s_last_fed = uv_hrtime() / 1000000;
}

void antt_watchdog_keepalive(void)
{
	if (s_period_ms && uv_hrtime() / 1000000 - s_last_fed >= s_period_ms / 4)
		antt_watchdog_feed();
}
