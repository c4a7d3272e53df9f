/* watchdog.h - systemd's watchdog (WatchdogSec=), fed while work holds the
 * loop thread.  service.c arms it when the service manager asks for one
 * and feeds it from the loop; a module whose work can hold the loop for
 * long (a bulk submit, a rebuild, a large bundle) calls
 * antt_watchdog_keepalive as it makes progress.  It knows nothing of the
 * node: any module may use it. */
#ifndef ANTT_WATCHDOG_H
#define ANTT_WATCHDOG_H

#include <stdint.h>

/* Arm (period_ms > 0: WATCHDOG_USEC's period) or disarm (0). */
void antt_watchdog_arm(uint64_t period_ms);

/* WATCHDOG=1 now, when armed. */
void antt_watchdog_feed(void);

/* WATCHDOG=1 when armed and a quarter of the period has passed since the
 * last: cheap enough to call for every record of a long loop. */
void antt_watchdog_keepalive(void);

#endif
