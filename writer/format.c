/*
 * writer/format.c - header sealing and checking, the one
 * partition bounds check, error strings. Freestanding: shared by the
 * minikernel, the simulator and the rawdump tool.
 */
#include "writer.h"

static int rd_memeq(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	while (n--)
		if (*x++ != *y++)
			return 0;
	return 1;
}

/* Checksum (kind: enum rd_csum_kind) of a structure whose last field is
 * its uint32_t checksum, computed in one piece with that field zero. */
#define RD_SEALED_MAX	sizeof(struct rd_dump_header)
static uint32_t rd_sealed_crc(uint32_t kind, const void *h, size_t size)
{
	uint8_t tmp[RD_SEALED_MAX];

	__builtin_memcpy(tmp, h, size - 4);
	__builtin_memset(tmp + size - 4, 0, 4);
	return rd_csum(kind, 0, tmp, size);
}

static uint32_t rd_stored_crc(const void *h, size_t size)
{
	uint32_t crc;

	__builtin_memcpy(&crc, (const uint8_t *)h + size - 4, 4);
	return crc;
}

_Static_assert(offsetof(struct rd_part_header, header_crc) + 4 == sizeof(struct rd_part_header),
	       "part header crc last");
_Static_assert(offsetof(struct rd_dump_header, header_crc) + 4 == sizeof(struct rd_dump_header),
	       "dump header crc last");
_Static_assert(offsetof(struct rd_block_header, header_crc) + 4 == sizeof(struct rd_block_header),
	       "block header crc last");
_Static_assert(sizeof(struct rd_part_header) <= RD_SEALED_MAX &&
	       sizeof(struct rd_block_header) <= RD_SEALED_MAX, "sealed size");

void rd_part_header_seal(struct rd_part_header *h)
{
	h->header_crc = rd_sealed_crc(RD_CSUM_CRC32, h, sizeof(*h));
}

int rd_part_slot_is_ours(const uint8_t *slot)
{
	size_t i;

	if (rd_memeq(slot, RD_PART_MAGIC, 8))
		return 1;
	for (i = 0; i < RD_SLOT_SIZE; i++)
		if (slot[i])
			return 0;
	return 1;
}

/* What the partition and dump headers share: magic, the CRC-32 over the
 * sealed header of size bytes, a version this code reads, the header size. */
static int rd_header_check_common(const void *h, size_t size, const uint8_t magic[8],
				  const char *want, uint32_t version, uint32_t header_size)
{
	if (!rd_memeq(magic, want, 8))
		return -RD_ENOSIG;
	if (rd_sealed_crc(RD_CSUM_CRC32, h, size) != rd_stored_crc(h, size))
		return -RD_ECRC;
	if (version < RD_FORMAT_VERSION_MIN || version > RD_FORMAT_VERSION || header_size != size)
		return -RD_EVERSION;
	return 0;
}

int rd_part_header_check(const struct rd_part_header *h)
{
	int rc = rd_header_check_common(h, sizeof(*h), h->magic, RD_PART_MAGIC,
					h->version, h->header_size);

	if (rc)
		return rc;
	if (h->state > RD_STATE_CLEARED || h->part_size < RD_MIN_PART_SIZE)
		return -RD_EINVAL;
	return 0;
}

void rd_dump_header_seal(struct rd_dump_header *h)
{
	h->header_crc = rd_sealed_crc(RD_CSUM_CRC32, h, sizeof(*h));
}

int rd_dump_header_check(const struct rd_dump_header *h)
{
	return rd_header_check_common(h, sizeof(*h), h->magic, RD_DUMP_MAGIC,
				      h->version, h->header_size);
}

void rd_block_header_seal(struct rd_block_header *h)
{
	h->header_crc = rd_sealed_crc(RD_BLK_CSUM(h->flags), h, sizeof(*h));
}

int rd_block_header_check(const struct rd_block_header *h)
{
	if (h->magic != RD_BLOCK_MAGIC)
		return -RD_ENOSIG;
	if (RD_BLK_CSUM(h->flags) > RD_CSUM_MAX)
		return -RD_EINVAL;
	if (rd_sealed_crc(RD_BLK_CSUM(h->flags), h, sizeof(*h)) != rd_stored_crc(h, sizeof(*h)))
		return -RD_ECRC;
	if (h->type < RD_BLK_RAW || h->type > RD_BLK_TYPE_MAX)
		return -RD_EINVAL;
	return 0;
}

int rd_sink_check(const struct rd_sink *s, uint64_t off, uint64_t len)
{
	if (len == 0 || (off % RD_BLOCK_ALIGN) || (len % RD_BLOCK_ALIGN))
		return -RD_EBOUNDS;
	if (off > s->size || len > s->size - off)
		return -RD_EBOUNDS;
	return 0;
}

int rd_sink_read(const struct rd_sink *s, uint64_t off, void *buf, uint32_t len)
{
	int err = rd_sink_check(s, off, len);

	return err ? err : s->read(s->ctx, off, buf, len);
}

long rd_sink_submit(const struct rd_sink *s, uint64_t off, const void *buf, uint32_t len)
{
	int err = rd_sink_check(s, off, len);

	return err ? err : s->submit(s->ctx, off, buf, len);
}

/* The request shape writer.h promises a submitv() sink (RD_IOV_*). */
static int rd_iov_shape(const struct rd_iov *iov, uint32_t n, uint64_t *total)
{
	uint32_t i;

	*total = 0;
	if (n == 0 || n > RD_IOV_MAX)
		return -RD_EINVAL;
	for (i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)iov[i].base, e = a + iov[i].len;

		if (!iov[i].len || ((a | iov[i].len) & 1) ||
		    (i > 0 && a % RD_IOV_PAGE) || (i + 1 < n && e % RD_IOV_PAGE))
			return -RD_EINVAL;
		*total += iov[i].len;
	}
	return 0;
}

long rd_sink_submitv(const struct rd_sink *s, uint64_t off, const struct rd_iov *iov, uint32_t n)
{
	uint64_t len;
	int err = rd_iov_shape(iov, n, &len);

	if (!err)
		err = rd_sink_check(s, off, len);
	if (!err && (!s->submitv || len > UINT32_MAX))
		err = -RD_EINVAL;
	return err ? err : s->submitv(s->ctx, off, iov, n);
}

const char *rd_strerror(int err)
{
	static const char *const msg[] = {
		[RD_OK] = "success",
		[RD_EIO] = "device I/O error",
		[RD_ETIMEDOUT] = "device timed out",
		[RD_EBOUNDS] = "access outside the partition refused",
		[RD_ENOSIG] = "no rawdump signature",
		[RD_EUUID] = "partition UUID does not match",
		[RD_ESIZE] = "partition size does not match",
		[RD_ENOSPC] = "partition too small",
		[RD_EINVAL] = "invalid argument or malformed data",
		[RD_ENOMEM] = "work area too small",
		[RD_ECOMPRESS] = "compression failed",
		[RD_EVERSION] = "unsupported format version",
		[RD_EFOREIGN] = "the partition was reused: no rawdump header, other data at its start",
		[RD_ECRC] = "checksum mismatch",
	};

	if (err < 0)
		err = -err;
	if ((size_t)err >= sizeof(msg) / sizeof(msg[0]) || !msg[err])
		return "unknown error";
	return msg[err];
}
