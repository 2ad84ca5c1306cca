#! /usr/bin/env python3
# odd-switch.py: an OpenFlow peer that sends messages whose lengths are not
# multiples of 8, for the dovetail system tests.
#
#   odd-switch.py SOCKET
#
# Connects to the controller's Unix socket SOCKET as a switch would, sends
# a hello (OpenFlow 1.4), and once the controller's hello has come sends, in
# one write, three echo requests: xid 101 with a 3-byte payload "odd" (11
# bytes long, so the next message starts 3 bytes past an 8-byte boundary),
# xid 102 with no payload, and xid 103 with a 5-byte payload "align".  Then
# reads until it has the three echo replies, and prints one line for each
# in the order they came:
#
#   echo reply xid=N payload=TEXT
#
# Exits 1 if the connection closes or 10 seconds pass first.  Messages other
# than echo replies (the controller's features request and the like) are
# read and ignored.  Needs the Python 3 standard library only.

import socket
import struct
import sys
import time

OFP14_VERSION = 5
OFPT_HELLO = 0
OFPT_ECHO_REQUEST = 2
OFPT_ECHO_REPLY = 3


def message(msg_type, xid, payload=b""):
    return struct.pack("!BBHI", OFP14_VERSION, msg_type, 8 + len(payload),
                       xid) + payload


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: odd-switch.py SOCKET\n")
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    sock.settimeout(1)
    sock.sendall(message(OFPT_HELLO, 1))

    deadline = time.monotonic() + 10
    buf = b""
    sent = False
    replies = []
    while len(replies) < 3:
        if time.monotonic() > deadline:
            sys.stderr.write("odd-switch.py: timed out\n")
            return 1
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if not data:
            sys.stderr.write("odd-switch.py: the controller closed the "
                             "connection\n")
            return 1
        buf += data
        while len(buf) >= 8:
            _, msg_type, length, xid = struct.unpack("!BBHI", buf[:8])
            if length < 8:
                sys.stderr.write("odd-switch.py: bad length %d\n" % length)
                return 1
            if len(buf) < length:
                break
            body, buf = buf[8:length], buf[length:]
            if msg_type == OFPT_HELLO and not sent:
                sock.sendall(message(OFPT_ECHO_REQUEST, 101, b"odd")
                             + message(OFPT_ECHO_REQUEST, 102)
                             + message(OFPT_ECHO_REQUEST, 103, b"align"))
                sent = True
            elif msg_type == OFPT_ECHO_REPLY:
                replies.append((xid, body.decode("ascii", "replace")))
    for xid, payload in replies:
        print("echo reply xid=%d payload=%s" % (xid, payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
