"""The adapter side of payoutsim's client adapter protocol (docs/adapter-protocol.md).

An adapter wraps a team's own payout client: it reads one JSON message per line on stdin,
performs each operation with the client and writes one answer per line on stdout. Copy this file
as it is; write the part that maps operations to your client (see onepay_adapter.py).
"""

import json
import sys

PROTOCOL = 1


class Rejected(Exception):
    """The provider answered and refused: its HTTP status and its own error code."""

    def __init__(self, status, code=None, message=""):
        super().__init__(message or f"HTTP {status}")
        self.status, self.code, self.message = status, code, message


class Timeout(Exception):
    """No answer within the client's timeout: the outcome is unknown."""


class ConnectionFailed(Exception):
    """The connection could not be made or broke before an answer."""


class Unsupported(Exception):
    """The adapter does not implement this operation."""


def _error_of(exc):
    if isinstance(exc, Rejected):
        return {"kind": "rejected", "status": exc.status, "code": exc.code, "message": exc.message}
    kinds = {Timeout: "timeout", ConnectionFailed: "connection", Unsupported: "unsupported"}
    return {"kind": kinds.get(type(exc), "unknown"), "message": str(exc) or type(exc).__name__}


class Session:
    """One run of the protocol over stdin/stdout.

    `providers` maps a provider name to a factory `make(config, sleep) -> handler`, where
    `handler.operations` lists the operations it supports and `handler.perform(op, params)`
    returns a result dict or raises one of the exceptions above. `sleep(seconds)` asks the suite
    to wait on the client's behalf: give it to your client wherever it would call time.sleep.
    """

    def __init__(self, name, version, providers, operations, stdin=sys.stdin, stdout=sys.stdout):
        self.name, self.version = name, version
        self.providers, self.operations = providers, operations
        self.stdin, self.stdout = stdin, stdout
        self.handlers = {}
        self.configs = {}
        self.sleeps = 0

    def send(self, message):
        self.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
        self.stdout.flush()

    def read(self):
        for line in self.stdin:
            if line.strip():
                return json.loads(line)
        return None

    def sleep(self, seconds):
        """Waits `seconds` on the suite's clock (it answers `slept` when the time has passed)."""
        self.sleeps += 1
        sleep_id = f"sleep-{self.sleeps}"
        self.send({"type": "sleep", "id": sleep_id, "seconds": float(seconds)})
        while True:
            message = self.read()
            if message is None:
                raise ConnectionFailed("the suite closed the session while the client slept")
            if message.get("type") == "slept" and message.get("id") == sleep_id:
                return
            # Nothing else is sent while an operation runs; anything else is a protocol error.
            raise ConnectionFailed(f"expected slept {sleep_id}, got {message.get('type')}")

    def run(self):
        self.send({"type": "hello", "protocol": PROTOCOL,
                   "adapter": {"name": self.name, "version": self.version},
                   "operations": self.operations, "sleep": "suite"})
        while (message := self.read()) is not None:
            kind, msg_id = message.get("type"), message.get("id")
            if kind == "shutdown":
                return
            try:
                if kind == "configure":
                    provider = message["provider"]
                    self.configs[provider] = message
                    self.handlers[provider] = self.providers[provider](message, self.sleep)
                    result = {}
                elif kind == "reset":
                    # Every client starts afresh: no token, no seen webhook, no local state.
                    self.handlers = {p: self.providers[p](c, self.sleep)
                                     for p, c in self.configs.items()}
                    result = {}
                elif kind == "request":
                    handler = self.handlers.get(message["provider"])
                    if handler is None:
                        raise Unsupported(f"{message['provider']} was not configured")
                    result = handler.perform(message["op"], message.get("params", {}))
                else:
                    raise Unsupported(f"unknown message type {kind!r}")
                self.send({"type": "result", "id": msg_id, "result": result})
            except Exception as exc:  # every failure is an answer, never a dead adapter
                self.send({"type": "error", "id": msg_id, "error": _error_of(exc)})
