/* fuzz_config: anttd.conf as an admin may write it. */
#include <stdio.h>

#include "common.h"
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128], err[ANTT_ERR_MAX];
	snprintf(path, sizeof path, "%s/anttd.conf", fuzz_tmpdir());
	if (fuzz_write(path, data, size))
		return 0;
	antt_config_t *c = NULL;
	if (antt_config_load(path, &c, err) == ANTT_OK)
		antt_config_destroy(&c);
	return 0;
}
