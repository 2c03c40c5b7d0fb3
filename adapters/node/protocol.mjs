// The adapter side of payoutsim's client adapter protocol (docs/adapter-protocol.md).
//
// An adapter wraps a team's own payout client: it reads one JSON message per line on stdin,
// performs each operation with the client and writes one answer per line on stdout. Copy this
// file as it is; write the part that maps operations to your client (see onspot_adapter.mjs).

import { createInterface } from 'node:readline';

export const PROTOCOL = 1;

/** The provider answered and refused: its HTTP status and its own error code. */
export class Rejected extends Error {
  constructor(status, code = null, message = '') {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code ?? null;
  }
}

/** No answer within the client's timeout: the outcome is unknown. */
export class Timeout extends Error {}

/** The connection could not be made or broke before an answer. */
export class ConnectionFailed extends Error {}

/** The adapter does not implement this operation. */
export class Unsupported extends Error {}

function errorOf(error) {
  if (error instanceof Rejected) {
    return { kind: 'rejected', status: error.status, code: error.code, message: error.message };
  }
  const kind =
    error instanceof Timeout ? 'timeout'
      : error instanceof ConnectionFailed ? 'connection'
        : error instanceof Unsupported ? 'unsupported'
          : 'unknown';
  return { kind, message: String(error?.message || error?.name || error) };
}

/**
 * One run of the protocol over stdin/stdout.
 *
 * `providers` maps a provider name to a factory `make(config, sleep) -> handler`, where
 * `handler.perform(op, params)` resolves to a result object or rejects with one of the errors
 * above. `sleep(seconds)` asks the suite to wait on the client's behalf: give it to your client
 * wherever it would wait (`setTimeout`), so the suite can drive the simulated clock. A client
 * that waits on its own is run with `sleepMode: 'wall'`: the suite then measures wall time.
 */
export class Session {
  constructor({ name, version, providers, operations, sleepMode = 'suite', input = process.stdin, output = process.stdout }) {
    Object.assign(this, { name, version, providers, operations, sleepMode, output });
    this.lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
    this.handlers = new Map();
    this.configs = new Map();
    this.sleeps = 0;
    this.sleep = this.sleep.bind(this);
  }

  send(message) {
    this.output.write(`${JSON.stringify(message)}\n`);
  }

  /** The next message, or null when the suite closed stdin. */
  async read() {
    for (;;) {
      const { value, done } = await this.lines.next();
      if (done) return null;
      if (value.trim()) return JSON.parse(value);
    }
  }

  /** Waits `seconds` on the suite's clock (it answers `slept` when the time has passed). */
  async sleep(seconds) {
    this.sleeps += 1;
    const id = `sleep-${this.sleeps}`;
    this.send({ type: 'sleep', id, seconds: Number(seconds) });
    const message = await this.read();
    if (message === null) throw new ConnectionFailed('the suite closed the session while the client slept');
    // Nothing else is sent while an operation runs; anything else is a protocol error.
    if (message.type !== 'slept' || message.id !== id) {
      throw new ConnectionFailed(`expected slept ${id}, got ${message.type}`);
    }
  }

  async run() {
    this.send({
      type: 'hello',
      protocol: PROTOCOL,
      adapter: { name: this.name, version: this.version },
      operations: this.operations,
      sleep: this.sleepMode,
    });
    for (let message; (message = await this.read()) !== null;) {
      const { type, id } = message;
      if (type === 'shutdown') return;
      try {
        let result = {};
        if (type === 'configure') {
          const make = this.providers[message.provider];
          if (!make) throw new Unsupported(`this adapter has no client for ${message.provider}`);
          this.configs.set(message.provider, message);
          this.handlers.set(message.provider, make(message, this.sleep));
        } else if (type === 'reset') {
          // Every client starts afresh: no token, no seen webhook, no local state.
          for (const [provider, config] of this.configs) {
            this.handlers.set(provider, this.providers[provider](config, this.sleep));
          }
        } else if (type === 'request') {
          const handler = this.handlers.get(message.provider);
          if (!handler) throw new Unsupported(`${message.provider} was not configured`);
          result = await handler.perform(message.op, message.params ?? {});
        } else {
          throw new Unsupported(`unknown message type ${JSON.stringify(type)}`);
        }
        this.send({ type: 'result', id, result });
      } catch (error) {
        // Every failure is an answer, never a dead adapter.
        this.send({ type: 'error', id, error: errorOf(error) });
      }
    }
  }
}

/** `Retry-After` in seconds (a number of seconds; a date is not used by these providers). */
export function retryAfter(value, fallback) {
  const seconds = Number.parseFloat(value ?? '');
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : fallback;
}
