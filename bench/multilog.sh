#!/bin/sh
# Throughput of multilog, ours (bin/) against C's (/usr/bin), Node's startup included:
# 1,000,000 lines of ~75 bytes through `multilog t s16777215 n20 ./dir`, from a file and from a
# pipe, timed by hyperfine (the directory is removed before each run); then the resident memory of
# each while fed without end for a few seconds. Usage: bench/multilog.sh [lines] [runs] [seconds]
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-1000000}
runs=${2:-10}
seconds=${3:-5}
command -v hyperfine >/dev/null || { echo "bench/multilog.sh: needs hyperfine" >&2; exit 111; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
node -e '
  const n = Number(process.argv[1]);
  const out = [];
  for (let i = 0; i < n; i++) out.push(`line ${String(i).padStart(8, "0")} the quick brown fox jumps over the lazy dog 0123456789abcde!\n`);
  require("fs").writeFileSync(process.argv[2], out.join(""));
' "$lines" "$work/lines"
echo "input: $(wc -l < "$work/lines") lines, $(wc -c < "$work/lines") bytes"
cd "$work"
hyperfine -N -w 1 -r "$runs" -p "rm -rf $work/dir" \
  -n 'C multilog, file' "sh -c '/usr/bin/multilog t s16777215 n20 ./dir < lines'" \
  -n 'our multilog, file' "sh -c '$here/bin/multilog t s16777215 n20 ./dir < lines'"
hyperfine -N -w 1 -r "$runs" -p "rm -rf $work/dir" \
  -n 'C multilog, pipe' "sh -c 'cat lines | /usr/bin/multilog t s16777215 n20 ./dir'" \
  -n 'our multilog, pipe' "sh -c 'cat lines | $here/bin/multilog t s16777215 n20 ./dir'"
# Every line must be there, once.
rm -rf dir && "$here/bin/multilog" t s16777215 n20 ./dir < lines
got=$(cat dir/@* dir/current | wc -l)
[ "$got" = "$lines" ] || { echo "bench/multilog.sh: our multilog logged $got lines, not $lines" >&2; exit 1; }
# Resident memory on endless input: sampled once a second.
mkfifo feed
for prog in /usr/bin/multilog "$here/bin/multilog"; do
  rm -rf dir
  "$prog" t s16777215 n3 ./dir < feed &
  pid=$!
  ( while :; do cat lines || exit; done ) > feed &
  feeder=$!
  sleep 1
  samples=""
  i=0
  while [ "$i" -lt "$seconds" ]; do
    samples="$samples $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
    sleep 1
    i=$((i + 1))
  done
  echo "$prog: VmRSS kB each second:$samples"
  kill "$pid" "$feeder" 2>/dev/null || true
  wait "$pid" "$feeder" 2>/dev/null || true
done
