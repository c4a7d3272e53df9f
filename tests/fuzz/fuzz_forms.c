/* fuzz_forms: a form file (JSON) in the forms folder. */
#include <stdio.h>

#include "common.h"
#include "forms.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128], err[ANTT_ERR_MAX];
	snprintf(path, sizeof path, "%s/form.json", fuzz_tmpdir());
	if (fuzz_write(path, data, size))
		return 0;
	antt_forms_t *f = NULL;
	if (antt_forms_load(fuzz_tmpdir(), &f, err) == ANTT_OK)
		antt_forms_destroy(&f);
	return 0;
}
