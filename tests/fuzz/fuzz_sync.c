/* fuzz_sync: a sync message from a peer (proto/antt.proto SyncMsg), and
 * the Records a compressed batch unpacks to. */
#include "antt.pb-c.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Antt__SyncMsg *m = antt__sync_msg__unpack(NULL, size, data);
	if (m)
		antt__sync_msg__free_unpacked(m, NULL);
	Antt__Records *r = antt__records__unpack(NULL, size, data);
	if (r)
		antt__records__free_unpacked(r, NULL);
	return 0;
}
