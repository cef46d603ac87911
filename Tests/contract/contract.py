#!/usr/bin/env python3
"""The admin API against its own OpenAPI document (make contract / make contract-short).

1. A demo database (`portico demo --populate-only`) and a bearer token (`portico api-token create`)
   in a temporary directory.
2. `portico serve` on 127.0.0.1, on free ports, with the `off` firewall.
3. `/api/v1/openapi.json` validated with openapi-spec-validator.
4. schemathesis against the live server with the token: no 5xx (`not_a_server_error`), every
   response as documented (`response_schema_conformance`, `status_code_conformance`,
   `content_type_conformance`), within a bounded number of examples, time and per-request timeout.
5. The server's log holds no "api request failed" (a 500 the checks might not have seen).

The server is always stopped, whatever happens. Exit 0 when every step passed.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from openapi_spec_validator import validate

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str]) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def wait_for(url: str, server: subprocess.Popen, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        if server.poll() is not None:
            raise SystemExit(f"contract: portico serve exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"contract: no answer from {url} in {seconds:.0f} s")
            time.sleep(0.2)


def operations(document: dict) -> int:
    methods = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
    return sum(1 for item in document.get("paths", {}).values() for key in item if key in methods)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portico", default=".build/debug/portico", type=os.path.abspath)
    parser.add_argument("--schemathesis", default=os.path.join(os.path.dirname(sys.executable), "schemathesis"))
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--max-time", type=int, default=0, help="seconds for the whole run (0: no budget)")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed (default: random)")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    args = parser.parse_args()

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="portico-contract-")
    database = os.path.join(work, "portico.db")
    log_path = os.path.join(work, "serve.log")
    print(f"contract: database and logs in {work}")
    run([args.portico, "demo", "--populate-only", "--database", database])
    token = run([args.portico, "api-token", "create", "--name", "contract", "--database", database]).strip()
    admin, portal = free_port(), free_port()
    base = f"http://127.0.0.1:{admin}/api/v1"
    log = open(log_path, "w")
    server = subprocess.Popen(
        [args.portico, "serve", "--database", database, "--firewall", "off",
         "--admin-listen", f"127.0.0.1:{admin}", "--portal-listen", f"127.0.0.1:{portal}"],
        stdout=log, stderr=subprocess.STDOUT)
    ok = False
    try:
        document = json.loads(wait_for(f"{base}/openapi.json", server, 30))
        validate(document)
        print(f"contract: {base}/openapi.json is a valid OpenAPI {document.get('openapi')} document "
              f"({operations(document)} operations)")

        command = [
            args.schemathesis, "run", f"{base}/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", CHECKS,
            "--max-examples", str(args.max_examples),
            "--phases", args.phases,
            "--request-timeout", "10",
            "--workers", "1",
            "--generation-database", "none",
            "--no-color",
            "--report", "junit", "--report-dir", work,
        ]
        if args.max_time > 0:
            command += ["--max-time", str(args.max_time)]
        if args.seed is not None:
            command += ["--seed", str(args.seed)]
        # In the temporary directory: schemathesis keeps a cache of failures (.schemathesis/) in its cwd.
        result = subprocess.run(command, cwd=work)
        if server.poll() is not None:
            print(f"contract: portico serve died during the run (exit {server.returncode}); log: {log_path}")
            return 1
        log.flush()
        with open(log_path) as f:
            failures = [line.rstrip() for line in f if "api request failed" in line]
        for line in failures[:10]:
            print(f"contract: server logged: {line}")
        ok = result.returncode == 0 and not failures
        print(f"contract: {'ok' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s"
              + ("" if ok else f"; database, log and report kept in {work}"))
        return 0 if ok else 1
    finally:
        stop(server)
        log.close()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
