/* fuzz_credentials: the chain of enrollments a parent hands its child in
 * Heads, or a store keeps (meta "credentials"). */
#include "common.h"
#include "fuzz.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t self[ANTT_KEY_BYTES] = {1, 2, 3};
	uint8_t top[ANTT_KEY_BYTES];
	char chain[160], err[ANTT_ERR_MAX];
	antt_credentials_check(data, size, self, NULL, top, chain, sizeof chain, err);
	antt_credentials_check(data, size, self, self, top, chain, sizeof chain, err);
	return 0;
}
