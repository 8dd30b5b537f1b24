/*
 * include/rawdump/err.h - the error codes of the freestanding code (writer/,
 * drivers/, minikernel/) and of the host tools that run the same checks.
 * Functions return 0 or a negative enum rd_err; rd_strerror (writer/format.c,
 * built for the minikernel and the host) names one.
 */
#ifndef RAWDUMP_ERR_H
#define RAWDUMP_ERR_H

enum rd_err {
	RD_OK = 0,
	RD_EIO = 1,		/* device reported an error */
	RD_ETIMEDOUT = 2,	/* device did not complete in time */
	RD_EBOUNDS = 3,		/* access outside the partition refused */
	RD_ENOSIG = 4,		/* no rawdump signature on the partition */
	RD_EUUID = 5,		/* partition UUID is not the expected one */
	RD_ESIZE = 6,		/* partition size differs from the header's */
	RD_ENOSPC = 7,		/* metadata does not fit the partition */
	RD_EINVAL = 8,		/* bad argument or malformed input */
	RD_ENOMEM = 9,		/* work area too small */
	RD_ECOMPRESS = 10,	/* the compressor failed or cannot start */
	RD_EVERSION = 11,	/* unsupported format version */
	RD_ECRC = 12,		/* checksum mismatch */
	RD_EFOREIGN = 13,	/* the partition holds something else now */
};

const char *rd_strerror(int err);	/* accepts err or -err */

#endif
