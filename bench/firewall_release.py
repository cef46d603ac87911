#!/usr/bin/env python3
"""Release latency in the lab (deploy/lab): from the admin API's answer to a release to the
client's first successful request to the internet host.

Runs inside the lab's client namespace. Each round: suspend the service through the admin API
(from 10.10.0.4, an operator's address that is not walled in), check the client (10.10.0.3) is
redirected to the portal, release through the API, then poll http://10.20.0.2/ from the client on
new connections until the internet host answers 200. Also times the same request from a client
that is not suspended (the floor: what one request costs here).

usage: firewall_release.py TOKEN SERVICE_ID [ROUNDS]
"""
import http.client
import json
import statistics
import sys
import time

token, service, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200
CLIENT, OPERATOR = "10.10.0.3", "10.10.0.4"


def api(path):
    c = http.client.HTTPConnection("10.10.0.1", 8081, timeout=5, source_address=(OPERATOR, 0))
    c.request("POST", "/api/v1/services/%s/%s" % (service, path), body=json.dumps({"reason": "bench"}),
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        sys.exit("%s: HTTP %d %s" % (path, r.status, body[:200]))


def fetch():
    """One request from the client on a new connection: (status, body) or (None, error)."""
    c = http.client.HTTPConnection("10.20.0.2", 80, timeout=2, source_address=(CLIENT, 0))
    try:
        c.request("GET", "/")
        r = c.getresponse()
        return r.status, r.read()
    except OSError as e:
        return None, str(e)
    finally:
        c.close()


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))]


floor, latency, polls, api_release = [], [], [], []
for i in range(rounds):
    t = time.perf_counter()
    status, _ = fetch()
    floor.append(time.perf_counter() - t)
    if status != 200:
        sys.exit("round %d: the client is not online before the suspension (%s)" % (i, status))
    api("suspend")
    status, body = fetch()
    if status != 302:
        sys.exit("round %d: suspended client not redirected (got %s %r)" % (i, status, body[:100]))
    t0 = time.perf_counter()
    api("release")
    t1 = time.perf_counter()
    api_release.append(t1 - t0)
    n = 0
    while True:
        n += 1
        status, body = fetch()
        if status == 200 and b"internet host" in body:
            break
        if time.perf_counter() - t1 > 5:
            sys.exit("round %d: client still not online 5 s after the release (%s %r)" % (i, status, body[:100]))
    latency.append(time.perf_counter() - t1)
    polls.append(n)

ms = lambda v: "%.2f" % (v * 1000)
print("| figure (%d rounds) | median ms | p99 ms | max ms |" % rounds)
print("|---|---:|---:|---:|")
print("| release → first 200 from the internet host | %s | %s | %s |"
      % (ms(statistics.median(latency)), ms(percentile(latency, 99)), ms(max(latency))))
print("| the same request from a client not suspended (floor) | %s | %s | %s |"
      % (ms(statistics.median(floor)), ms(percentile(floor, 99)), ms(max(floor))))
print("| POST /services/{id}/release (DB transaction, set delete, conntrack, reply) | %s | %s | %s |"
      % (ms(statistics.median(api_release)), ms(percentile(api_release, 99)), ms(max(api_release))))
print("\nrequests needed after the release: %d round(s) needed more than one" % sum(1 for n in polls if n > 1))
