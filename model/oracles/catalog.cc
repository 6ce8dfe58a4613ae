#include "model/oracles/catalog.h"

namespace loopcheck {

namespace {

std::vector<CatalogEntry>& entries() {
  static std::vector<CatalogEntry> kCatalog = {
      {Bug::dgram_drain, "dgram-drain", "selector datagram",
       "seed 002: a datagram server drops packets on exit (tx 1000, rx 841)",
       "one recvfrom per readiness event, and close() removes the reader and closes the socket "
       "without reading what the kernel still holds",
       "dgram-drain", {Oracle::O10}, 11},
      {Bug::bpo_27223, "bpo-27223", "selector stream",
       "bpo-27223 / python/asyncio#359: _read_ready runs on a transport whose connection is lost",
       "the reader registration queued by the constructor does not check that the transport is "
       "still reading: after an abort() in connection_made the reader outlives the connection, "
       "and when the peer's data lands first the read callback runs after connection_lost",
       "stream-abort-early", {Oracle::O5, Oracle::O1}, 11},
      {Bug::gh_156512, "gh-156512", "selector stream",
       "CPython gh-156512: close() inside resume_writing() calls connection_lost twice",
       "close() inside resume_writing() schedules connection_lost, and the write path that "
       "drained the buffer then calls it again because the transport is closing",
       "stream-resume-close", {Oracle::O1, Oracle::O6}, 8},
      {Bug::bpo_38471, "bpo-38471", "selector datagram",
       "bpo-38471: datagram close() with queued sendto data never calls connection_lost",
       "once the transport is closing, the write-ready path stops instead of flushing the send "
       "queue: the queued datagrams are dropped and connection_lost never comes",
       "dgram-close-queued", {Oracle::O4, Oracle::O2, Oracle::O5}, 10},
      {Bug::gh_91227, "gh-91227", "selector datagram",
       "CPython gh-91227: an ICMP error on a datagram recv ends the read loop",
       "an error from recvfrom removes the reader instead of going to error_received: the error "
       "is swallowed and nothing is read again",
       "dgram-icmp", {Oracle::O6, Oracle::O4}, 33},
      {Bug::bpo_33694, "bpo-33694", "proactor stream",
       "seeds 000 and 003: asyncio proactor data loss when WSARecv() is cancelled",
       "pause_reading() cancels the outstanding overlapped recv; when the recv has already "
       "completed (the cancel says NOT_FOUND) or completes anyway (ALREADY), its completion "
       "is ignored and the bytes in it are lost, silently (O9), so the stream has a hole (O2)",
       "proactor-pause", {Oracle::O9, Oracle::O2, Oracle::O4}, 10},
      {Bug::bpo_44428, "bpo-44428", "proactor stream",
       "bpo-44428: abort() after close() on a proactor transport does nothing",
       "force_close() returns early once the transport is closing, so an abort() after a close() "
       "that waits for its writes cancels nothing, and connection_lost never comes",
       "proactor-abort-after-close", {Oracle::O4, Oracle::O5}, 14},
      {Bug::twisted_11020, "twisted-11020", "proactor stream",
       "Twisted #11020: IOCP read completion delivered after connectionLost",
       "after an abort, the completion of the read that was outstanding (cancelled too late: "
       "ALREADY) is still treated as a read: its data or EOF reaches the protocol after "
       "connection_lost",
       "proactor-abort-mid-stream", {Oracle::O1}, 13},
      {Bug::bpo_32710, "bpo-32710", "proactor stream",
       "seed 003: leak in Overlapped_WSASend() when the send fails at once",
       "a submission that the kernel refuses at once (WSASend returns an error, not "
       "ERROR_IO_PENDING) keeps the buffer it was handed; no completion will ever release it",
       "proactor-send-fails", {Oracle::O5}, 9},
      {Bug::bpo_33674, "bpo-33674", "ssl protocol",
       "seed 000 / bpo-33674: SSLProtocol starts its handshake with call_soon",
       "connection_made leaves the handshake to the next loop turn; bytes the transport delivers "
       "first meet an SSL layer that has not started, which (as the pre-3.7 pipe did while "
       "unwrapped) hands them to the app as plaintext: the peer's ClientHello becomes app data "
       "and the handshake never sees it",
       "tls-starttls", {Oracle::O2, Oracle::O4, Oracle::O8}, 10},
      {Bug::bpo_29743, "bpo-29743", "ssl protocol",
       "bpo-29743: closing the transport during the handshake leaks the socket",
       "close() during the handshake queues the shutdown behind it instead of aborting; when the "
       "peer never finishes the handshake, the socket stays open until the handshake timeout, far "
       "beyond the shutdown timeout a close() is promised",
       "tls-stalled-handshake", {Oracle::O4, Oracle::O5}, 9},
      {Bug::asyncio_472, "asyncio-472", "ssl protocol",
       "python/asyncio#472: the handshake waiter is never woken when the connection is lost",
       "connection_lost during the handshake does not wake the waiter that create_connection "
       "awaits; a peer that resets the connection mid-handshake leaves the caller waiting forever",
       "tls-drop-handshake", {Oracle::O4}, 12},
      {Bug::bpo_29406, "bpo-29406", "ssl protocol",
       "seed 004 / bpo-29406: connection_lost never comes after close() on an SSL transport",
       "close() starts the SSL shutdown with no timeout; a peer that never answers close_notify "
       "keeps the shutdown, the socket and the app's connection_lost waiting forever",
       "tls-close-no-notify", {Oracle::O4}, 59},
      {Bug::bpo_30698, "bpo-30698", "ssl protocol",
       "bpo-30698: asyncio's SSL layer does not shut down cleanly",
       "when the shutdown completes at once (the peer's close_notify came first), the transport "
       "is closed without writing the close_notify just made: the peer's stream ends without it",
       "tls-peer-closes", {Oracle::O2}, 26},
      {Bug::bpo_45159, "bpo-45159", "ssl protocol",
       "bpo-45159: data_received called on an SSL transport whose reading is paused",
       "the read path does not look at the app's pause: decrypted records that arrive after "
       "pause_reading() are delivered at once",
       "tls-pause", {Oracle::O1}, 57},
      {Bug::sslproto_flush_abort, "sslproto-flush-abort", "ssl protocol",
       "found by loopcheck's SSL adversary in CPython 3.13's Lib/asyncio/sslproto.py (_do_flush); "
       "ON is asyncio 3.13 itself, OFF the fix",
       "close() flushes by reading first; an app callback inside that read (resume_writing, "
       "data_received, eof_received) that calls abort() leaves the protocol UNWRAPPED, and the "
       "flush goes on to SHUTDOWN, a move _set_state refuses with RuntimeError",
       "ssl-adversary", {Oracle::O8}, 8},
      {Bug::gh_109051, "gh-109051", "start tls",
       "CPython gh-109051: start_tls() on a transport paused for writing (AssertionError in "
       "SSLProtocol.resume_writing); unfixed in 3.13, ON is asyncio 3.13 itself",
       "start_tls installs a new SSL protocol that believes writing is not paused; the transport "
       "still owes the resume_writing of the pause its old protocol got, and delivers it to a "
       "protocol that was never paused",
       "start-tls-paused", {Oracle::O3}, 11},
      {Bug::gh_142352, "gh-142352", "start tls",
       "CPython gh-142352: StreamWriter.start_tls() loses data the StreamReader read ahead",
       "a server reads its STARTTLS line through a StreamReader; the ClientHello that came in "
       "the same read stays in the reader's buffer, start_tls does not hand it to the SSL "
       "protocol, and the handshake waits for bytes that already arrived until it times out",
       "start-tls-stream", {Oracle::O2, Oracle::O4}, 28},
      {Bug::sslproto_lost_handshake, "sslproto-lost-handshake", "ssl protocol",
       "found by loopcheck's start_tls adversary in CPython 3.13's Lib/asyncio/sslproto.py "
       "(connection_lost); ON is asyncio 3.13 itself, OFF the fix",
       "an app that closes or aborts the plain transport while start_tls's handshake runs gets "
       "connection_lost(None) into the SSL protocol, which wakes the handshake's waiter with no "
       "error: start_tls returns None instead of raising, and the app protocol, still in "
       "DO_HANDSHAKE, is never sent connection_lost",
       "start-tls-adversary", {Oracle::O4}, 13},
      {Bug::reactor_sslsocket, "reactor-sslsocket", "tls reactor",
       "seed 001: a database driver's asyncio reactor hangs on TLS connections until its connect "
       "timeout",
       "the driver wraps its socket in an SSL socket and runs its read and write tasks on the "
       "loop's sock_recv / sock_sendall, which refuse an SSL socket with TypeError; the TypeError "
       "ends both tasks and stays in futures nobody inspects, so startup waits for the connect "
       "timeout, which reports OperationTimedOut and never the real error",
       "reactor-startup", {Oracle::O4, Oracle::O6}, 17},
      {Bug::sslproto_paused_finished, "sslproto-paused-finished", "ssl protocol",
       "found by loopcheck in CPython 3.13's Lib/asyncio/sslproto.py (_on_handshake_complete); "
       "ON is asyncio 3.13 itself, OFF the fix; shown on real CPython by "
       "tests/asyncio_findings/sslproto_paused_finished.py",
       "the last handshake step of a TLS 1.3 client leaves its Finished in the outgoing BIO, and "
       "only the read that follows connection_made sends it; an app that pauses reading in "
       "connection_made skips that read, so the server's handshake waits until the app writes, "
       "resumes reading or closes",
       "tls-paused-start", {Oracle::O4}, 9},
      {Bug::proactor_eof_twice, "proactor-eof-twice", "proactor stream",
       "found by loopcheck's port of CPython's test_proactor_events.py, in 3.13's "
       "Lib/asyncio/proactor_events.py (resume_reading, _loop_reading); ON is asyncio 3.13 itself, "
       "OFF the fix",
       "an EOF that completes while reading is paused is kept for resume_reading, which also "
       "starts a new read because none is outstanding; that read finds the EOF again, and a "
       "protocol that keeps the connection half-open gets eof_received a second time",
       "proactor-half-close", {Oracle::O1}, 22},
      {Bug::gh_155888, "gh-155888", "selector stream",
       "CPython gh-155888: asyncio socket transport never closes after writelines() with an empty "
       "chunk (fixed upstream in 2026; asyncio 3.13 releases before the fix have it)",
       "writelines() puts an empty chunk in the buffer; sendmsg sends nothing of it and trimming "
       "nothing drops nothing, so the buffer never empties: the writer stays registered and fires "
       "for ever, and the close() waiting for the buffer never completes",
       "stream-writelines", {Oracle::O4}, 70},
      {Bug::gh_103462, "gh-103462", "selector stream",
       "CPython gh-103462: writelines() with a payload the socket cannot take at once never "
       "writes the rest (a 3.12 alpha regression, fixed before 3.12.0)",
       "writelines() sends what it can at once and registers no writer for the rest: what the "
       "kernel did not take stays in the buffer, and a close() waiting for it never completes",
       "stream-writelines", {Oracle::O4}, 6},
      {Bug::gh_150107, "gh-150107", "selector stream",
       "CPython gh-150107: loop.sendfile's fallback ignores offset 0 (fixed upstream in 2026; "
       "asyncio 3.13 releases before the fix have it)",
       "the fallback seeks the file only for a non-zero offset; a file whose position an earlier "
       "sendfile left at its end is read from there, so sendfile(file, 0) returns 0 and the body "
       "never leaves, though nothing failed",
       "stream-sendfile", {Oracle::O2}, 20},
      {Bug::sendfile_close_hang, "sendfile-close-hang", "selector stream",
       "found by loopcheck in CPython 3.13's Lib/asyncio/selector_events.py "
       "(_SelectorSocketTransport._call_connection_lost; the proactor's twin was bpo-35682); ON is "
       "asyncio 3.13 itself, OFF the fix; shown on real CPython by "
       "tests/asyncio_findings/sendfile_close_hang.py",
       "a close() or abort() while loop.sendfile's os.sendfile has the socket (the write buffer "
       "drained) sets an exception on the done empty waiter, which raises InvalidStateError into "
       "the loop's exception handler; nothing tells the sendfile, which waits for the writability "
       "of a socket that is closed and never returns",
       "stream-sendfile-abort", {Oracle::O4}, 18},
  };
  return kCatalog;
}

}  // namespace

const std::vector<CatalogEntry>& catalog() { return entries(); }

std::optional<std::string> add_catalog_entry(const CatalogEntry& entry) {
  if (entry.id.empty()) return std::string("a catalog entry needs an id");
  if (entry.bug != Bug::kCount) {
    return "catalog entry '" + std::string(entry.id) + "': a user's switch has bug = Bug::kCount";
  }
  if (find_bug(entry.id)) return "catalog entry '" + std::string(entry.id) + "' already exists";
  if (entry.oracles.empty()) {
    return "catalog entry '" + std::string(entry.id) + "' names no oracle that must catch it";
  }
  entries().push_back(entry);
  return std::nullopt;
}

void set_switch(BugSet& bugs, const CatalogEntry& entry, bool on) {
  if (entry.bug == Bug::kCount) {
    bugs.set(entry.id, on);
  } else {
    bugs.set(entry.bug, on);
  }
}

bool switch_on(const BugSet& bugs, const CatalogEntry& entry) {
  return entry.bug == Bug::kCount ? bugs.on(entry.id) : bugs.on(entry.bug);
}

const CatalogEntry* find_bug(std::string_view id) {
  for (const CatalogEntry& entry : catalog()) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

const CatalogEntry& catalog_entry(Bug bug) {
  for (const CatalogEntry& entry : catalog()) {
    if (entry.bug == bug) return entry;
  }
  return catalog().front();
}

}  // namespace loopcheck
