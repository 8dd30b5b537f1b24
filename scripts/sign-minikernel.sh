#!/bin/sh
# scripts/sign-minikernel.sh - sign the minikernel for Secure Boot systems.
#
# Usage: scripts/sign-minikernel.sh KEY CERT [IN [OUT]]
#   KEY   PEM private key (unencrypted, or sbsign asks for its passphrase)
#   CERT  PEM X.509 certificate of KEY: the one enrolled in the UEFI db or as
#         a MOK (Documentation/user-guide.md, "Secure Boot")
#   IN    default build/minikernel/rdmk.bzImage
#   OUT   default build/minikernel/rdmk.signed.bzImage
# The bzImage is a PE/COFF image (minikernel/mkimage.c); sbsign (Debian's
# sbsigntool) appends an Authenticode signature, which kexec_file_load
# checks under kernel lockdown. The result is checked with sbverify against
# CERT before it replaces OUT. An already signed IN gets one more signature.
set -eu
[ $# -ge 2 ] && [ $# -le 4 ] || {
	echo "usage: $0 KEY CERT [IN [OUT]]" >&2
	exit 1
}
top=$(cd "$(dirname "$0")/.." && pwd)
key=$1 cert=$2
in=${3:-$top/build/minikernel/rdmk.bzImage}
out=${4:-$top/build/minikernel/rdmk.signed.bzImage}
for t in sbsign sbverify; do
	command -v $t >/dev/null 2>&1 || {
		echo "sign-minikernel: $t missing (apt-get install sbsigntool)" >&2
		exit 1
	}
done
for f in "$key" "$cert" "$in"; do
	[ -r "$f" ] || { echo "sign-minikernel: cannot read $f" >&2; exit 1; }
done
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
sbsign --key "$key" --cert "$cert" --output "$tmp" "$in" >/dev/null 2>"$tmp.err" || {
	cat "$tmp.err" >&2; rm -f "$tmp.err"
	echo "sign-minikernel: sbsign failed" >&2
	exit 1
}
rm -f "$tmp.err"
sbverify --cert "$cert" "$tmp" >/dev/null 2>&1 || {
	echo "sign-minikernel: the signed image does not verify against $cert" >&2
	exit 1
}
mv "$tmp" "$out"
echo "sign-minikernel: $out signed by $(openssl x509 -in "$cert" -noout -subject 2>/dev/null | sed 's/^subject=//')"
