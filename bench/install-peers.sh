#!/bin/sh
# Installs the supervisors the benchmark compares against: runit and s6 from Debian, pm2 from npm
# into bench/.peers (a bench-local prefix, never a project dependency), and hyperfine.
# C daemontools 0.76 itself comes from Debian's daemontools package.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
sudo=''
[ "$(id -u)" = 0 ] || sudo='sudo'

# --no-install-recommends: runit recommends runit-init, which would replace the machine's init.
need=''
for pair in daemontools:/usr/bin/supervise runit:/usr/bin/runsvdir s6:/usr/bin/s6-svscan hyperfine:/usr/bin/hyperfine; do
  pkg=${pair%%:*}
  file=${pair#*:}
  [ -x "$file" ] || need="$need $pkg"
done
if [ -n "$need" ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need
fi

if [ ! -x "$here/.peers/node_modules/.bin/pm2" ]; then
  mkdir -p "$here/.peers"
  [ -f "$here/.peers/package.json" ] || printf '{ "private": true }\n' >"$here/.peers/package.json"
  npm install --prefix "$here/.peers" --no-audit --no-fund --loglevel=error pm2@7
fi

echo "peers: $(command -v supervise) $(command -v runsvdir) $(command -v s6-svscan) $here/.peers/node_modules/.bin/pm2 $(command -v hyperfine)"
