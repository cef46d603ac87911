#!/usr/bin/env python3
"""A NAS's Dynamic Authorization server (RFC 5176) for Portico's tests, on pyrad.

Listens on 127.0.0.1 (UDP, port 0 = one the kernel picks), prints "listening PORT" once ready,
and for every datagram appends one JSON line to --record: the code, Identifier, Request
Authenticator, whether pyrad found the Request Authenticator and Message-Authenticator valid for
--secret, the attributes by FreeRADIUS's dictionary names, and the source port. A request that
fails those checks is dropped unanswered, as a NAS does (RFC 5176 section 3.5). Valid ones are
answered as --coa / --disconnect say:

  ack             ACK (with a Message-Authenticator, RFC 5176 style)
  nak:CAUSE       NAK with Error-Cause CAUSE (e.g. nak:503)
  silent          no answer
  late:N          answer (ACK) only the N-th copy of a request (retransmission test)
  forged          an ACK signed with another secret, then nothing
  replay          the previous request's ACK (its bytes, with this request's Identifier), then nothing
  other-source    a valid ACK, but from another UDP port, then nothing
  forged-then-ack a forged ACK, then the valid one

Runs until killed (the tests stop it with SIGTERM).
"""
import argparse
import json
import signal
import socket
import sys

from pyrad import packet
from pyrad.dictionary import Dictionary

DICTIONARIES = ["rfc2865", "rfc2866", "rfc2869", "rfc3576", "rfc5176", "mikrotik"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--coa", default="ack")
    parser.add_argument("--disconnect", default="ack")
    parser.add_argument("--dictionary-dir", default="/usr/share/freeradius")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    dictionary = Dictionary(*["%s/dictionary.%s" % (args.dictionary_dir, name) for name in DICTIONARIES])
    secret = args.secret.encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.0.1", 0))
    print("listening %d" % sock.getsockname()[1], flush=True)

    copies = {}  # (source, id, authenticator) -> copies received
    last_ack = None
    while True:
        data, source = sock.recvfrom(4096)
        entry = {"sourcePort": source[1], "length": len(data)}
        try:
            request = packet.CoAPacket(packet=data, secret=secret, dict=dictionary)
        except Exception as error:  # a malformed datagram: recorded, never answered
            entry["error"] = "%s: %s" % (type(error).__name__, error)
            record(args.record, entry)
            continue
        entry.update(
            code=request.code,
            id=request.id,
            authenticator=request.authenticator.hex(),
            authenticatorValid=request.VerifyCoARequest(),
            messageAuthenticatorValid=(
                request.verify_message_authenticator() if request.message_authenticator else None
            ),
            attributes=attributes(request),
        )
        record(args.record, entry)
        if not entry["authenticatorValid"] or entry["messageAuthenticatorValid"] is False:
            continue
        key = (source, request.id, entry["authenticator"])
        copies[key] = copies.get(key, 0) + 1
        mode = args.coa if request.code == packet.CoARequest else args.disconnect
        ack = reply(request, None)
        if mode == "ack" or (mode == "late:%d" % copies[key]):
            sock.sendto(ack, source)
        elif mode.startswith("nak:"):
            sock.sendto(reply(request, int(mode[4:])), source)
        elif mode == "forged":
            sock.sendto(reply(request, None, secret=b"not-the-secret"), source)
        elif mode == "forged-then-ack":
            sock.sendto(reply(request, None, secret=b"not-the-secret"), source)
            sock.sendto(ack, source)
        elif mode == "replay" and last_ack is not None:
            sock.sendto(last_ack[:1] + bytes([request.id]) + last_ack[2:], source)
        elif mode == "other-source":
            other.sendto(ack, source)
        last_ack = ack


def reply(request, error_cause, secret=None):
    """The ACK (error_cause None) or NAK to a request, as pyrad encodes it."""
    answer = request.CreateReply()
    if error_cause is not None:
        answer.code = packet.CoANAK if request.code == packet.CoARequest else packet.DisconnectNAK
        answer["Error-Cause"] = error_cause
    if secret is not None:
        answer.secret = secret
    answer.add_message_authenticator()
    return answer.ReplyPacket()


def attributes(request):
    """The attributes as {name: [text values]}, in order; unknown ones by number, values in hex."""
    result = {}
    for key in request.keys():
        name = key if isinstance(key, str) else "Attr-%s" % (key,)
        values = request[key]
        result[name] = [value.hex() if isinstance(value, bytes) else str(value) for value in values]
    return result


def record(path, entry):
    with open(path, "a") as out:
        out.write(json.dumps(entry) + "\n")


if __name__ == "__main__":
    main()
