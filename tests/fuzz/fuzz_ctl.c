/* fuzz_ctl: the reports a client sends in a control request's second frame
 * (antt submit --file: one JSON object, an array, or JSON lines), walked as
 * anttd walks them; each report is printed back, as anttd then reads it. */
#include <jansson.h>
#include <stdlib.h>

#include "common.h"
#include "reports_json.h"
#include "fuzz.h"

static int s_each(json_t *report, size_t index, int more, void *arg, char *err)
{
	(void)index, (void)more, (void)arg, (void)err;
	free(json_dumps(report, JSON_COMPACT));
	return ANTT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ANTT_ERR_MAX];
	antt_reports_each((const char *)data, size, s_each, NULL, err);
	return 0;
}
