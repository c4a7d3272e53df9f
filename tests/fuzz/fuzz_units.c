/* fuzz_units: the administrative units CSV (antt units import). */
#include "common.h"
#include "fuzz.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ANTT_ERR_MAX];
	antt_units_t u;
	if (antt_units_parse((const char *)data, size, &u, err) == ANTT_OK) {
		for (size_t i = 0; i < u.n; i++)
			if (antt_units_find(&u, u.v[i].code) < 0)
				__builtin_trap(); /* every unit parsed is found */
		antt_units_clear(&u);
	}
	return 0;
}
