// A small OnSpot payout client of the kind a team writes, on Node's built-in fetch (Node 18+).
//
// This is the code under test: onspot_adapter.mjs only maps the suite's operations to it.
// What it does that production integrations need:
// - a session token from `POST /platform/generate-token-api`, kept and reused; when a call
//   answers 401 (the token expired) it logs in again, once, and repeats the call;
// - every request has a timeout (an AbortSignal), reported as "outcome unknown";
// - 429 waits for `Retry-After` and 503 backs off, then the same request is sent again: both
//   mean the request was refused before it was handled;
// - a create whose answer is lost (a timeout, a broken connection, a 502/504) is NOT sent again:
//   OnSpot documents no idempotency and no read endpoint, so a blind retry could pay twice. The
//   caller gets the error and reconciles by hand (OnSpot's "Payouts" back office).

import { ConnectionFailed, Rejected, Timeout, retryAfter } from './protocol.mjs';

const RETRYABLE = new Set([429, 503]);

export class OnSpot {
  /**
   * `environment` is `test` or `live` (each has its own key pair); `sleep(seconds)` is how the
   * client waits (injectable, so tests drive time).
   */
  constructor({ baseUrl, publicKey, secretKey, environment = 'test', timeoutS = 10, sleep, attempts = 5 }) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    Object.assign(this, { publicKey, secretKey, environment, timeoutS, attempts });
    this.sleep = sleep ?? ((s) => new Promise((resolve) => setTimeout(resolve, s * 1000)));
    this.token = null;
  }

  /** One exchange: {status, headers, payload}. Throws Timeout or ConnectionFailed. */
  async once(method, path, { headers = {}, body } = {}) {
    const what = `${method} ${path}`;
    try {
      const response = await fetch(this.baseUrl + path, {
        method,
        headers: {
          accept: 'application/json',
          environment: this.environment,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutS * 1000),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, payload: parse(text) };
    } catch (error) {
      if (error?.name === 'TimeoutError') throw new Timeout(`${what}: no answer in ${this.timeoutS} s`);
      throw new ConnectionFailed(`${what}: ${error?.cause?.code ?? error?.cause?.message ?? error?.message}`);
    }
  }

  /** `once`, sent again after a 429 (its Retry-After) or a 503 (backing off). */
  async call(method, path, options) {
    let delay = 0.5;
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.once(method, path, options);
      if (!RETRYABLE.has(answer.status) || attempt === this.attempts) return answer;
      await this.sleep(retryAfter(answer.headers.get('retry-after'), delay));
      if (answer.status !== 429) delay *= 2;
    }
  }

  async login() {
    const { status, payload } = await this.call('POST', '/platform/generate-token-api', {
      headers: { publicKey: this.publicKey, secretKey: this.secretKey },
    });
    if (status >= 300 || typeof payload !== 'string') throw refusal(status, payload);
    this.token = payload; // the body is the bare token, a JSON string
    return this.token;
  }

  /** A call with the session token; on a 401 a new session, once, and the call again. */
  async authorized(method, path, options = {}) {
    if (this.token === null) await this.login();
    for (let renewed = false; ; renewed = true) {
      const headers = { ...options.headers, authorization: `Bearer ${this.token}` };
      const answer = await this.call(method, path, { ...options, headers });
      if (answer.status !== 401 || renewed) return answer;
      await this.login();
    }
  }

  /**
   * Creates one payout to an individual (or a business with `legalName`). Resolves to OnSpot's
   * entry for it, `{uuid, email, action: "success", message}`; an item OnSpot refused
   * (`action: "error"`, answered 201 all the same) is a Rejected with its message.
   */
  async createPayout({ type, documentType, documentNumber, firstName, lastName, legalName, email, amount, currency, description }) {
    const item = {
      type,
      documentType,
      documentNumber,
      ...(type === 'BUSINESS'
        ? { legalName, businessRepresentative: { firstName, lastName } }
        : { firstName, lastName }),
      customerEmail: email,
      amount: String(amount), // OnSpot takes a string of digits: no float carries money
      currency,
      description,
    };
    const { status, payload } = await this.authorized('POST', '/accreditation/payouts/create', { body: [item] });
    if (status >= 300) throw refusal(status, payload);
    const entry = payload?.[0]?.[0];
    if (entry?.action !== 'success') {
      throw new Rejected(status, entry?.action ?? null, entry?.message ?? `unexpected answer ${JSON.stringify(payload)}`);
    }
    return entry;
  }
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** OnSpot's errors are NestJS's `{statusCode, message, error}`; `message` may be a list. */
function refusal(status, payload) {
  const message = [payload?.message ?? ''].flat().join(', ');
  return new Rejected(status, payload?.error ?? null, message);
}
