#!/usr/bin/env python3
"""The release binary's link order (crates/payoutsim/build.rs): the functions a start of
`payoutsim serve` runs, so that the linker puts them together and an idle simulator keeps few
pages of its text resident.

  scripts/link_order.py record [BINARY]   write crates/payoutsim/link-order.txt
  scripts/link_order.py check [BINARY]    how many of the order's names BINARY defines, how
                                          many 64 KiB windows they lie in, and its idle RSS;
                                          exits 1 if under --min (0.95) are found, or if they
                                          lie in over twice the windows their size needs

BINARY is target/release/payoutsim by default. `record` needs valgrind (Debian's package): it
runs a start under callgrind (every provider, as `serve` starts by default), until the ready file is
written and 3 s more of idle, and keeps each function callgrind saw that the binary's symbol
table names, in the order of their addresses in BINARY. Record from a build of the same
toolchain, dependencies and profile as the one to be ordered (`cargo build --release -p
payoutsim` with `PAYOUTSIM_LINK_ORDER=off` or the order in place: the names are the same);
symbol names carry a hash of their crate's version, features and the compiler, so an order
recorded elsewhere matches only in part.
"""
import os, re, shutil, signal, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER = os.path.join(ROOT, "crates", "payoutsim", "link-order.txt")


def defined(binary):
    """The functions BINARY defines: their addresses and sizes, by name."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True,
                         check=True).stdout
    names = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            names[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
    return names


def start(binary, port, ready, prefix=()):
    """`payoutsim serve` on `port`.. with a manual clock, once its ready file is written."""
    child = subprocess.Popen(list(prefix) + [binary, "serve", "--port-base", str(port),
                                             "--clock", "manual", "--ready-file", ready],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not os.path.exists(ready):
        if child.poll() is not None:
            sys.exit(f"payoutsim exited with {child.returncode} before it was ready")
        if time.monotonic() > deadline:
            child.kill()
            sys.exit("payoutsim was not ready in 120 s")
        time.sleep(0.01)
    return child


def record(binary):
    if not shutil.which("valgrind"):
        sys.exit("record needs valgrind (apt-get install valgrind)")
    work = tempfile.mkdtemp()
    out = os.path.join(work, "callgrind.out")
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--demangle=no",
                "--dump-instr=no"]
    child = start(binary, 7780, os.path.join(work, "ready"), valgrind)
    time.sleep(3)
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=120)
    seen = set()
    with open(out, errors="replace") as f:
        for line in f:
            m = re.match(r"^c?fn=\(\d+\) (.+)$", line.rstrip("\n"))
            if m:
                seen.add(m.group(1))
    names = defined(binary)
    order = sorted((n for n in seen if n in names), key=lambda n: names[n][0])
    with open(ORDER, "w") as f:
        f.write("\n".join(order) + "\n")
    windows = len({names[n][0] >> 16 for n in order})
    print(f"{len(order)} functions run by a start, over {windows} 64 KiB windows of the text "
          f"as linked now; written to {os.path.relpath(ORDER, ROOT)}")
    shutil.rmtree(work, ignore_errors=True)


def idle_rss_kib(binary):
    work = tempfile.mkdtemp()
    child = start(binary, 7790, os.path.join(work, "ready"))
    time.sleep(0.5)
    with open(f"/proc/{child.pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    child.terminate()
    child.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)
    return rss


def check(binary, minimum):
    with open(ORDER) as f:
        order = [l.strip() for l in f if l.strip()]
    names = defined(binary)
    found = [n for n in order if n in names]
    share = len(found) / len(order) if order else 0.0
    # Linked in the order, the functions fill about as many 64 KiB windows as their size needs;
    # in the default order they are spread over several times as many.
    windows = len({names[n][0] >> 16 for n in found})
    least = -(-sum(names[n][1] for n in found) // 65536)
    rss = sorted(idle_rss_kib(binary) for _ in range(3))[1]
    print(f"link order: {len(found)} of {len(order)} names defined by {binary} ({share:.0%}), "
          f"in {windows} 64 KiB windows of the text (their size needs {least}); "
          f"idle RSS {rss / 1024:.1f} MiB (median of 3 starts)")
    if share < minimum:
        print(f"under {minimum:.0%}: the order is stale for this toolchain or these "
              "dependencies; record it again with scripts/link_order.py record")
        sys.exit(1)
    if windows > 2 * least:
        print(f"more than {2 * least} windows: the binary was not linked in the order "
              "(crates/payoutsim/build.rs, PAYOUTSIM_LINK_ORDER, the linker's warning)")
        sys.exit(1)


def main():
    args = sys.argv[1:]
    # 89% of names found still let idle RSS rise from 7.8 to 11.3 MiB (BENCHMARKS.md).
    minimum = 0.95
    if "--min" in args:
        at = args.index("--min")
        minimum = float(args[at + 1])
        del args[at:at + 2]
    if not args or args[0] not in ("record", "check"):
        sys.exit(__doc__)
    binary = args[1] if len(args) > 1 else os.path.join(ROOT, "target", "release", "payoutsim")
    if args[0] == "record":
        record(binary)
    else:
        check(binary, minimum)


if __name__ == "__main__":
    main()
