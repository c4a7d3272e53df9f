/* fuzz_sync: a sync message from a peer (proto/antt.proto SyncMsg) as both
 * sides read it (proto/codec.h), the records of a Batch in either form,
 * and the bytes as a compressed Records frame. */
#include "antt.pb-c.h"
#include "codec.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Antt__SyncMsg *m = antt_codec_sync_msg(data, size);
	if (m) {
		antt_codec_batch_t b;
		if (m->msg_case == ANTT__SYNC_MSG__MSG_BATCH &&
		    !antt_codec_batch_open(m->batch, &b))
			antt_codec_batch_release(&b);
		antt__sync_msg__free_unpacked(m, NULL);
	}
	Antt__Batch zb = ANTT__BATCH__INIT;
	zb.zrecords.data = (uint8_t *)data;
	zb.zrecords.len = size;
	antt_codec_batch_t b;
	if (!antt_codec_batch_open(&zb, &b))
		antt_codec_batch_release(&b);
	return 0;
}
