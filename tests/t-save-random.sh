#!/bin/bash
# tests/t-save-random.sh - random memory maps round trip: for a handful of
# fixed seeds, random ranges (sizes not always page multiples, gaps,
# a kernel-text alias inside RAM), random compression and level, random
# writer I/O size are dumped by the real writer (rawdump-sim), saved, and
# every byte checked against the pattern; info's numbers must agree.
. "$(dirname "$0")/lib.sh"
need python3
[ -x "$RAWDUMP" ] && [ -x "$SIM" ] || { fail "build/rawdump and build/rawdump-sim exist" "run make"; exit 1; }

out=$T/out; mkdir -p "$out"
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }

for seed in 101 202 303 404 505 606; do
	# one line: sim options, then the total bytes of the RAM ranges
	plan=$(python3 - "$seed" <<'EOF'
import random, sys
r = random.Random(int(sys.argv[1]))
addr = r.choice([0x1000, 0x100000, 0x7000])
ranges = []
for _ in range(r.randint(1, 7)):
    addr += r.randint(0, 64) * 0x1000
    size = r.randint(1, 900) * 0x1000
    if r.random() < 0.3:
        size -= r.randint(1, 7) * 0x200      # ends inside a page, as e820 can
    ranges.append((addr, size))
    addr += size
    addr = (addr + 0xfff) & ~0xfff
opts = ' '.join('--range 0x%x:0x%x' % x for x in ranges)
big = max(ranges, key=lambda x: x[1])
if big[1] >= 0x10000 and r.random() < 0.7:
    t = big[0] + r.randint(0, (big[1] - 0x8000) // 0x1000) * 0x1000
    opts += ' --kernel-text 0x%x:0x%x' % (t, 0x4000)
opts += ' --comp %s --level %d --cpus %d --io-size %d' % (
    r.choice(['none', 'zlib']), r.randint(1, 9), r.randint(1, 8),
    r.choice([512 << 10, 1 << 20, 3 << 20]))
print(opts, sum(s for _, s in ranges))
EOF
)
	total=${plan##* }; opts=${plan% *}
	ranges=$(echo "$opts" | grep -o -- '--range [^ ]*' | tr '\n' ' ')
	part=$T/p$seed.img
	truncate -s 24M "$part"
	"$RAWDUMP" format "$part" >/dev/null || fail "seed $seed: format"
	# shellcheck disable=SC2086
	if ! "$SIM" write "$part" --pattern "$seed" $opts --release "rt-$seed" --quiet >"$T/sim" 2>&1; then
		fail "seed $seed: sim write" "$(tail -n 2 "$T/sim")"; continue
	fi
	check_rc "seed $seed: save" 0 "$RAWDUMP" save "$part" -o "$out" --name "v$seed"
	# shellcheck disable=SC2086
	check "seed $seed: every byte equals the pattern" "$SIM" verify "$out/v$seed" --pattern "$seed" $ranges
	"$RAWDUMP" info "$out/v$seed" --json > "$T/e.json" 2>&1
	check_eq "seed $seed: vmcore mem_bytes" "$(json "$T/e.json" mem_bytes)" "$total"
	"$RAWDUMP" info "$part" --json > "$T/p.json" 2>&1
	check_eq "seed $seed: dump mem covered" \
		"$(( $(json "$T/p.json" data_bytes) + $(json "$T/p.json" zero_bytes) ))" "$total"
	check_eq "seed $seed: release" "$(json "$T/p.json" kernel_release)" "rt-$seed"
	rm -f "$out/v$seed" "$part"
done
