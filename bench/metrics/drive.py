# Sends N keep-alive requests for a foreign host (the portal's redirect) and prints the status counts.
import http.client, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
codes = {}
for i in range(n):
    c.request("GET", "/generate_204", headers={"Host": "example.com"})
    r = c.getresponse(); r.read()
    codes[r.status] = codes.get(r.status, 0) + 1
print(codes)
