#! /usr/bin/env python3
# flood.py: sends UDP/IPv4 frames to a stream of new destinations, paced,
# through an AF_PACKET socket, for the dovetail fault tests.
#
#   flood.py --iface eth0 --src-mac 02:00:00:00:00:01 --src-ip 10.0.0.1 \
#            --dst-net 10.16.0.0/12 --rate 50000 [--dst-mac MAC]
#            [--min-duration SEC] [--max-duration SEC] [--count N]
#
# Every frame goes to the next address of --dst-net (sequentially, so no
# address repeats until the whole network was used), from the given source
# MAC and IPv4 address (so that it passes the vswitch's port security),
# UDP port 9 to port 9, with a valid IPv4 header checksum and no UDP
# checksum.  Frames leave in batches every millisecond, paced to --rate
# per second on average.
#
# Prints "flooding" when the first batch is out, then "t=N sent=M" every
# second.  Stops on SIGINT or SIGTERM once --min-duration seconds have
# passed (a signal before that only ends it then), or after --max-duration
# seconds, or once N frames are out; then prints
#
#   sent=N seconds=S rate=R/s errors=E stopped=signal|timeout|count
#
# Needs root (CAP_NET_RAW) and the Python 3 standard library only.

import argparse
import ipaddress
import signal
import socket
import struct
import sys
import time


def parse_mac(s):
    b = bytes(int(x, 16) for x in s.split(':'))
    if len(b) != 6:
        raise ValueError('%s: not a MAC address' % s)
    return b


def ip_checksum_partial(header):
    """One's complement sum of 'header' (even length), not folded."""
    total = 0
    for i in range(0, len(header), 2):
        total += (header[i] << 8) | header[i + 1]
    return total


def main():
    p = argparse.ArgumentParser(description='paced flood of new '
                                'destinations over AF_PACKET')
    p.add_argument('--iface', required=True)
    p.add_argument('--src-mac', required=True)
    p.add_argument('--src-ip', required=True)
    p.add_argument('--dst-mac', default='02:00:00:ff:ff:fe',
                   help='destination MAC (any unicast)')
    p.add_argument('--dst-net', default='10.16.0.0/12')
    p.add_argument('--rate', type=int, default=50000,
                   help='frames per second')
    p.add_argument('--min-duration', type=float, default=0.0)
    p.add_argument('--max-duration', type=float, default=10.0)
    p.add_argument('--count', type=int, default=0,
                   help='stop after this many frames (0: no limit)')
    args = p.parse_args()

    src_mac = parse_mac(args.src_mac)
    dst_mac = parse_mac(args.dst_mac)
    src_ip = ipaddress.IPv4Address(args.src_ip).packed
    net = ipaddress.IPv4Network(args.dst_net, strict=False)
    first = int(net.network_address)
    n_addrs = net.num_addresses

    stop = {'signal': False}

    def on_signal(signum, frame):
        stop['signal'] = True
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    # Ethernet + IPv4 (20 bytes) + UDP (8) + 18 bytes of payload: 64 bytes
    # with the Ethernet FCS the wire would add.
    payload = b'dovetail-flood\0\0\0\0'
    udp = struct.pack('!HHHH', 9, 9, 8 + len(payload), 0) + payload
    ip_len = 20 + len(udp)
    # IPv4 header with destination 0 and checksum 0: its sum is constant,
    # the destination's two words are added per frame.
    ip_tmpl = struct.pack('!BBHHHBBH4s4s', 0x45, 0, ip_len, 0, 0x4000, 64,
                          17, 0, src_ip, b'\0\0\0\0')
    base_sum = ip_checksum_partial(ip_tmpl)
    eth = dst_mac + src_mac + b'\x08\x00'
    head = eth + ip_tmpl[:10]           # Up to the IPv4 checksum.
    mid = src_ip                        # Between checksum and destination.

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.iface, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    send = sock.send
    pack = struct.pack

    sent = errors = 0
    idx = 0
    start = time.monotonic()
    next_report = 1
    announced = False
    batch_period = 0.001
    per_batch = max(1, args.rate // 1000)
    stopped = 'timeout'
    while True:
        now = time.monotonic()
        elapsed = now - start
        if elapsed >= args.max_duration:
            break
        if stop['signal'] and elapsed >= args.min_duration:
            stopped = 'signal'
            break
        # Catch up to where the pace says we should be.
        due = int(elapsed * args.rate) + per_batch
        if args.count and due > args.count:
            due = args.count
        while sent + errors < due:
            dst = first + idx % n_addrs
            idx += 1
            s = base_sum + (dst >> 16) + (dst & 0xffff)
            s = (s & 0xffff) + (s >> 16)
            s = (s & 0xffff) + (s >> 16)
            frame = (head + pack('!H', ~s & 0xffff) + mid
                     + pack('!I', dst) + udp)
            try:
                send(frame)
                sent += 1
            except OSError:
                errors += 1
        if not announced:
            print('flooding', flush=True)
            announced = True
        if args.count and sent + errors >= args.count:
            stopped = 'count'
            break
        if elapsed >= next_report:
            print('t=%d sent=%d' % (next_report, sent), flush=True)
            next_report += 1
        # Sleep until the next batch is due.
        wake = start + (sent + errors) / args.rate
        delay = wake - time.monotonic()
        if delay > 0:
            time.sleep(min(delay, batch_period))
    seconds = time.monotonic() - start
    print('sent=%d seconds=%.2f rate=%d/s errors=%d stopped=%s'
          % (sent, seconds, sent / seconds if seconds else 0, errors,
             stopped), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
