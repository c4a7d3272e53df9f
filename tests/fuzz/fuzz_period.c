/* fuzz_period: a period as a user types it (2025-05, 2025-06-02, 2025-Q2,
 * 2025). */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fuzz.h"
#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ANTT_ERR_MAX];
	if (size > 64)
		return 0;
	char s[65];
	memcpy(s, data, size);
	s[size] = '\0';
	int k = antt_period_classify(s);
	if (k >= 0) {
		int d0 = 0, d1 = 0;
		if (antt_period_check((antt_period_kind)k, s, err) != ANTT_OK)
			abort(); /* what is classified as a kind is a valid period of it */
		if (antt_period_days(s, &d0, &d1) == 0 && d1 < d0)
			abort();
	}
	return 0;
}
