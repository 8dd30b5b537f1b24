/*
 * drivers/blkq.c - request-slot and tag bookkeeping for the polled drivers
 * (see blkq.h). Single-threaded, interrupts off: all progress comes from
 * the driver's reap() called in the bounded poll loop below.
 */
#include "hw.h"
#include "blkq.h"
#include "rawdump/err.h"

void blkq_init(struct blkq *q, const char *name, uint32_t nslots,
	       int (*reap)(void *dev), void *dev)
{
	memset(q, 0, sizeof(*q));
	q->name = name;
	q->nslots = nslots > BLKQ_MAX_SLOTS ? BLKQ_MAX_SLOTS : nslots;
	q->reap = reap;
	q->dev = dev;
}

void blkq_fail(struct blkq *q, const char *why)
{
	if (!q->failed)
		kprintf("%s: %s; device abandoned\n", q->name, why);
	q->failed = 1;
}

static struct blkq_tag *blkq_tag_find(struct blkq *q, long tag)
{
	int i;

	for (i = 0; i < BLKQ_MAX_TAGS; i++)
		if (q->tags[i].used && q->tags[i].tag == tag)
			return &q->tags[i];
	return 0;
}

/* 0 while the oldest slot in flight is within its deadline. Waiting with
 * nothing in flight could never end: that is an error too. */
static int blkq_check_deadline(struct blkq *q)
{
	struct blkq_slot *oldest = 0;
	uint32_t i;

	for (i = 0; i < q->nslots; i++)
		if (q->slot[i].busy &&
		    (!oldest || q->slot[i].deadline.start_us < oldest->deadline.start_us))
			oldest = &q->slot[i];
	if (!oldest) {
		blkq_fail(q, "waiting for a request that is not in flight");
		return -RD_EIO;
	}
	if (hw_deadline_expired(&oldest->deadline)) {
		blkq_fail(q, "request timed out");
		return -RD_ETIMEDOUT;
	}
	return 0;
}

/* Poll until at most max_busy slots are busy and, if t, t has no pending slot. */
static int blkq_poll(struct blkq *q, uint32_t max_busy, const struct blkq_tag *t)
{
	int r;

	for (;;) {
		if (q->failed)
			return -RD_EIO;
		r = q->reap(q->dev);
		if (r) {
			blkq_fail(q, rd_strerror(r));
			return -RD_EIO;
		}
		if (q->busy <= max_busy && (!t || t->pending == 0))
			return 0;
		r = blkq_check_deadline(q);
		if (r)
			return r;
		hw_pause();
	}
}

long blkq_begin(struct blkq *q, uint32_t nreq)
{
	struct blkq_tag *t = 0;
	long tag;
	int i, r;

	if (q->failed)
		return -RD_EIO;
	if (nreq == 0)
		return -RD_EINVAL;
	for (i = 0; i < BLKQ_MAX_TAGS && !t; i++)
		if (!q->tags[i].used)
			t = &q->tags[i];
	if (!t) {
		kprintf("%s: more than %u requests outstanding\n", q->name, BLKQ_MAX_TAGS);
		return -RD_EINVAL;
	}
	r = blkq_poll(q, nreq < q->nslots ? q->nslots - nreq : 0, 0);
	if (r)
		return r;
	tag = q->next_tag;
	q->next_tag = q->next_tag + 1 < 0 ? 0 : q->next_tag + 1;
	t->used = 1;
	t->tag = tag;
	t->pending = nreq;
	t->err = 0;
	return tag;
}

int blkq_issue(struct blkq *q, long tag, const char *what, uint64_t limit_us)
{
	uint32_t s;
	int r;

	r = blkq_poll(q, q->nslots - 1, 0);
	if (r)
		return r;
	for (s = 0; s < q->nslots; s++)
		if (!q->slot[s].busy)
			break;
	q->slot[s].busy = 1;
	q->slot[s].tag = tag;
	hw_deadline_start(&q->slot[s].deadline, what, limit_us);
	q->busy++;
	q->issued++;
	if (q->busy > q->peak)
		q->peak = q->busy;
	return (int)s;
}

int blkq_complete(struct blkq *q, uint32_t s, int err)
{
	struct blkq_tag *t;

	if (s >= q->nslots || !q->slot[s].busy)
		return -RD_EIO;
	q->slot[s].busy = 0;
	q->busy--;
	t = blkq_tag_find(q, q->slot[s].tag);
	if (t) {
		if (err && !t->err)
			t->err = err;
		if (t->pending)
			t->pending--;
	}
	return 0;
}

int blkq_wait(struct blkq *q, long tag)
{
	struct blkq_tag *t = blkq_tag_find(q, tag);
	int r;

	if (!t)
		return -RD_EINVAL;
	r = blkq_poll(q, q->nslots, t);
	if (r == 0)
		r = t->err;
	t->used = 0;
	return r;
}

int blkq_drain(struct blkq *q)
{
	return blkq_poll(q, 0, 0);
}

void blkq_report(const struct blkq *q)
{
	kprintf("%s: drained: %lu requests so far, at most %u in flight at once\n",
		q->name, (unsigned long)q->issued, q->peak);
}

void blkq_abort(struct blkq *q, long tag)
{
	struct blkq_tag *t = blkq_tag_find(q, tag);

	if (t)
		t->used = 0;
}
