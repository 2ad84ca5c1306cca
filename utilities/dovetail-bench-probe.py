#! /usr/bin/python3
# dovetail-bench-probe.py: the connectivity check of
# utilities/dovetail-bench-bringup.sh.
#
#   dovetail-bench-probe.py PAIRS T0 TIMEOUT [--expect-none]
#
# PAIRS is a file of lines "SRC-NETNS DST-IP EXPECT", EXPECT 1 (DST must
# answer) or 0 (DST must never answer: another network's VM).  For every
# source netns (under /run/netns) the probe opens one raw ICMP socket
# inside it (setns), then every 0.5 s sends an echo request for every
# pair not yet answered, each pair with its own ICMP id, and matches
# echo replies by (socket, source address, id).
#
# Ends when every EXPECT 1 pair has been answered at least once (and the
# EXPECT 0 pairs were probed for 2 s more), or after TIMEOUT seconds.
# Prints one JSON object: pairs, answered, negatives, negatives_answered,
# full (seconds from T0, a "date +%s.%N" time, to the first reply of the
# last EXPECT 1 pair to answer; null if not all did), send_errors
# (sends the kernel refused), ok.  Exit status 0
# if ok: every EXPECT 1 pair answered and no EXPECT 0 pair did.
#
# --expect-none: every pair must stay silent for TIMEOUT seconds (the
# check before the ports are plugged, which shows the probe can fail).

import ctypes
import json
import os
import resource
import selectors
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
INTERVAL = 0.5
NEGATIVE_GRACE = 2.0


def enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (name, os.strerror(err)))
    finally:
        os.close(fd)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def echo_request(ident, seq):
    payload = b"dovetail-bringup"
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    csum = checksum(hdr + payload)
    return struct.pack("!BBHHH", 8, 0, csum, ident, seq) + payload


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    expect_none = "--expect-none" in sys.argv[1:]
    if len(args) != 3:
        sys.stderr.write(__doc__ if __doc__ else "usage: PAIRS T0 TIMEOUT\n")
        return 2
    pairs_file, t0, timeout = args[0], float(args[1]), float(args[2])

    pairs = []                  # [src netns, dst ip, expect]
    with open(pairs_file) as f:
        for line in f:
            words = line.split()
            if len(words) == 3:
                pairs.append((words[0], words[1],
                              words[2] == "1" and not expect_none))
    if len(pairs) >= 65536:
        sys.stderr.write("too many pairs (ICMP ids are 16 bits)\n")
        return 2

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    socks = {}                  # src netns -> socket
    sel = selectors.DefaultSelector()
    for src, _, _ in pairs:
        if src not in socks:
            enter_netns(src)
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                              socket.IPPROTO_ICMP)
            s.setblocking(False)
            socks[src] = s
            sel.register(s, selectors.EVENT_READ, src)

    # Pair index by (src netns, dst ip, ident).
    index = {(src, dst, i): i for i, (src, dst, _) in enumerate(pairs)}
    answered = [None] * len(pairs)      # time of first reply
    pending = set(range(len(pairs)))
    n_pos = sum(1 for p in pairs if p[2])
    n_pos_answered = 0
    neg_answered = 0
    send_errors = 0
    seq = 0
    start = time.time()
    all_pos_at = None
    next_send = start
    last_report = start

    while True:
        now = time.time()
        if expect_none:
            if now - start >= timeout:
                break
        elif all_pos_at is not None:
            if now - all_pos_at >= NEGATIVE_GRACE:
                break
        elif now - t0 >= timeout:
            break

        if now >= next_send:
            seq = (seq + 1) & 0xffff
            for i in pending:
                src, dst, _ = pairs[i]
                try:
                    socks[src].sendto(echo_request(i, seq), (dst, 0))
                except OSError:
                    # No neighbour yet, a full queue: retry, but count
                    # it (ENOBUFS from a full neighbour table is no
                    # fabric's fault).
                    send_errors += 1
            next_send = now + INTERVAL
        if now - last_report >= 5 and not expect_none:
            sys.stderr.write("probe: %d/%d pairs answered after %.1f s"
                             " (%d send errors)\n"
                             % (n_pos_answered, n_pos, now - t0,
                                send_errors))
            last_report = now

        for key, _ in sel.select(max(0.0, next_send - time.time())):
            src = key.data
            while True:
                try:
                    data, addr = key.fileobj.recvfrom(2048)
                except (BlockingIOError, InterruptedError):
                    break
                ihl = (data[0] & 0x0f) * 4
                if len(data) < ihl + 8 or data[ihl] != 0:
                    continue    # Not an echo reply.
                ident = struct.unpack("!H", data[ihl + 4:ihl + 6])[0]
                i = index.get((src, addr[0], ident))
                if i is None or answered[i] is not None:
                    continue
                t = time.time()
                answered[i] = t
                if pairs[i][2]:
                    n_pos_answered += 1
                    pending.discard(i)
                    if n_pos_answered == n_pos:
                        all_pos_at = t
                else:
                    neg_answered += 1
        if all_pos_at is None and n_pos == 0 and not expect_none:
            all_pos_at = time.time()

    n_any = sum(1 for t in answered if t is not None)
    full = None
    if n_pos and n_pos_answered == n_pos:
        full = round(max(t for i, t in enumerate(answered)
                         if pairs[i][2]) - t0, 3)
    if expect_none:
        ok = n_any == 0
    else:
        ok = n_pos_answered == n_pos and neg_answered == 0
    print(json.dumps({"pairs": n_pos, "answered": n_pos_answered,
                      "negatives": len(pairs) - n_pos,
                      "negatives_answered": neg_answered,
                      "any_answered": n_any, "send_errors": send_errors,
                      "full": full, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
