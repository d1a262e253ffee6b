#!/usr/bin/env bash
# Attack figures of issue 9 (a service that stays up): starts `kaohe demo` (release) on a free port of
# 127.0.0.1 with a fresh data directory and runs crates/cli/examples/attack.rs against it: (a) a login
# flood, (b) 2,000 slow-header connections, (c) 1.9 MB logins and 4 × 400 MiB viewer uploads, with the
# server's memory from /proc. Bounded: about 80 s in all. The client needs ~2,100 open files
# (`ulimit -n` is raised to 4096 here if lower).
# Usage: bench/attack.sh [parts: a b c]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p kaohe --bin kaohe --example attack
[ "$(ulimit -n)" -lt 4096 ] && ulimit -n 4096
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./target/release/kaohe demo --data "$data/d" --addr "127.0.0.1:$port" >"$data/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do grep -q "考核服务" "$data/log" && break; sleep 0.1; done
./target/release/examples/attack "127.0.0.1:$port" "$pid" "$@"
