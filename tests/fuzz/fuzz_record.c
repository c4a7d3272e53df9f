/* fuzz_record: a signed record as it arrives from the network: the
 * envelope, then its body; a body that decodes must encode back to a body
 * that decodes to the same fields. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fuzz.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ANTT_ERR_MAX];
	uint8_t *body = NULL, sig[ANTT_SIG_BYTES];
	size_t blen = 0;
	const uint8_t *b = data;
	size_t bl = size;
	/* half the inputs as envelopes, all of them as bodies */
	if (antt_envelope_decode(data, size, &body, &blen, sig, err) == ANTT_OK)
		b = body, bl = blen;
	antt_body_t x = {0}, y = {0};
	if (antt_body_decode(b, bl, &x, err) == ANTT_OK) {
		uint8_t *enc = NULL;
		size_t elen = 0;
		if (antt_body_encode(&x, &enc, &elen, err) != ANTT_OK)
			abort(); /* what decodes must encode */
		if (antt_body_decode(enc, elen, &y, err) != ANTT_OK || y.seq != x.seq ||
		    y.n_values != x.n_values || strcmp(y.unit, x.unit) || strcmp(y.form, x.form) ||
		    memcmp(y.author, x.author, ANTT_KEY_BYTES))
			abort(); /* and decode again to the same */
		antt_body_clear(&y);
		free(enc);
	}
	antt_body_clear(&x);
	free(body);
	return 0;
}
