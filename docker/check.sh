#!/usr/bin/env bash
# Checks the container image as far as a machine that cannot pull base images or run
# containers can (CI's kind; .ci/run calls this):
#   1. hadolint passes docker/Dockerfile and docker/Dockerfile.scratch;
#   2. their runtime lines (between the `---- runtime` markers) are the same;
#   3. compose.yaml is read by docker-compose (`config`, when docker-compose is installed), and
#      it builds docker/Dockerfile from the workspace root, mounts scenarios at the image's
#      WORKDIR, publishes every EXPOSEd port and makes the app wait for a healthy simulator;
#   4. Dockerfile.scratch is built with buildah from BINARY, the shared libraries `ldd` names
#      for it and the shipped scenarios (in a private vfs store under a temporary directory);
#   5. the image is mounted and run as a container runtime would, from its own config: its
#      ENTRYPOINT and CMD chrooted into the mounted root, as its USER, with only its ENV (plus
#      what compose.yaml sets), in its WORKDIR, with the repository's scenarios bind-mounted
#      read-only at /scenarios, in a network namespace of its own (so ports 4700-4705 of the
#      machine are not touched); its HEALTHCHECK command, run the same way, must pass, then
#      /__admin/health, every EXPOSEd port and a scenario named by PAYOUTSIM_SCENARIO are
#      checked, and with PAYOUTSIM_DATA_DIR=/data (VOLUME /data, empty and owned by 65532 in the
#      image) its state file is written there; SIGTERM must stop it with exit 0.
# Not exercised: the multi-stage build of docker/Dockerfile itself (it pulls the Rust and
# distroless images), a container engine's own runtime, and `docker compose up`.
#
# Usage: docker/check.sh BINARY   (root: chroot, mount, network namespaces)
# Tools: buildah, hadolint (or HADOLINT=path), python3 with PyYAML (or PYTHON=path), iproute2,
# util-linux, curl; docker-compose optional.
set -euo pipefail

binary=${1:?usage: docker/check.sh BINARY}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
hadolint=${HADOLINT:-hadolint}
python=${PYTHON:-python3}
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then echo "check.sh: $binary is not an executable" >&2; exit 1; fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

work=$(mktemp -d "${TMPDIR:-/tmp}/payoutsim-check.XXXXXX")
netns=payoutsim-check-$$
image=localhost/payoutsim-scratch:check
server=
container=
mnt=
scenarios_mounted=
b() { buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs "$@"; }
cleanup() {
  set +e
  [ -n "$server" ] && kill -KILL "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -n "$scenarios_mounted" ] && umount "$mnt/scenarios"
  ip netns del "$netns" 2>/dev/null
  [ -n "$container" ] && { b umount "$container"; b rm "$container"; } >/dev/null 2>&1
  b rmi --all --force >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
# `timeout` stops it with SIGTERM: exit through the cleanup all the same.
trap 'exit 143' TERM INT
step() { echo "-- $*"; }
fail() { echo "check.sh: $*" >&2; exit 1; }

step "hadolint $("$hadolint" --version | grep -o '[0-9][0-9.]*' | head -1)"
"$hadolint" "$here/Dockerfile" "$here/Dockerfile.scratch"

step "the runtime lines of Dockerfile and Dockerfile.scratch are the same"
runtime() { sed -n '/^# ---- runtime/,/^# ---- end of runtime/p' "$1"; }
[ -n "$(runtime "$here/Dockerfile")" ] || fail "no runtime markers in Dockerfile"
diff <(runtime "$here/Dockerfile") <(runtime "$here/Dockerfile.scratch") \
  || fail "the runtime lines of Dockerfile and Dockerfile.scratch differ"

step "compose.yaml"
compose=$work/compose.yaml
if command -v docker-compose >/dev/null 2>&1; then
  # Its normalized form (paths resolved, ports one by one), without the variable it passes through.
  env -u PAYOUTSIM_SCENARIO docker-compose --project-directory "$here" -f "$here/compose.yaml" \
    config >"$compose"
else
  echo "(docker-compose not installed: the file is read as YAML only)"
  cp "$here/compose.yaml" "$compose"
fi

step "a FROM scratch image of $binary and the libraries it links"
context=$work/context
rootfs=$context/rootfs
install -D -m 0755 "$binary" "$rootfs/usr/local/bin/payoutsim"
# `ldd` prints `name => /path (addr)` per library and `/path (addr)` for the loader.
ldd "$binary" | grep -o '/[^ ]*' | while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
mkdir -p "$rootfs/usr/share/payoutsim" "$rootfs/scenarios"
cp -R "$repo/scenarios" "$rootfs/usr/share/payoutsim/scenarios"
install -d -m 1777 "$rootfs/tmp"
mkdir "$context/data"
cp "$here/Dockerfile.scratch" "$context/Dockerfile"
b bud --quiet --isolation chroot --format docker --pull=never -t "$image" "$context" >/dev/null
container=$(b from --pull=never "$image")
mnt=$(b mount "$container")
b inspect --type image "$image" >"$work/inspect.json"

# The image's config, the container's environment from compose.yaml, and what to run.
"$python" - "$work/inspect.json" "$compose" "$work" "$here/Dockerfile" <<'PY'
import json, pathlib, re, sys, yaml
config = json.load(open(sys.argv[1]))["Docker"]["config"]
compose = yaml.safe_load(open(sys.argv[2]))
out = pathlib.Path(sys.argv[3])
dockerfile = pathlib.Path(sys.argv[4])
def need(ok, what):
    if not ok:
        sys.exit(f"check.sh: {what}")
ports = {f"{p}/tcp" for p in range(4700, 4706)}
need(set(config.get("ExposedPorts") or {}) == ports, f"EXPOSE is not 4700-4705: {config.get('ExposedPorts')}")
need(config.get("User") == "65532:65532", f"USER is not 65532:65532: {config.get('User')}")
env = dict(e.split("=", 1) for e in config.get("Env") or [])
need(env.get("PAYOUTSIM_BIND") == "0.0.0.0", f"no PAYOUTSIM_BIND=0.0.0.0 in {env}")
test = (config.get("Healthcheck") or {}).get("Test") or []
need(test[:1] == ["CMD"] and len(test) > 1, f"no exec-form HEALTHCHECK: {config.get('Healthcheck')}")
argv = (config.get("Entrypoint") or []) + (config.get("Cmd") or [])
need(argv == ["/usr/local/bin/payoutsim", "serve"], f"ENTRYPOINT+CMD: {argv}")
workdir = config.get("WorkingDir") or "/"
need("/data" in (config.get("Volumes") or {}), f"no VOLUME /data: {config.get('Volumes')}")

services = compose.get("services") or {}
sim, app = services.get("payoutsim") or {}, services.get("app") or {}
build = sim.get("build") or {}
context = pathlib.Path(build.get("context", ".")) if "context" in build else None
need(build.get("dockerfile") == "docker/Dockerfile" and context is not None
     and (context if context.is_absolute() else dockerfile.parent / context).resolve() == dockerfile.parent.parent.resolve(),
     f"compose.yaml does not build docker/Dockerfile from the workspace root: {build}")
published = set()
for p in sim.get("ports") or []:
    if isinstance(p, dict):
        published.add(int(p["target"]))
    else:
        m = re.fullmatch(r'(?:[\d.]+:)?(\d+)(?:-(\d+))?:(\d+)(?:-(\d+))?', str(p))
        need(m, f"compose.yaml: unreadable port {p}")
        lo, hi = int(m.group(3)), int(m.group(4) or m.group(3))
        published.update(range(lo, hi + 1))
need({f"{p}/tcp" for p in published} == ports, f"compose.yaml publishes {sorted(published)}, not 4700-4705")
targets = [str(v).split(":")[1] if isinstance(v, str) else v.get("target") for v in sim.get("volumes") or []]
need(workdir in targets, f"compose.yaml mounts nothing at the image's WORKDIR {workdir}: {targets}")
need((app.get("depends_on") or {}).get("payoutsim", {}).get("condition") == "service_healthy",
     "compose.yaml's app does not wait for payoutsim to be healthy")

sim_env = sim.get("environment") or {}
if isinstance(sim_env, list):
    sim_env = dict(e.split("=", 1) if "=" in e else (e, None) for e in sim_env)
# A name without a value passes the shell's variable through: unset here.
env.update({k: str(v) for k, v in sim_env.items() if v is not None})
# Unless compose.yaml names some, a shipped scenario (rule `outage`), by a name relative to the
# WORKDIR; compose.yaml's own must load at least one rule.
rule = "" if "PAYOUTSIM_SCENARIO" in env else "outage"
env.setdefault("PAYOUTSIM_SCENARIO", "onepay-outage-503.yaml")
# State kept in the image's /data, as compose.yaml's commented lines would keep it.
env.setdefault("PAYOUTSIM_DATA_DIR", "/data")
(out / "rule").write_text(rule)
(out / "env").write_bytes(b"".join(f"{k}={v}\0".encode() for k, v in env.items()))
(out / "argv").write_bytes(b"".join(a.encode() + b"\0" for a in argv))
(out / "health").write_bytes(b"".join(a.encode() + b"\0" for a in test[1:]))
(out / "workdir").write_text(workdir)
(out / "seed").write_text(env.get("PAYOUTSIM_SEED", ""))
PY
mapfile -d '' -t env <"$work/env"
mapfile -d '' -t argv <"$work/argv"
mapfile -d '' -t health <"$work/health"
workdir=$(cat "$work/workdir")
seed=$(cat "$work/seed")
echo "image: user 65532:65532, workdir $workdir, ${argv[*]}, health: ${health[*]}"

[ "$(stat -c %u:%g "$mnt/data")" = 65532:65532 ] || fail "/data is not owned by 65532: $(stat -c %u:%g "$mnt/data")"
[ -z "$(ls -A "$mnt/data")" ] || fail "/data is not empty"
echo "/data: empty, owned by 65532:65532"

step "run it from the mounted root, as the image says, and wait for its health check"
mount --bind "$repo/scenarios" "$mnt/scenarios"
scenarios_mounted=1
mount -o remount,bind,ro "$mnt/scenarios"
ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
# As a container: chroot into the image's root, enter its WORKDIR, drop to its USER. Each
# command execs the next, so the pid of the background job is the simulator's.
in_image=(ip netns exec "$netns" env -i "${env[@]}"
  unshare --root="$mnt" --wd="$workdir" --setuid 65532 --setgid 65532 --)
"${in_image[@]}" "${argv[@]}" >"$work/server.log" 2>&1 &
server=$!
healthy=
for _ in $(seq 1 150); do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; fail "the entrypoint exited"; }
  if "${in_image[@]}" "${health[@]}" >"$work/health.out" 2>&1; then healthy=1; break; fi
  sleep 0.2
done
[ -n "$healthy" ] || { cat "$work/health.out" "$work/server.log" >&2; fail "unhealthy after 30 s"; }
echo "HEALTHCHECK: $(cat "$work/health.out")"
[ "$(readlink "/proc/$server/root")" = "$mnt" ] || fail "the simulator is not chrooted into $mnt"
[ "$(stat -c %u:%g "/proc/$server")" = 65532:65532 ] || fail "the simulator does not run as 65532"
[ "$(readlink "/proc/$server/cwd")" = "$mnt$workdir" ] || fail "the simulator is not in $workdir"
echo "pid $server: root $mnt, cwd $workdir, uid:gid 65532:65532"

ask() { ip netns exec "$netns" curl -sS --max-time 5 "$@"; }
ask "http://127.0.0.1:4700/__admin/health" >"$work/answer.json"
ask "http://127.0.0.1:4700/__admin/faults" >"$work/faults.json"
# The providers `--version` names (after its first two lines) must all be served.
"$binary" --version | tail -n +3 | awk '{print $1}' >"$work/providers"
"$python" - "$work/answer.json" "$work/faults.json" "$seed" "$work/providers" "$work/rule" <<'PY'
import json, pathlib, sys
health, faults, seed = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
want = sorted(pathlib.Path(sys.argv[4]).read_text().split())
rule = pathlib.Path(sys.argv[5]).read_text()
if health.get("status") != "ok" or sorted(health.get("providers", [])) != want or len(want) < 5:
    sys.exit(f"check.sh: /__admin/health: {health}, expected providers {want}")
if seed and str(health.get("seed")) != seed:
    sys.exit(f"check.sh: PAYOUTSIM_SEED={seed} not applied: {health}")
rules = [r.get("id") for r in faults.get("rules", [])]
if (rule and rules != [rule]) or (not rule and not rules):
    sys.exit(f"check.sh: PAYOUTSIM_SCENARIO from /scenarios not loaded: {faults}")
print(f"/__admin/health: ok, providers {', '.join(want)}, seed {health.get('seed')}; rules {rules} loaded")
PY
for port in 4701 4702 4703 4704 4705; do
  code=$(ask -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/") || fail "port $port does not answer"
  echo "port $port: HTTP $code"
done
ip netns exec "$netns" ss -Hltn | awk '{print $4}' | sort >"$work/listening"
for port in 4700 4701 4702 4703 4704 4705; do
  grep -qx "0.0.0.0:$port" "$work/listening" || { cat "$work/listening" >&2; fail "nothing on 0.0.0.0:$port"; }
done
echo "listening on 0.0.0.0:4700-4705"
# PAYOUTSIM_DATA_DIR=/data: the user wrote its state there (the scenario's setup at least).
[ -e "$mnt/data/payoutsim.db" ] || { ls -la "$mnt/data" >&2; fail "no /data/payoutsim.db"; }
[ "$(stat -c %u "$mnt/data/payoutsim.db")" = 65532 ] || fail "/data/payoutsim.db is not 65532's"
echo "/data/payoutsim.db: written by 65532"

step "SIGTERM stops it cleanly"
kill -TERM "$server"
status=0
timeout 10 tail --pid="$server" -f /dev/null || fail "still running 10 s after SIGTERM"
wait "$server" || status=$?
server=
[ "$status" -eq 0 ] || { cat "$work/server.log" >&2; fail "exit status $status after SIGTERM"; }
grep -q "SIGTERM: shutting down" "$work/server.log" || fail "no shutdown line in its log"
echo "container checks: all passed"
