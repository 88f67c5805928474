#!/bin/sh
# Throughput of tai64n and tai64nlocal, ours (bin/) against C's (/usr/bin), Node's startup
# included: 1,000,000 lines of 76 bytes through each, output to /dev/null, timed by hyperfine.
# Usage: bench/tai64n.sh [lines] [runs]
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-1000000}
runs=${2:-10}
command -v hyperfine >/dev/null || { echo "bench/tai64n.sh: needs hyperfine" >&2; exit 111; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
node -e '
  const n = Number(process.argv[1]);
  const out = [];
  for (let i = 0; i < n; i++) out.push(`line ${String(i).padStart(8, "0")} the quick brown fox jumps over the lazy dog 0123456789abcdef!\n`);
  require("fs").writeFileSync(process.argv[2], out.join(""));
' "$lines" "$work/lines"
/usr/bin/tai64n < "$work/lines" > "$work/stamped"
echo "input: $(wc -l < "$work/lines") lines, $(wc -c < "$work/lines") bytes"
hyperfine -w 2 -r "$runs" \
  -n 'C tai64n' "/usr/bin/tai64n < $work/lines > /dev/null" \
  -n 'our tai64n' "$here/bin/tai64n < $work/lines > /dev/null"
TZ=${TZ:-America/New_York} hyperfine -w 1 -r "$runs" \
  -n 'C tai64nlocal' "/usr/bin/tai64nlocal < $work/stamped > /dev/null" \
  -n 'our tai64nlocal' "$here/bin/tai64nlocal < $work/stamped > /dev/null"
