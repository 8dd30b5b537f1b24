/*
 * tools/lockdown.c - kernel lockdown, UEFI Secure Boot and the
 * minikernel's signature (tools/lockdown.h).
 *
 * Linux interfaces: /sys/kernel/security/lockdown ("none [integrity]
 * confidentiality", the bracketed word is in force; securityfs), the EFI
 * variable SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c (efivarfs: 4
 * bytes of attributes, then the 1-byte value; UEFI 2.x, "Globally Defined
 * Variables"). `mokutil --sb-state` reads the same variable through the
 * same efivarfs, so it is no fallback: without efivarfs the state is
 * "unknown", and arm relies on the kernel's own answer (lockdown, and the
 * errno of kexec_file_load).
 *
 * What 6.1's kexec_file_load returns for an image refused under lockdown
 * (kernel/kexec_file.c kimage_validate_signature -> the bzImage64
 * loader's verify_sig, kexec_kernel_verify_pe_sig ->
 * verify_pefile_signature, secondary then platform keyring): PE/COFF
 * without a certificate table ENODATA and a signer no keyring holds ENOKEY
 * (both seen in tests/t-e2e-secureboot.sh), no PE/COFF header at all
 * ELIBBAD (seen with the minikernel before it had one). EKEYREJECTED
 * (a digest that does not match, or an unsigned image on older kernels),
 * EBADMSG (a malformed PKCS#7 message) and EPERM (locked down, signature
 * not enforced but failed) are classified by the image's own certificate
 * table.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockdown.h"

#define LD_LOCKDOWN_PATH	"/sys/kernel/security/lockdown"
#define LD_EFI_DIR		"/sys/firmware/efi"
#define LD_SB_VAR		"/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

/* PE/COFF offsets (Microsoft PE format specification) */
#define PE_LFANEW_OFF		0x3c
#define PE_OPT_MAGIC_PE32PLUS	0x20b
#define PE_OPT_NDIRS_OFF	108	/* NumberOfRvaAndSizes in the PE32+ header */
#define PE_OPT_DIRS_OFF		112
#define PE_DIR_CERT		4
#define WIN_CERT_REVISION_2	0x0200
#define WIN_CERT_TYPE_PKCS	0x0002
#define LD_HDR_READ		4096
#define LD_MAX_SIGS		64	/* bound on the certificate table walk */

static int ld_read_text(const char *path, char *buf, size_t bufsz)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, bufsz - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static enum ld_mode ld_probe_mode(void)
{
	char buf[128], *open_br, *close_br;

	if (ld_read_text(LD_LOCKDOWN_PATH, buf, sizeof(buf)) <= 0)
		return LD_MODE_UNKNOWN;
	open_br = strchr(buf, '[');
	close_br = open_br ? strchr(open_br, ']') : NULL;
	if (!close_br)
		return LD_MODE_UNKNOWN;
	*close_br = '\0';
	if (!strcmp(open_br + 1, "none"))
		return LD_MODE_NONE;
	if (!strcmp(open_br + 1, "integrity"))
		return LD_MODE_INTEGRITY;
	if (!strcmp(open_br + 1, "confidentiality"))
		return LD_MODE_CONFIDENTIALITY;
	return LD_MODE_UNKNOWN;
}

/* efivarfs is mounted when its directory lists any variable */
static int ld_efivars_mounted(void)
{
	struct dirent *de;
	DIR *d = opendir(LD_EFI_DIR "/efivars");
	int any = 0;

	if (!d)
		return 0;
	while (!any && (de = readdir(d)))
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}

static enum ld_secure_boot ld_probe_sb(void)
{
	unsigned char v[5];
	ssize_t n;
	int fd;

	if (access(LD_EFI_DIR, F_OK) < 0)
		return LD_SB_NO_EFI;
	fd = open(LD_SB_VAR, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		/* no such variable: firmware without Secure Boot */
		return errno == ENOENT && ld_efivars_mounted() ? LD_SB_DISABLED : LD_SB_UNKNOWN;
	n = read(fd, v, sizeof(v));
	close(fd);
	if (n != (ssize_t)sizeof(v))
		return LD_SB_UNKNOWN;
	return v[4] == 1 ? LD_SB_ENABLED : LD_SB_DISABLED;
}

void ld_probe(struct ld_state *s)
{
	s->mode = ld_probe_mode();
	s->secure_boot = ld_probe_sb();
}

int ld_locked(const struct ld_state *s)
{
	return s->mode == LD_MODE_INTEGRITY || s->mode == LD_MODE_CONFIDENTIALITY;
}

static const char *const ld_mode_names[] = { "none", "integrity", "confidentiality" };
static const char *const ld_sb_names[] = { "no EFI", "disabled", "enabled" };

const char *ld_describe(const struct ld_state *s, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s (Secure Boot: %s)",
		 s->mode == LD_MODE_UNKNOWN ? "unknown, securityfs not mounted" : ld_mode_names[s->mode],
		 s->secure_boot == LD_SB_UNKNOWN ? "unknown, efivarfs not mounted" :
		 ld_sb_names[s->secure_boot]);
	return buf;
}

/* "lockdown integrity, Secure Boot enabled": for the error sentences */
static const char *ld_brief(const struct ld_state *s, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "lockdown %s, Secure Boot %s",
		 s->mode == LD_MODE_UNKNOWN ? "unknown" : ld_mode_names[s->mode],
		 s->secure_boot == LD_SB_UNKNOWN ? "unknown" : ld_sb_names[s->secure_boot]);
	return buf;
}

static uint32_t ld_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t ld_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Count the WIN_CERTIFICATE entries (each 8-byte aligned) of the PE
 * certificate table; entries that are not PKCS#7 signed data do not count.
 */
enum ld_sig ld_image_sig(const char *path, unsigned *nsigs)
{
	uint8_t h[LD_HDR_READ], w[8];
	uint32_t lfanew, ndirs, cert_off, cert_size, pos, len;
	struct stat st;
	enum ld_sig ret = LD_SIG_NOT_PE;
	size_t opt, dir;
	ssize_t n;
	unsigned i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*nsigs = 0;
	if (fd < 0)
		return LD_SIG_ERROR;
	if (fstat(fd, &st) < 0) {
		ret = LD_SIG_ERROR;
		goto out_close;
	}
	n = pread(fd, h, sizeof(h), 0);
	if (n < 0x40 || h[0] != 'M' || h[1] != 'Z')
		goto out_close;
	lfanew = ld_le32(h + PE_LFANEW_OFF);
	opt = (size_t)lfanew + 24;
	if (lfanew > (uint32_t)n || opt + PE_OPT_DIRS_OFF > (size_t)n ||
	    memcmp(h + lfanew, "PE\0\0", 4) || ld_le16(h + opt) != PE_OPT_MAGIC_PE32PLUS)
		goto out_close;
	ndirs = ld_le32(h + opt + PE_OPT_NDIRS_OFF);
	dir = opt + PE_OPT_DIRS_OFF + PE_DIR_CERT * 8;
	ret = LD_SIG_UNSIGNED;
	if (ndirs <= PE_DIR_CERT || dir + 8 > (size_t)n)
		goto out_close;
	cert_off = ld_le32(h + dir);
	cert_size = ld_le32(h + dir + 4);
	if (!cert_off || !cert_size || (uint64_t)cert_off + cert_size > (uint64_t)st.st_size)
		goto out_close;
	for (pos = 0, i = 0; i < LD_MAX_SIGS && pos + sizeof(w) <= cert_size; i++) {
		if (pread(fd, w, sizeof(w), (off_t)cert_off + pos) != (ssize_t)sizeof(w))
			break;
		len = ld_le32(w);
		if (len < sizeof(w) || len > cert_size - pos)
			break;
		if (ld_le16(w + 4) == WIN_CERT_REVISION_2 && ld_le16(w + 6) == WIN_CERT_TYPE_PKCS)
			(*nsigs)++;
		pos += (len + 7) & ~7u;
	}
	if (*nsigs)
		ret = LD_SIG_SIGNED;
out_close:
	close(fd);
	return ret;
}

enum ld_refusal ld_file_refusal(const struct ld_state *s, int err, const char *image,
				char *why, size_t whysz)
{
	char state[128];
	unsigned nsigs;
	enum ld_sig sig = ld_image_sig(image, &nsigs);
	int sig_errno = err == ENODATA || err == ELIBBAD || err == ENOKEY ||
			err == EKEYREJECTED || err == EBADMSG || err == ENOPKG ||
			(err == EPERM && ld_locked(s));

	why[0] = '\0';
	if (!sig_errno)
		return LD_REFUSED_OTHER;
	ld_brief(s, state, sizeof(state));
	if (sig == LD_SIG_NOT_PE || sig == LD_SIG_UNSIGNED) {
		snprintf(why, whysz, "the minikernel %s is not signed%s, and this kernel "
			 "loads only signed images (%s): sign it with a key the kernel trusts "
			 "(make sign KEY=... CERT=..., or scripts/sign-minikernel.sh) and arm that "
			 "image (--minikernel, or 'minikernel' in rawdump.conf; "
			 "Documentation/user-guide.md, \"Secure Boot\")", image,
			 sig == LD_SIG_NOT_PE ? " (no PE/COFF header: built before rawdump "
			 "could be signed)" : "", state);
		return LD_REFUSED_UNSIGNED;
	}
	snprintf(why, whysz, "no keyring of this kernel trusts the signature of the minikernel "
		 "%s (kexec_file_load: %s; %s): enroll the signing certificate "
		 "(mokutil --import CERT.der on shim systems, or into the UEFI db) and reboot, "
		 "or sign with a key that is enrolled (Documentation/user-guide.md, "
		 "\"Secure Boot\")", image, strerror(err), state);
	return LD_REFUSED_UNTRUSTED;
}

void ld_load_forbidden(const struct ld_state *s, char *why, size_t whysz)
{
	char state[128];

	snprintf(why, whysz, "kexec_load is forbidden by kernel lockdown (%s): arm with "
		 "--method auto or file (kexec_file_load) and a signed minikernel",
		 ld_brief(s, state, sizeof(state)));
}
