/* tree_bench.c - antt-tree-bench: how fast records move up a tree of anttd,
 * and what they cost on the wire.
 *
 * One run measures, on this machine:
 *   b. end to end: province <- district <- commune, three real anttd on
 *      loopback ('antt init --listen/--parent/--parent-key', each child
 *      enrolled at its parent), 'antt submit --file' of N reports at the
 *      commune, timed from the start of the submit until the province
 *      holds them all ("records" of the control socket's status op, what
 *      'antt status --json' prints, polled every --poll-ms);
 *   c. bytes on the wire between commune and district for those N
 *      records: the commune's parent is a TCP relay inside the bench that
 *      forwards to the district and counts the bytes each way (everything
 *      on the TCP stream: ZMTP, CURVE, the sync messages, heartbeats),
 *      from the start of the submit until the commune has the province's
 *      receipt for its last record.  Compared with the records' envelope
 *      bytes (Envelope{body, sig}, as read from the commune's store).
 *
 * Everything happens in a temporary folder under $TMPDIR (else /tmp),
 * removed at the end (--keep leaves it).  If the bench dies, its anttd get
 * SIGTERM (PR_SET_PDEATHSIG).  --perf DIR records the three nodes with
 * 'perf record -g' during (b).
 *
 *     bench/run.sh --tree          # Release build into build-bench, then run
 *     build-bench/bench/antt-tree-bench [--json] [-n 100000]
 *
 * Checks: the province and district hold exactly what was submitted, and
 * every anttd exits 0 on SIGTERM.  Exit code: 0 when it all ran, 1 when
 * something failed, 2 on a usage error. */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "benchlib.h"
#include "synclib.h"

static void s_usage(FILE *f)
{
	fprintf(f, "usage: antt-tree-bench [options]\n"
	           "  -n, --records N    reports submitted at the commune (100000)\n"
	           "      --poll-ms MS   how often the tree's record counts are polled (50)\n"
	           "      --perf DIR     'perf record -g' the three nodes from the submit until\n"
	           "                     the province holds all into DIR/tree.perf.data\n"
	           "                     ($ANTT_PERF_CALLGRAPH=dwarf: --call-graph=dwarf;\n"
	           "                     profiling slows what it measures)\n"
	           "      --timeout S    give up on the tree after S s (900)\n");
	synclib_usage_common(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    SYNCLIB_OPTIONS,
	    {"poll-ms", required_argument, NULL, SYNCLIB_O_POLL},
	    {"perf", required_argument, NULL, SYNCLIB_O_PERF},
	    {"timeout", required_argument, NULL, SYNCLIB_O_TIMEOUT},
	    {0}};
	synclib_setup("antt-tree-bench");
	synclib_opts_t o = {.n = 100000, .poll_ms = 50, .timeout_s = 900};
	synclib_options(argc, argv, "n:h", opts, &o, NULL, s_usage);

	synclib_run_t run;
	synclib_start(&o, &run);

	/* b, c. the tree */
	synclib_tree_t tree = {0};
	bench_say("tree: commune -> relay -> district -> province, %ld records...\n", o.n);
	synclib_tree_cfg_t cfg = {.relay = 1};
	synclib_tree(o.n, &cfg, &tree);

	synclib_machine_t mach;
	synclib_machine(&run, &mach);
	if (o.json) {
		json_t *j = json_object();
		if (mach.source)
			json_object_set_new(j, "source", json_string(mach.source));
		json_object_set_new(
		    j, "machine",
		    json_pack("{s:s, s:I, s:s, s:s, s:s, s:f, s:f, s:f}", "cpu", run.cpu, "nproc",
		              (json_int_t)mach.ncpu, "libsodium", sodium_version_string(), "sqlite",
		              sqlite3_libversion(), "libzmq", mach.zmq, "run_s", mach.run_s,
		              "other_cpu_s", mach.other_cpu, "steal_s", mach.steal));
		json_object_set_new(j, "params",
		                    json_pack("{s:I, s:I}", "records", (json_int_t)o.n, "poll_ms",
		                              (json_int_t)o.poll_ms));
		json_object_set_new(
		    j, "tree",
		    json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:{s:f, s:f, s:f}, s:I, "
		              "s:f}",
		              "jsonl_bytes", (json_int_t)tree.jsonl_bytes, "submit_returned_s",
		              tree.submit_s, "district_holds_all_s", tree.district_s,
		              "province_holds_all_s", tree.province_s, "receipts_at_commune_s",
		              tree.receipts_s, "records_per_s", tree.rps,
		              "after_submit_records_per_s", tree.sync_rps, "cpu_s", "commune",
		              tree.cpu_commune, "district", tree.cpu_district, "province",
		              tree.cpu_province, "status_polls", (json_int_t)tree.polls,
		              "status_poll_ms_mean", tree.poll_ms_mean));
		json_object_set_new(json_object_get(j, "tree"), "unaudited_when_held",
		                    json_pack("{s:I, s:I}", "district",
		                              (json_int_t)tree.unaudited_d, "province",
		                              (json_int_t)tree.unaudited_p));
		json_object_set_new(
		    j, "wire",
		    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f}",
		              "measured", "TCP relay in the bench, commune <-> district",
		              "connections", (json_int_t)tree.conns, "up_bytes",
		              (json_int_t)tree.up, "up_bytes_until_province_held",
		              (json_int_t)tree.up_to_province, "down_bytes", (json_int_t)tree.down,
		              "envelope_bytes", (json_int_t)tree.env_bytes, "envelope_avg_bytes",
		              tree.env_avg, "body_avg_bytes", tree.body_avg, "up_per_record",
		              (double)tree.up / (double)o.n, "down_per_record",
		              (double)tree.down / (double)o.n, "up_over_envelope",
		              (double)tree.up / (double)tree.env_bytes, "down_over_envelope",
		              (double)tree.down / (double)tree.env_bytes));
		json_dumpf(j, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("antt-tree-bench: %s, %ld CPU(s); libsodium %s, SQLite %s, libzmq %s%s%s\n",
		       run.cpu, mach.ncpu, sodium_version_string(), sqlite3_libversion(), mach.zmq,
		       mach.source ? "; source " : "", mach.source ? mach.source : "");
		printf("run took %.1f s; other processes used %.1f CPU-s meanwhile, steal %.1f s "
		       "(well above 0: the figures are skewed)\n",
		       mach.run_s, mach.other_cpu, mach.steal);
		printf("\n(b) commune -> district -> province, %ld reports, 'antt submit "
		       "--file' at the commune (%.1f MB)\n",
		       o.n, (double)tree.jsonl_bytes / 1e6);
		printf("  %-50s %8.2f s\n", "submit returned (commune holds all)", tree.submit_s);
		printf("  %-50s %8.2f s\n", "district holds all", tree.district_s);
		printf("  %-50s %8.2f s %10.0f records/s\n", "province holds all", tree.province_s,
		       tree.rps);
		printf("  %-50s %8.2f s %10.0f records/s\n", "  of which after the submit returned",
		       tree.province_s - tree.submit_s, tree.sync_rps);
		printf("  %-50s %8.2f s\n", "commune has the province's receipt", tree.receipts_s);
		printf("  signatures not yet audited when the province held all: district "
		       "%ld, province %ld\n",
		       tree.unaudited_d, tree.unaudited_p);
		printf("  CPU-s meanwhile: commune %.2f, district %.2f, province %.2f\n",
		       tree.cpu_commune, tree.cpu_district, tree.cpu_province);
		printf("  (record counts polled every %ld ms: %ld status requests, %.1f ms "
		       "each on average)\n",
		       o.poll_ms, tree.polls, tree.poll_ms_mean);
		printf("\n(c) TCP bytes commune <-> district (relay in the bench, %d "
		       "connection(s)), submit to receipt\n",
		       tree.conns);
		printf("  %-28s %12" PRIu64 " bytes %8.1f /record %7.3f x envelope\n",
		       "up (commune -> district)", tree.up, (double)tree.up / (double)o.n,
		       (double)tree.up / (double)tree.env_bytes);
		printf("  %-28s %12" PRIu64 " bytes %8.1f /record %7.3f x envelope\n",
		       "down (district -> commune)", tree.down, (double)tree.down / (double)o.n,
		       (double)tree.down / (double)tree.env_bytes);
		printf("  envelope (signed record) %.1f bytes on average, body %.1f\n",
		       tree.env_avg, tree.body_avg);
	}
	synclib_end();
	return 0;
}
