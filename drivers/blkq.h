/*
 * drivers/blkq.h - request-slot and tag bookkeeping shared by the polled
 * drivers (virtio-blk, AHCI, NVMe).
 *
 * A driver has `nslots` hardware request slots (virtqueue descriptor
 * groups, AHCI command slots, NVMe command ids). One submit_write takes one
 * or more slots and gets one tag; the tag completes when all its slots
 * have, with the first error any of them saw. Every slot carries a deadline
 * started when it was issued; every poll checks the oldest, so no wait is
 * unbounded. After a timeout or a protocol error the queue is marked failed
 * and every later call returns -RD_EIO at once.
 */
#ifndef RAWDUMP_BLKQ_H
#define RAWDUMP_BLKQ_H

#include <stdint.h>
#include "hw.h"

#define BLKQ_MAX_SLOTS		32
#define BLKQ_MAX_INFLIGHT	32
#define BLKQ_MAX_TAGS		(BLKQ_MAX_INFLIGHT + 1)	/* + one read or flush */

struct blkq_slot {
	int busy;
	long tag;
	struct hw_deadline deadline;
};

struct blkq_tag {
	int used;
	long tag;
	uint32_t pending;	/* slots not yet completed */
	int err;		/* first error of its slots */
};

struct blkq {
	const char *name;	/* driver name, for messages */
	uint32_t nslots, busy;
	uint32_t peak;		/* most slots busy at once */
	uint64_t issued;	/* slots issued */
	int failed;
	long next_tag;
	/* Driver's completion scan: calls blkq_complete for every finished
	 * slot; returns 0, or negative rd_err on a protocol violation. */
	int (*reap)(void *dev);
	void *dev;
	struct blkq_slot slot[BLKQ_MAX_SLOTS];
	struct blkq_tag tags[BLKQ_MAX_TAGS];
};

void blkq_init(struct blkq *q, const char *name, uint32_t nslots,
	       int (*reap)(void *dev), void *dev);
/* Mark the device failed (first reason is printed). */
void blkq_fail(struct blkq *q, const char *why);
/* Reserve a tag for a request that will take nreq slots, waiting (bounded)
 * until min(nreq, nslots) slots are free. Returns the tag or negative
 * rd_err. */
long blkq_begin(struct blkq *q, uint32_t nreq);
/* A free slot, polling (bounded) until one is: marks it busy for tag with
 * a deadline of limit_us named `what`. Returns the slot or negative
 * rd_err. A request with more parts than slots must have made its earlier
 * parts visible to the device (doorbell) before asking for the next. */
int  blkq_issue(struct blkq *q, long tag, const char *what, uint64_t limit_us);
/* From reap(): slot s finished with err (0 or negative rd_err). Returns
 * -RD_EIO if s was not busy (the device completed something twice). */
int blkq_complete(struct blkq *q, uint32_t s, int err);
/* Wait for tag and consume it: 0 or its first error. */
int blkq_wait(struct blkq *q, long tag);
/* Wait until no slot is busy (tags keep their results). */
int blkq_drain(struct blkq *q);
/* Print how many requests went out and how many were in flight at most. */
void blkq_report(const struct blkq *q);
/* Give back a tag whose slots were never issued (submit failed early). */
void blkq_abort(struct blkq *q, long tag);

#endif
