/*
 * dgram_drain.pml: loopcheck's Promela yardstick for catalog bug dgram-drain
 * (scenario dgram-drain): a datagram transport closed while the kernel
 * still holds datagrams for it.
 *
 * Actors, each of whose moves is one indivisible SPIN transition:
 *   sender     hands N datagrams, one per move, to the receiving socket's
 *              kernel queue, which holds at most QCAP; while it is full the
 *              sender waits (a blocking send), so every datagram gets in.
 *   receiver   the event loop with the datagram transport: one readiness
 *              event reads one datagram and passes it to datagram_received().
 *              Once the sender has sent all N, the application may call
 *              close() at any readiness point instead of reading on.
 * Only the number of datagrams in the queue matters, so the queue is a count.
 *
 * Fixed transport (default): close() keeps reading until the queue is empty,
 * delivering each datagram, and then calls connection_lost().
 * -DBUG: close() unregisters and closes the socket; the kernel throws away
 * what it held, and connection_lost() follows.
 *
 * Check, at connection_lost(): every datagram that entered the queue was
 * delivered.
 *
 * -DN=n datagrams (default 5), -DQCAP=n queue capacity (default 3).  All
 * counters are bytes, so N <= 255.
 */
#ifndef N
#define N 5
#endif
#ifndef QCAP
#define QCAP 3
#endif

byte entered = 0;      /* datagrams the kernel accepted into the queue */
byte inq = 0;          /* datagrams waiting in the kernel queue        */
byte handed = 0;       /* datagram_received() calls                    */

active proctype sender()
{
    do
    :: d_step { entered < N && inq < QCAP -> entered++; inq++ }
    :: entered == N -> break
    od
}

active proctype receiver()
{
    do
    :: d_step { inq > 0 -> inq--; handed++ }      /* one readiness event  */
    :: entered == N -> break                      /* app calls close()    */
    od;
#ifdef BUG
    inq = 0;                                      /* socket closed: lost  */
#else
    do                                            /* read until EAGAIN    */
    :: d_step { inq > 0 -> inq--; handed++ }
    :: inq == 0 -> break
    od;
#endif
    assert(handed == entered)                     /* connection_lost()    */
}
