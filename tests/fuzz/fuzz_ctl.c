/* fuzz_ctl: the reports a client sends in a control request's second frame
 * (antt submit --file: one JSON object, an array, or JSON lines). */
#include <jansson.h>

#include "common.h"
#include "ctlproto.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ANTT_ERR_MAX];
	json_t *out = NULL;
	if (antt_reports_parse((const char *)data, size, &out, err) == ANTT_OK)
		json_decref(out);
	return 0;
}
