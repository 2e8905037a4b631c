#!/usr/bin/env bash
# Runs the attachment and readiness tests against a real S3-compatible server: moto's server
# (moto[server] from PyPI, in a venv made on first use) on a free port, one bucket, each test
# under a prefix of its own. Any further arguments go to `cargo test` after the filter.
#   e2e/s3/run.sh            # SQLite
#   TEST_DATABASE_URL=postgres://… e2e/s3/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.venv-moto
if [ ! -x "$VENV/bin/moto_server" ]; then
  echo "== installing moto[server] into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --no-cache-dir 'moto[server]>=5.2,<6'
fi
CARGO=${CARGO:-cargo}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" > "$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/moto-api/" > /dev/null && break; sleep 0.1; done
bucket=zhicheng-test
# moto accepts an unsigned request; a real store would have the bucket made by its operator.
curl -sf -X PUT "http://127.0.0.1:$port/$bucket" > /dev/null
echo "== attachment and readiness tests against S3 (moto on port $port)"
TEST_S3_ENDPOINT="http://127.0.0.1:$port" TEST_S3_BUCKET=$bucket \
  "$CARGO" test -p api --test api "$@" -- attachments:: ops:: cost_and_audit::costly
