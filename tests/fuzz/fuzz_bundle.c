/* fuzz_bundle: a bundle file carried to a hub (antt bundle import): magic,
 * a zstd frame bounded by its stated size, a Bundle message. */
#include "bundle.h"
#include "common.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ANTT_ERR_MAX];
	Antt__Bundle *b = antt_bundle_parse(data, size, err);
	if (b)
		antt__bundle__free_unpacked(b, NULL);
	return 0;
}
