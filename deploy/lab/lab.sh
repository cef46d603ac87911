#!/bin/sh
# Portico's walled garden on one machine: three network namespaces and the real binary.
#
#   client   (10.10.0.2 owes money, 10.10.0.3 pays)  c0 ── r0  router (10.10.0.1, portico serve,
#   internet (10.20.0.2 HTTP, 10.20.0.53 DNS)        i0 ── r1         nftables table inet portico)
#
#   deploy/lab/lab.sh up       build the namespaces, start the servers, create the two clients
#   deploy/lab/lab.sh demo     walk through the flow with curl (suspends the client again first)
#   deploy/lab/lab.sh suspend  suspend Sam by hand (admin API); release undoes it
#   deploy/lab/lab.sh release
#   deploy/lab/lab.sh status   portico firewall status, from outside the router namespace
#   deploy/lab/lab.sh down     stop what `up` started, delete the namespaces and the state
#
# Root only. Nothing leaves the namespaces; the host's own network is not touched.
# PORTICO=path/to/portico picks the binary (default: .build/release/portico, else .build/debug).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB=${LAB:-plab}
STATE=${LAB_STATE:-/run/portico-lab-$LAB}
C=$LAB-client R=$LAB-router I=$LAB-internet
PORTAL=http://10.10.0.1:8080
ADMIN=http://10.10.0.1:8081/api/v1
# The walled-garden flags; `firewall status` must be given the same ones as serve.
FLAGS="--portal-listen 10.10.0.1:8080 --client-interface r0 --dns-server 10.20.0.53"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
in_ns() { ns=$1; shift; ip netns exec "$ns" "$@"; }

portico_binary() {
    if [ -n "${PORTICO:-}" ]; then echo "$PORTICO"; return; fi
    for b in "$ROOT/.build/release/portico" "$ROOT/.build/debug/portico"; do
        [ -x "$b" ] && { echo "$b"; return; }
    done
    (cd "$ROOT" && swift build --product portico >&2)
    echo "$ROOT/.build/debug/portico"
}

# start NAME NAMESPACE COMMAND...: in the background, pid and log in $STATE.
start() {
    name=$1 ns=$2; shift 2
    nohup ip netns exec "$ns" "$@" >"$STATE/$name.log" 2>&1 &
    echo $! >"$STATE/$name.pid"
}

# api METHOD PATH [JSON]: the admin API from the router itself, with the lab's token.
api() {
    in_ns "$R" curl -sf -X "$1" -H "Authorization: Bearer $(cat "$STATE/token")" \
        -H 'Content-Type: application/json' ${3:+--data "$3"} "$ADMIN$2"
}
json_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

up() {
    [ "$(id -u)" = 0 ] || { echo "lab.sh: needs root (network namespaces, nftables)" >&2; exit 1; }
    if ip netns list | grep -qw "$R"; then echo "lab.sh: already up (lab.sh down first)" >&2; exit 1; fi
    for tool in ip nft curl python3; do
        command -v $tool >/dev/null || { echo "lab.sh: $tool is missing (make deps)" >&2; exit 1; }
    done
    PORTICO=$(portico_binary)
    mkdir -p "$STATE" "/etc/netns/$C"
    echo "$PORTICO" >"$STATE/binary"

    say "namespaces $C, $R, $I"
    for ns in $C $R $I; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
    ip link add c0 netns "$C" type veth peer name r0 netns "$R"
    ip link add r1 netns "$R" type veth peer name i0 netns "$I"
    ip -n "$C" addr add 10.10.0.2/24 dev c0
    ip -n "$C" addr add 10.10.0.3/24 dev c0
    ip -n "$C" addr add 10.10.0.4/24 dev c0   # an operator's laptop on the LAN (no service: never walled in)
    ip -n "$R" addr add 10.10.0.1/24 dev r0
    ip -n "$R" addr add 10.20.0.1/24 dev r1
    ip -n "$I" addr add 10.20.0.2/24 dev i0
    ip -n "$I" addr add 10.20.0.53/24 dev i0
    for pair in "$C c0" "$R r0" "$R r1" "$I i0"; do set -- $pair; ip -n "$1" link set "$2" up; done
    ip -n "$C" route add default via 10.10.0.1
    ip -n "$I" route add default via 10.20.0.1
    in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
    # `ip netns exec` mounts this over /etc/resolv.conf inside the client namespace.
    printf 'nameserver 10.20.0.53\noptions timeout:1 attempts:2\n' >"/etc/netns/$C/resolv.conf"

    say "internet host: HTTP on 10.20.0.2:80, DNS on 10.20.0.53:53 (every name -> 10.20.0.2)"
    mkdir -p "$STATE/www"
    echo '<h1>Hello from the internet host</h1>' >"$STATE/www/index.html"
    start http "$I" python3 -m http.server 80 --bind 10.20.0.2 --directory "$STATE/www"
    start dns "$I" python3 "$ROOT/deploy/lab/dns-responder.py" 10.20.0.53 10.20.0.2

    say "router: $PORTICO serve --firewall nftables"
    "$PORTICO" api-token create --database "$STATE/portico.db" --name lab >"$STATE/token"
    # shellcheck disable=SC2086
    start portico "$R" "$PORTICO" serve --database "$STATE/portico.db" --templates "$ROOT/templates" \
        --admin-listen 10.10.0.1:8081 --firewall nftables $FLAGS --reconcile-interval 10
    i=0
    until in_ns "$R" curl -sf -o /dev/null "$PORTAL/api/captive"; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then cat "$STATE/portico.log" >&2; echo "lab.sh: portico did not start" >&2; exit 1; fi
        sleep 0.1
    done

    say "clients through the admin API: Sam (10.10.0.2) owes three months, Ana (10.10.0.3) starts today"
    plan=$(api POST /plans '{"name":"Home 30","monthlyPrice":3000,"billingPeriods":[1,3]}' | json_id)
    sam=$(api POST /clients '{"name":"Sam Suspended","email":"sam@example.net"}' | json_id)
    ana=$(api POST /clients '{"name":"Ana Active","email":"ana@example.net"}' | json_id)
    from=$(date -u -d '-3 months' +%F)
    today=$(date -u +%F)
    api POST /services "{\"clientId\":$sam,\"planId\":$plan,\"activeFrom\":\"$from\",\"addresses\":[\"10.10.0.2\"]}" \
        | json_id >"$STATE/sam-service"
    api POST /services "{\"clientId\":$ana,\"planId\":$plan,\"activeFrom\":\"$today\",\"addresses\":[\"10.10.0.3\"]}" \
        | json_id >"$STATE/ana-service"
    api POST /billing/run "{\"date\":\"$today\"}" >/dev/null
    api GET /walled-garden
    echo
    say "up. Try: lab.sh demo   (logs in $STATE)"
}

demo() {
    [ -f "$STATE/token" ] || { echo "lab.sh: not up (lab.sh up)" >&2; exit 1; }
    if ! api GET /walled-garden | grep -q 10.10.0.2; then
        echo "lab.sh: Sam has paid already; for a fresh lab: lab.sh down; lab.sh up" >&2
        exit 1
    fi

    say "1. Sam (10.10.0.2, suspended) asks for http://10.20.0.2/ : DNAT to the portal, 302 to its page"
    in_ns "$C" curl -si -m 3 http://10.20.0.2/ | sed -n '1p;/^Location/p'
    in_ns "$C" curl -sL -m 3 http://10.20.0.2/ | sed -n 's/.*<title>\(.*\)<\/title>.*/page title: \1/p'

    say "2. his HTTPS attempt (TCP 443) is reset at once"
    in_ns "$C" curl -s -m 3 -o /dev/null https://10.20.0.2/ || echo "curl exit $? (7 = connection refused/reset)"

    say "3. DNS works through the one allowed resolver (10.20.0.53); the name's host is walled in too"
    in_ns "$C" getent ahostsv4 shop.example | head -1
    in_ns "$C" curl -si -m 3 http://shop.example/ | sed -n '1p;/^Location/p'

    say "4. Ana (10.10.0.3, paying) reaches the internet host"
    in_ns "$C" curl -s -m 3 --interface 10.10.0.3 http://10.20.0.2/

    say "5. Sam pays through the test gateway (POST /pay with the page's CSRF token, then the gateway's signed form)"
    csrf=$(in_ns "$C" curl -s -m 3 "$PORTAL/" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    gateway=$(in_ns "$C" curl -si -m 3 --data-urlencode "csrf=$csrf" "$PORTAL/pay" \
        | sed -n 's/^Location: *\([^[:space:]]*\).*/\1/p')
    echo "POST /pay -> $gateway"
    page=$(in_ns "$C" curl -s -m 3 "$PORTAL$gateway")
    field() { echo "$page" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
    in_ns "$C" curl -si -m 3 --data-urlencode outcome=paid --data-urlencode "amount=$(field amount)" \
        --data-urlencode "currency=$(field currency)" --data-urlencode "signature=$(field signature)" \
        "$PORTAL$gateway" | sed -n '1p;/^Location/p'
    in_ns "$C" curl -s -m 3 "$PORTAL${gateway#/test-gateway}" | sed -n 's/.*id="status">\(.*\)<\/p>.*/\1/p'

    say "6. Sam's next request reaches the internet host"
    in_ns "$C" curl -s -m 3 http://10.20.0.2/

    status
}

suspend() {
    api POST "/services/$(cat "$STATE/sam-service")/suspend" '{"reason":"lab"}' >/dev/null
    echo "suspended 10.10.0.2 again"
}

release() {
    api POST "/services/$(cat "$STATE/sam-service")/release" '{"reason":"lab"}' >/dev/null
    echo "released 10.10.0.2"
}

status() {
    say "portico firewall status (kernel sets against the database)"
    # shellcheck disable=SC2086
    "$(cat "$STATE/binary")" firewall status --database "$STATE/portico.db" --netns "$R" $FLAGS
}

down() {
    for name in portico http dns; do
        if [ -f "$STATE/$name.pid" ]; then kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true; fi
    done
    sleep 0.3
    for ns in $C $R $I; do ip netns delete "$ns" 2>/dev/null || true; done
    rm -rf "$STATE" "/etc/netns/$C"
    echo "lab down"
}

case "${1:-}" in
    up) up ;;
    demo) demo ;;
    suspend) suspend ;;
    release) release ;;
    status) status ;;
    down) down ;;
    *) echo "usage: $0 up|demo|suspend|release|status|down" >&2; exit 2 ;;
esac
