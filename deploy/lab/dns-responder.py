#!/usr/bin/env python3
"""A tiny DNS responder for the lab: answers A queries with DEFAULT, or with the address given
for the name as NAME=ADDRESS; other query types get an empty NOERROR answer. Enough for glibc's
resolver, curl and dnsmasq as its upstream. Usage: dns-responder.py BIND DEFAULT [NAME=ADDRESS ...]"""
import socket
import sys


def packed(address):
    return bytes(int(x) for x in address.split("."))


bind, default = sys.argv[1], packed(sys.argv[2])
names = {k.lower().rstrip("."): packed(v) for k, v in (a.split("=", 1) for a in sys.argv[3:])}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((bind, 53))
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 17:
        continue
    labels, end = [], 12
    while end < len(q) and q[end] != 0:
        labels.append(q[end + 1:end + 1 + q[end]].decode("ascii", "replace"))
        end += q[end] + 1
    end += 5
    is_a = q[end - 4:end - 2] == b"\x00\x01"
    answer = names.get(".".join(labels).lower(), default)
    r = q[:2] + b"\x81\x80" + q[4:6] + (b"\x00\x01" if is_a else b"\x00\x00") + b"\x00\x00\x00\x00" + q[12:end]
    if is_a:
        r += b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + answer
    s.sendto(r, peer)
