/*
 * proactor_pause.pml: loopcheck's Promela yardstick for catalog bug bpo-33694
 * (scenario proactor-pause): asyncio's proactor stream transport loses bytes
 * when the application pauses reading.
 *
 * Actors, each of whose moves is one indivisible SPIN transition:
 *   peer       puts K one-byte chunks, one per move, into the socket buffer.
 *   kernel     finishes the transport's overlapped recv as soon as the socket
 *              buffer holds anything: it takes every byte there and posts the
 *              result (R_OK, count) to the one-slot completion port.
 *   loop       the transport's completion callback (_loop_reading): takes a
 *              result from the port and acts on it.
 *   app        pause_reading() while reading (at most MAXPAUSE times), and
 *              resume_reading() while paused.
 * The transport never has more than one recv outstanding; `rx` says where it
 * is: RX_NONE (none issued), RX_WAIT (issued, kernel has not finished it),
 * RX_POSTED (its result sits in the port).
 *
 * Fixed transport (default): pausing touches no I/O.  A result that comes in
 * while paused is kept in `kept` and handed over by resume_reading(); the next
 * recv is issued only while not paused (by the callback, or by the resume
 * if nothing is outstanding).
 * -DBUG: pause_reading() cancels the outstanding recv.  A recv still waiting
 * is aborted, its result (R_ABORTED, 0) is posted at once; one whose result
 * is already posted cannot be cancelled (NOT_FOUND), yet the transport now
 * treats whatever the cancelled recv returns as void, so posted bytes vanish.
 *
 * Check: when nothing can move any more (peer finished, socket buffer and
 * port empty, not paused) the application must have received every byte.
 *
 * -DK=n chunks (default 3), -DMAXPAUSE=n pauses (default 2).  All counters
 * are bytes, so K <= 255.
 */
#ifndef K
#define K 3
#endif
#ifndef MAXPAUSE
#define MAXPAUSE 2
#endif

#define RX_NONE   0
#define RX_WAIT   1
#define RX_POSTED 2

#define R_OK      1
#define R_ABORTED 2

byte written = 0;             /* chunks the peer has put in the buffer     */
byte inbuf = 0;               /* bytes in the kernel socket buffer         */
byte rx = RX_WAIT;            /* connection_made issued the first recv     */
chan port = [1] of { byte, byte };  /* completion port: (result, count)     */

byte received = 0;            /* bytes passed to protocol.data_received()  */
byte kept = 0;                /* fix: bytes read while paused, not yet given */
bool reading_paused = false;
byte pause_count = 0;
bool void_result = false;     /* bug: the outstanding recv was cancelled   */

active proctype peer()
{
    do
    :: d_step { written < K -> written++; inbuf++ }
    :: written == K -> break
    od
}

active proctype kernel()
{
end_idle:
    do
    :: d_step { rx == RX_WAIT && inbuf > 0 ->
           port!R_OK,inbuf; inbuf = 0; rx = RX_POSTED }
    od
}

active proctype loop()
{
    byte res;
    byte cnt;
    do
    :: d_step { port?[res,cnt] -> port?res,cnt;
           rx = RX_NONE;
#ifdef BUG
           if
           :: void_result -> void_result = false     /* cnt bytes dropped */
           :: !void_result -> received = received + cnt
           fi;
#else
           if
           :: reading_paused -> kept = kept + cnt    /* hold for resume   */
           :: !reading_paused -> received = received + cnt
           fi;
#endif
           if
           :: reading_paused -> skip
           :: !reading_paused -> rx = RX_WAIT        /* next recv          */
           fi;
           res = 0; cnt = 0 }
    :: written == K && inbuf == 0 && empty(port) && !reading_paused ->
           break
    od;
    assert(received == written)
}

active proctype app()
{
end_idle:
    do
    :: d_step { !reading_paused && pause_count < MAXPAUSE ->
           reading_paused = true; pause_count++;
#ifdef BUG
           if
           :: rx == RX_WAIT ->                        /* aborted           */
                  port!R_ABORTED,0; rx = RX_POSTED; void_result = true
           :: rx == RX_POSTED -> void_result = true   /* NOT_FOUND         */
           :: rx == RX_NONE -> skip
           fi
#endif
       }
    :: d_step { reading_paused ->
           reading_paused = false;
           received = received + kept; kept = 0;
           if
           :: rx == RX_NONE -> rx = RX_WAIT
           :: rx != RX_NONE -> skip
           fi }
    od
}
