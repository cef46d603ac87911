#!/usr/bin/env python3
"""A tiny DNS responder for the lab: answers every A query with one address, other types with
an empty NOERROR answer. Enough for glibc's resolver and curl. Usage: dns-responder.py BIND ANSWER"""
import socket
import sys

bind, answer = sys.argv[1], bytes(int(x) for x in sys.argv[2].split("."))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((bind, 53))
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 17:
        continue
    end = 12
    while end < len(q) and q[end] != 0:
        end += q[end] + 1
    end += 5
    is_a = q[end - 4:end - 2] == b"\x00\x01"
    r = q[:2] + b"\x81\x80" + q[4:6] + (b"\x00\x01" if is_a else b"\x00\x00") + b"\x00\x00\x00\x00" + q[12:end]
    if is_a:
        r += b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + answer
    s.sendto(r, peer)
