/* fuzz_links: the links file between two unit lists (antt units import
 * --links).  What parses is sorted, each link once, and an old unit with a
 * full link has no other. */
#include <string.h>

#include "common.h"
#include "fuzz.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ANTT_ERR_MAX];
	antt_links_t l;
	if (antt_links_parse((const char *)data, size, &l, err) == ANTT_OK) {
		for (size_t i = 1; i < l.n; i++) {
			int c = strcmp(l.v[i - 1].old_code, l.v[i].old_code);
			if (!c)
				c = strcmp(l.v[i - 1].new_code, l.v[i].new_code);
			if (c >= 0)
				__builtin_trap(); /* sorted, no link twice */
			if (!strcmp(l.v[i - 1].old_code, l.v[i].old_code) &&
			    (l.v[i - 1].full || l.v[i].full))
				__builtin_trap(); /* a full link is the old unit's only one */
		}
		antt_links_clear(&l);
	}
	return 0;
}
