#!/usr/bin/env bash
# Load test of the web pages: starts `kaohe demo` (release) on a free port with a fresh data
# directory, then 50 concurrent signed-in users open the main pages for 20 s (crates/cli/examples/load.rs).
# Usage: bench/load.sh [users] [seconds] [mean pause between pages, ms; 0 = saturation]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-50}
seconds=${2:-20}
think=${3:-500}
cargo build --release -q -p kaohe --bin kaohe --example load
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./target/release/kaohe demo --data "$data/d" --addr "127.0.0.1:$port" >"$data/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do grep -q "考核服务" "$data/log" && break; sleep 0.1; done
./target/release/examples/load "http://127.0.0.1:$port" "$users" "$seconds" "$think"
