#!/bin/sh
# tests/guest/deb-systemd.sh - the test driver inside the systemd guest of
# tests/t-deb-systemd.sh (scripts/guest/build-systemd-guest.sh). Installed
# as /usr/local/sbin/rdtest and run by rdtest.service (ordered after
# rawdump-save.service and rawdump-arm.service) on every boot; the phase
# comes from /var/lib/rdtest/phase, so the boot after the crash runs the
# same kernel command line:
#   install  dpkg -i /root/rawdump.deb, target = /dev/vda2 in
#            /etc/rawdump.conf, rawdump format, systemctl enable --now
#            rawdump-arm.service, status, sysrq-c (the minikernel dumps and
#            reboots: QEMU resets into this guest again)
#   saved    what rawdump-save.service and rawdump-arm.service did, the
#            journal, the files under output_dir; then apt-get remove and
#            dpkg --purge, and what each leaves; power off
# Every line the host parses starts with "RDGUEST: ". Output goes to the
# serial console (rdtest.service: StandardOutput=tty on ttyS0).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
state=/var/lib/rdtest/phase
target=/dev/vda2

say() { echo "RDGUEST: $*"; }
# run NAME CMD...: CMD's output as "RDGUEST: NAME| line", then "RDGUEST: NAME rc=N"
run() {
	n=$1; shift
	"$@" >/tmp/rdtest.out 2>&1
	r=$?
	sed "s/^/RDGUEST: $n| /" /tmp/rdtest.out
	say "$n rc=$r"
	return $r
}
finish() {
	say "END $1"
	sync
	systemctl poweroff
	exit 0
}

phase=$(cat "$state" 2>/dev/null)
say "booted phase=${phase:-install} init=$(cat /proc/1/comm) $(uname -r)"
mkdir -p /var/lib/rdtest

case ${phase:-install} in
install)
	export DEBIAN_FRONTEND=noninteractive
	run dpkg-install dpkg -i /root/rawdump.deb
	say "enabled arm=$(systemctl is-enabled rawdump-arm.service) save=$(systemctl is-enabled rawdump-save.service)"
	say "conffiles $(dpkg-query -W -f='${Conffiles}' rawdump | awk '{ print $1 }' | tr '\n' ' ')"
	sed -i "s|^target = .*|target = $target|" /etc/rawdump.conf
	run format rawdump format "$target"
	run enable systemctl enable --now rawdump-arm.service
	run status rawdump status
	say "kexec_crash_loaded $(cat /sys/kernel/kexec_crash_loaded)"
	echo crashed >"$state"
	sync
	say "crashing"
	echo c >/proc/sysrq-trigger
	sleep 30
	finish "still running after sysrq-c"
	;;
crashed)
	echo removed >"$state"
	sync
	say "save.service $(systemctl show -p Result --value rawdump-save.service) $(systemctl show -p ExecMainStatus rawdump-save.service)"
	say "arm.service $(systemctl is-active rawdump-arm.service)"
	run status rawdump status
	say "kexec_crash_loaded $(cat /sys/kernel/kexec_crash_loaded)"
	say "partition state $(rawdump info "$target" --json | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p' | head -n 1)"
	run journal journalctl -u rawdump-save.service -o cat --no-pager
	find /var/crash -type f | sort | while read -r f; do
		say "saved $f $(stat -c %s "$f")"
	done
	export DEBIAN_FRONTEND=noninteractive
	run remove apt-get remove -y rawdump
	say "after remove: kexec_crash_loaded $(cat /sys/kernel/kexec_crash_loaded) conf=$(test -f /etc/rawdump.conf && echo kept || echo gone) status=$(dpkg-query -W -f='${db:Status-Abbrev}' rawdump)"
	run purge dpkg --purge rawdump
	say "after purge: conf=$(test -e /etc/rawdump.conf && echo kept || echo gone) status=$(dpkg-query -W -f='${db:Status-Abbrev}' rawdump 2>&1 | head -n 1)"
	say "left: $(ls -d /usr/sbin/rawdump /usr/lib/rawdump /lib/systemd/system/rawdump-* \
		/etc/systemd/system/*/rawdump-* /var/lib/systemd/deb-systemd-helper-enabled/rawdump-* \
		/var/lib/systemd/deb-systemd-helper-enabled/*/rawdump-* 2>/dev/null | tr '\n' ' ')"
	finish saved
	;;
*)
	finish "unexpected phase $phase"
	;;
esac
