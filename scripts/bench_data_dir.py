#!/usr/bin/env python3
"""--data-dir figures: OnePay create-cashout throughput with and without --data-dir (one client,
one keep-alive connection, sequential, so the figure is the per-request cost), and start-up time
on a directory holding N cashouts. Usage: bench_data_dir.py BINARY [N_THROUGHPUT] [N_STARTUP]"""
import http.client, json, os, shutil, subprocess, sys, tempfile, time

BIN = sys.argv[1]
N_RATE = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
N_START = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
KEY = "sk_test_bench"


def start(port, data_dir=None):
    # One tenant holds every cashout of the start-up figure, none settled (manual clock): the
    # object bounds are raised past it.
    room = str(max(N_START, N_RATE) + 1000)
    args = [BIN, "serve", "--port-base", str(port), "--clock", "manual", "--seed", "5",
            "--max-objects-per-tenant", room, "--max-objects", room]
    if data_dir:
        args += ["--data-dir", data_dir]
    ready = tempfile.mktemp(suffix=".json")
    began = time.monotonic()
    child = subprocess.Popen(args + ["--ready-file", ready], stderr=subprocess.DEVNULL)
    while not os.path.exists(ready):
        if child.poll() is not None:
            raise SystemExit(f"payoutsim exited with {child.returncode}")
        time.sleep(0.005)
    return child, time.monotonic() - began


def call(conn, method, path, body=None, idem=None):
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    if idem:
        headers["x-idempotency"] = idem
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    resp = conn.getresponse()
    data = resp.read()
    assert resp.status < 300, (path, resp.status, data)
    return json.loads(data)


def fixture(conn):
    bank = call(conn, "GET", "/v1/banks")["data"][0]["id"]
    customer = call(conn, "POST", "/v1/customers", {"user_type": "natural", "first_name": "Ana",
        "last_name": "Gomez", "email": "ana@example.com", "document_type": "CC",
        "document_number": "1020304050"}, "c")["id"]
    account = call(conn, "POST", "/v1/accounts", {"subtype": "SAVINGS", "authorization": True,
        "account_number": "1234567890", "customer_id": customer, "bank_id": bank}, "a")["id"]
    return customer, account


def cashouts(port, n):
    conn = http.client.HTTPConnection("127.0.0.1", port + 2)
    customer, account = fixture(conn)
    began = time.monotonic()
    for i in range(n):
        call(conn, "POST", "/v1/cashouts", {"amount": 1000, "currency": "COP", "method": "TURBO",
            "customer_id": customer, "account_id": account}, f"k{i}")
    return n / (time.monotonic() - began)


def main():
    port = 17700
    rates = {}
    for mode in ["without", "with", "without ", "with "]:
        d = tempfile.mkdtemp() if mode.strip() == "with" else None
        child, _ = start(port, d)
        rates.setdefault(mode.strip(), []).append(cashouts(port, N_RATE))
        child.kill(); child.wait()
        if d:
            shutil.rmtree(d)
    without, with_ = max(rates["without"]), max(rates["with"])
    print(f"create-cashout, {N_RATE} sequential: without --data-dir {without:.0f}/s, "
          f"with {with_:.0f}/s, ratio {with_ / without:.2f}")
    d = tempfile.mkdtemp()
    child, _ = start(port, d)
    cashouts(port, N_START)
    child.kill(); child.wait()
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    child, took = start(port, d)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", f"/__admin/providers/onepay/objects?limit=1")
    total = json.loads(conn.getresponse().read())["total"]
    child.kill(); child.wait()
    shutil.rmtree(d)
    print(f"start-up on a directory of {N_START} cashouts ({total} objects, "
          f"{size / 1e6:.0f} MB): ready in {took:.1f} s")


main()
