#!/usr/bin/env bash
# One interop case between loopcheck's SSL protocol on real sockets and a TLS peer nobody here
# wrote, over loopback, with certificates made for this run.
# Usage: run.sh LOOPCHECK CASE VERSION [BYTES]
#   asyncio-server       loopcheck tls-connect  ->  CPython asyncio echo server
#   asyncio-client       CPython asyncio client ->  loopcheck tls-serve (close_notify both ways)
#   asyncio-client-drop  the same, but the client aborts without close_notify at the end
#   asyncio-starttls-server  loopcheck tls-connect --starttls -> a CPython asyncio server that
#                        greets in plaintext and upgrades with loop.start_tls
#   asyncio-starttls-client  a CPython asyncio client that upgrades with loop.start_tls ->
#                        loopcheck tls-serve --starttls
#   asyncio-reactor      loopcheck's driver reactor (real reactor) -> a CPython asyncio TLS 1.3
#                        server speaking its startup exchange; 20 connections, each to READY
#   openssl-client       openssl s_client       ->  loopcheck tls-serve (which closes first)
#   openssl-server       loopcheck tls-connect  ->  openssl s_server, which has no echo mode: it
#                        sends the very bytes the client sends (from its stdin) and writes what
#                        it receives (to its stdout), so both directions are still compared
# VERSION: 12 or 13. Exit 77 (skipped, with the reason) when python3 or openssl is missing.
set -uo pipefail
loopcheck="$1" case="$2" version="$3" bytes="${4:-16777216}"
here="$(cd "$(dirname "$0")" && pwd)"
need=(python3)
[[ "$case" == openssl-client ]] && need=(openssl)
[[ "$case" == openssl-server ]] && need=(openssl python3)  # python3 makes the pattern and the port
for tool in "${need[@]}"; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed (bootstrap.sh test installs it)"; exit 77; }
done
work="$(mktemp -d)"
trap 'kill $(jobs -p) ${hold_pid:-} 2>/dev/null; rm -rf "$work"' EXIT
"$loopcheck" real tls-certs --dir "$work" >/dev/null || exit 1

# Waits (10 s at most) for a file to hold a line matching $2; prints the match.
wait_for() {
  for _ in $(seq 100); do
    if grep -qE "$2" "$1" 2>/dev/null; then grep -oE "$2" "$1" | head -1; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2
  return 1
}

serve() {  # starts loopcheck tls-serve in the background; sets $port
  "$loopcheck" real tls-serve --cert-dir "$work" --tls "$version" --bytes "$1" >"$work/serve.out" 2>&1 &
  server_pid=$!
  port="$(wait_for "$work/serve.out" 'listening on 127\.0\.0\.1:[0-9]+' | sed 's/.*://')" || exit 1
}

finish_server() {  # waits for loopcheck tls-serve and reports its verdict
  timeout 120 tail --pid="$server_pid" -f /dev/null
  wait "$server_pid"; local code=$?
  cat "$work/serve.out"
  return $code
}

case "$case" in
  asyncio-server)
    python3 "$here/asyncio_peer.py" server "$work/port" "$work/cert.pem" "$work/key.pem" "$version" &
    peer_pid=$!
    wait_for "$work/port" '^[0-9]+' >/dev/null || exit 1
    timeout 120 "$loopcheck" real tls-connect --port "$(cat "$work/port")" --ca "$work/ca.pem" \
      --tls "$version" --bytes "$bytes" --pause-every 2
    code=$?
    wait "$peer_pid" || { echo "the asyncio server failed"; exit 1; }
    exit $code ;;
  asyncio-client|asyncio-client-drop)
    serve 0
    drop=""; [[ "$case" == *-drop ]] && drop=drop
    timeout 120 python3 "$here/asyncio_peer.py" client "$port" "$work/ca.pem" "$version" "$bytes" $drop || {
      echo "the asyncio client failed"; finish_server; exit 1; }
    finish_server ;;
  asyncio-starttls-server)
    python3 "$here/asyncio_peer.py" starttls-server "$work/port" "$work/cert.pem" "$work/key.pem" "$version" &
    peer_pid=$!
    wait_for "$work/port" '^[0-9]+' >/dev/null || exit 1
    timeout 120 "$loopcheck" real tls-connect --starttls --port "$(cat "$work/port")" --ca "$work/ca.pem" \
      --tls "$version" --bytes "$bytes" --pause-every 2
    code=$?
    wait "$peer_pid" || { echo "the asyncio server failed"; exit 1; }
    exit $code ;;
  asyncio-starttls-client)
    "$loopcheck" real tls-serve --starttls --cert-dir "$work" --tls "$version" --bytes 0 >"$work/serve.out" 2>&1 &
    server_pid=$!
    port="$(wait_for "$work/serve.out" 'listening on 127\.0\.0\.1:[0-9]+' | sed 's/.*://')" || exit 1
    timeout 120 python3 "$here/asyncio_peer.py" starttls-client "$port" "$work/ca.pem" "$version" "$bytes" || {
      echo "the asyncio client failed"; finish_server; exit 1; }
    finish_server ;;
  asyncio-reactor)
    python3 "$here/asyncio_peer.py" startup-server "$work/port" "$work/cert.pem" "$work/key.pem" 20 &
    peer_pid=$!
    wait_for "$work/port" '^[0-9]+' >/dev/null || exit 1
    timeout 120 "$loopcheck" real reactor --port "$(cat "$work/port")" --ca "$work/ca.pem" --runs 20
    code=$?
    wait "$peer_pid" || { echo "the asyncio server failed"; exit 1; }
    exit $code ;;
  openssl-client)
    serve "$bytes"
    head -c "$bytes" /dev/urandom >"$work/in"
    flag=-tls1_3; [[ "$version" == 12 ]] && flag=-tls1_2
    timeout 120 openssl s_client -connect "127.0.0.1:$port" -CAfile "$work/ca.pem" -verify_hostname localhost \
      -verify_return_error "$flag" -quiet <"$work/in" >"$work/out" 2>"$work/s_client.err" || {
      echo "openssl s_client failed:"; cat "$work/s_client.err"; finish_server; exit 1; }
    cmp -s "$work/in" "$work/out" || { echo "s_client got $(stat -c %s "$work/out") bytes back, not the $bytes it sent"; exit 1; }
    echo "openssl s_client: $bytes bytes echoed intact"
    finish_server ;;
  openssl-server)
    # The client's pattern: byte i is i mod 251 (tools/loopcheck/echo_parts.h, Pattern).
    python3 -c 'import sys; n = int(sys.argv[1]); sys.stdout.buffer.write((bytes(range(251)) * (n // 251 + 1))[:n])' \
      "$bytes" >"$work/pattern" || exit 1
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    flag=-tls1_3; [[ "$version" == 12 ]] && flag=-tls1_2
    # s_server's stdin must not end while the connection lives: at EOF it drops the last record
    # it reads (openssl 3.0.x, -quiet). So the pattern is followed by a wait, killed at the end.
    exec 4< <(cat "$work/pattern"; exec sleep 120)
    hold_pid=$!
    openssl s_server -accept "127.0.0.1:$port" -naccept 1 -quiet -cert "$work/cert.pem" \
      -key "$work/key.pem" "$flag" <&4 >"$work/got" 2>"$work/s_server.err" &
    peer_pid=$!
    exec 4<&-
    # Until it listens (`ss`, from iproute2, may be absent: then a second's grace).
    if command -v ss >/dev/null; then
      for _ in $(seq 100); do
        ss -ltn 2>/dev/null | grep -q "127.0.0.1:$port " && break
        sleep 0.1
      done
    else
      sleep 1
    fi
    timeout 120 "$loopcheck" real tls-connect --port "$port" --ca "$work/ca.pem" --tls "$version" --bytes "$bytes"
    code=$?
    timeout 30 tail --pid="$peer_pid" -f /dev/null
    kill "$hold_pid" 2>/dev/null
    cmp -s "$work/pattern" "$work/got" || {
      echo "s_server got $(stat -c %s "$work/got") bytes, not the $bytes sent"; cat "$work/s_server.err"; exit 1; }
    echo "openssl s_server: received the $bytes bytes intact"
    exit $code ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
