/*
 * minikernel/selfcheck.c - the image checks itself before touching any
 * device: CRC-32 (ISO-HDLC, as zlib's crc32) over [__check_start,
 * __check_end) - entry code, text and read-only data - against the value
 * minikernel/mkimage.c stored in .mkcheck after linking.
 */
#include "mk.h"

#define MK_CHECK_MAGIC	0x4b43484bu	/* "KHCK" */

struct mk_check {
	uint32_t magic;
	uint32_t crc;
	uint64_t length;
};

/* Filled in by mkimage; magic stays 0 in an image that skipped the step. */
__attribute__((section(".mkcheck"), used))
volatile struct mk_check mk_image_check = { 0, 0, 0 };

uint32_t mk_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

int selfcheck_run(void)
{
	uint64_t len = (uint64_t)(__check_end - __check_start);
	uint32_t crc;

	if (mk_image_check.magic != MK_CHECK_MAGIC) {
		kprintf("selfcheck: no checksum embedded (image not post-processed by mkimage)\n");
		return -RD_ECRC;
	}
	if (mk_image_check.length != len) {
		kprintf("selfcheck: checked length %lu, image says %lu\n",
			len, (uint64_t)mk_image_check.length);
		return -RD_ECRC;
	}
	crc = mk_crc32(0, __check_start, len);
	if (crc != mk_image_check.crc) {
		kprintf("selfcheck: image text/rodata crc32 %08x, expected %08x: image corrupted\n",
			crc, mk_image_check.crc);
		return -RD_ECRC;
	}
	kprintf("selfcheck: %lu bytes of text and rodata ok (crc32 %08x)\n", len, crc);
	return 0;
}
