/* store_reports.h - what a hub's officers ask of its consolidated store: totals
 * per indicator, unit and period (report), who has not reported (missing),
 * every version of a report (history) and a flat export.  Read-only, on a
 * connection of their own in the thread pool: they never block intake.
 * docs/reports.md describes the answers. */
#ifndef ANTT_STORE_REPORTS_H
#define ANTT_STORE_REPORTS_H

#include <jansson.h>

#include "config.h"
#include "forms.h"
#include "store.h"

/* Is op one of the read-only report operations? */
int antt_store_reports_is_op(const char *op);

/* What a node's reports answer from besides the store. */
typedef struct {
	const antt_forms_t *forms;
	const char *node_unit;               /* the node's own unit: the default scope */
	const antt_unit_ref_t *not_expected; /* units missing does not expect */
	size_t n_not_expected;
} antt_reports_ctx_t;

/* Answer req (op report, missing, history or export) from s, a read-only
 * connection.  Returns the reply; on a bad request or a store error, an
 * error reply. */
json_t *antt_store_reports_answer(antt_store_t *s, const antt_reports_ctx_t *ctx,
                                  const json_t *req);

#endif
