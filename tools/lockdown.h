/*
 * tools/lockdown.h - kernel lockdown, UEFI Secure Boot and the minikernel's
 * Authenticode signature, for `rawdump arm` and `rawdump status`.
 *
 * Under lockdown (Secure Boot makes Debian's kernel lock itself down)
 * kexec_load(2) is refused and kexec_file_load(2) loads only a PE/COFF
 * image whose signature verifies against the kernel's keyrings
 * (Documentation/minikernel.md, "Signed minikernel").
 */
#ifndef RAWDUMP_TOOLS_LOCKDOWN_H
#define RAWDUMP_TOOLS_LOCKDOWN_H

#include <stddef.h>
#include <stdint.h>

enum ld_mode {
	LD_MODE_UNKNOWN = -1,	/* no /sys/kernel/security/lockdown (securityfs not mounted) */
	LD_MODE_NONE = 0,
	LD_MODE_INTEGRITY,
	LD_MODE_CONFIDENTIALITY,
};

enum ld_secure_boot {
	LD_SB_UNKNOWN = -1,	/* EFI, but the variable is not readable (efivarfs not mounted) */
	LD_SB_NO_EFI = 0,	/* booted by a BIOS: no /sys/firmware/efi */
	LD_SB_DISABLED,
	LD_SB_ENABLED,
};

struct ld_state {
	enum ld_mode mode;
	enum ld_secure_boot secure_boot;
};

/* What the kernel says now. Never fails: unknown parts say so. */
void ld_probe(struct ld_state *s);
/* True when kexec_load is forbidden and kexec_file_load checks signatures. */
int ld_locked(const struct ld_state *s);
/* "integrity (Secure Boot: enabled)" style, into buf. */
const char *ld_describe(const struct ld_state *s, char *buf, size_t bufsz);

/* The image's Authenticode signatures (PE certificate table entries). */
enum ld_sig {
	LD_SIG_ERROR = -1,	/* unreadable */
	LD_SIG_NOT_PE = 0,	/* no PE/COFF header: cannot carry a signature */
	LD_SIG_UNSIGNED,	/* PE/COFF, empty certificate table */
	LD_SIG_SIGNED,
};
enum ld_sig ld_image_sig(const char *path, unsigned *nsigs);

/* Why kexec_file_load refused an image (err = positive errno). */
enum ld_refusal {
	LD_REFUSED_OTHER = 0,	/* not a signature matter: see errno */
	LD_REFUSED_UNSIGNED,	/* no signature (or no PE/COFF form) */
	LD_REFUSED_UNTRUSTED,	/* signed, but no keyring trusts the signer */
};
/* Classify a kexec_file_load failure and write the one sentence (what and
 * the fix) into why; LD_REFUSED_OTHER leaves why empty. */
enum ld_refusal ld_file_refusal(const struct ld_state *s, int err, const char *image,
				char *why, size_t whysz);
/* The sentence for kexec_load asked for under lockdown. */
void ld_load_forbidden(const struct ld_state *s, char *why, size_t whysz);

#endif
