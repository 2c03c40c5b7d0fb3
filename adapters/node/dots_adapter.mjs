// payoutsim contract --provider dots --client "node adapters/node/dots_adapter.mjs"
//
// Wraps Dots's official Node SDK (npm `dots-v2-node`, pinned in package.json; run `npm ci` in
// this folder first) and verifies webhooks with Svix's library (npm `svix`), as Dots's users do.
// `DotsPayouts` is the code a team writes around the SDK, and what the suite tests:
// - a create sends the caller's reference as the body's `idempotency_key` (the amount in
//   cents), and keeps the reference in `metadata`;
// - a create whose answer was lost (a timeout, a broken connection) is read back by reference
//   first, and sent again with the same key only if Dots holds no such payout; a 429 (waiting
//   its `Retry-After`) or a 5xx (backing off) is sent again with the same key. Dots rejects a
//   seen key (409): an earlier attempt went through, so the client reads back the payout it
//   made under that reference;
// - a webhook is verified with the endpoint's secret, recognised by its `svix-id` when it comes
//   again, and applied only when it moves a payout forward.
// To wrap your own Dots client, replace `DotsPayouts` and keep the handler's mapping.

import { createRequire } from 'node:module';
import { Webhook } from 'svix';
import { register } from 'tsx/cjs/api';
import { ConnectionFailed, Rejected, Session, Timeout, Unsupported, retryAfter } from './protocol.mjs';

// The SDK ships TypeScript only: tsx's CommonJS hook compiles it when it is required.
register();
const require = createRequire(import.meta.url);
const { ApiError, Dots } = require('dots-v2-node');

// The SDK resolves the parsed body alone and sets no timeout. The axios instance it requires
// takes the client's timeout, and a response interceptor keeps the last answer's headers, so a
// 429's Retry-After can be honoured.
const axios = createRequire(require.resolve('dots-v2-node'))('axios');
let lastHeaders = {};
axios.interceptors.response.use(
  (response) => {
    lastHeaders = response.headers ?? {};
    return response;
  },
  (error) => {
    lastHeaders = error?.response?.headers ?? {};
    return Promise.reject(error);
  },
);

const OPERATIONS = ['payout.create', 'payout.get', 'payout.find', 'webhook.receive', 'payout.known_status'];
const RETRYABLE = new Set([429, 500, 502, 503, 504]);
// How far each status is along a payout's life: an event arriving late never moves one back.
const RANK = { created: 0, pending: 1, flagged: 2, completed: 3, failed: 3, canceled: 3, reversed: 4 };

class DotsPayouts {
  constructor({ baseUrl, clientId, apiKey, appId, webhookSecret, timeoutS = 10, sleep, attempts = 5 }) {
    // The SDK's BASE is the API root, `…/api`.
    const base = baseUrl.replace(/\/+$/, '');
    this.dots = new Dots({
      BASE: base.endsWith('/api') ? base : `${base}/api`,
      USERNAME: clientId,
      PASSWORD: apiKey,
      ...(appId ? { HEADERS: { 'Api-App-Id': appId } } : {}),
    });
    axios.defaults.timeout = timeoutS * 1000;
    this.webhook = webhookSecret ? new Webhook(webhookSecret) : null;
    Object.assign(this, { timeoutS, sleep, attempts });
    this.seen = new Set();
    this.known = new Map();
  }

  /** `call()` (an SDK call) with the SDK's and axios's failures mapped to the protocol's. */
  async sdk(call) {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiError) {
        throw new Rejected(error.status, error.body?.error_code ?? null, error.body?.message ?? error.message);
      }
      if (axios.isAxiosError(error)) {
        if (['ECONNABORTED', 'ETIMEDOUT'].includes(error.code)) {
          throw new Timeout(`no answer in ${this.timeoutS} s (${error.code})`);
        }
        throw new ConnectionFailed(`${error.code ?? 'network error'}: ${error.message}`);
      }
      throw error;
    }
  }

  /** A payout of `cents` from the app wallet to `userId` on `platform`, made once. */
  async createPayout({ reference, cents, userId, platform, accountId }) {
    const body = {
      user_id: userId,
      amount: cents,
      platform,
      ...(accountId ? { account_id: accountId } : {}),
      fund: true,
      idempotency_key: reference,
      metadata: { reference },
    };
    let delay = 0.5;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.retrying(() => this.dots.payouts.createPayout(body), { lostStops: true });
      } catch (error) {
        if (error instanceof Rejected && error.status === 409) {
          // The key was seen: an earlier attempt made the payout. Read it back.
          const made = await this.findPayout(reference, userId);
          if (made === null) throw error;
          return made;
        }
        const lost = error instanceof Timeout || error instanceof ConnectionFailed;
        if (!lost || attempt === this.attempts) throw error;
        // The outcome is unknown: read back before sending it again (under the same key).
        const made = await this.findPayout(reference, userId);
        if (made !== null) return made;
        await this.sleep(delay);
        delay *= 2;
      }
    }
  }

  /**
   * An SDK call, sent again (every call here is safe to repeat: reads, and creates under their
   * key) after a lost answer, a 429 (its Retry-After), a 5xx or Dots's 409 `resource-busy` (the
   * first request with that key is still being handled), backing off between attempts.
   */
  async retrying(call, { lostStops = false } = {}) {
    let delay = 0.5;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.sdk(call);
      } catch (error) {
        if (attempt === this.attempts) throw error;
        if ((error instanceof Timeout || error instanceof ConnectionFailed) && lostStops) {
          throw error; // the caller reads back before sending again
        } else if (error instanceof Timeout || error instanceof ConnectionFailed) {
          await this.sleep(delay); // the outcome is unknown: the same request again is safe
        } else if (error instanceof Rejected && error.status === 409 && error.code === 'resource-busy') {
          await this.sleep(1);
          continue;
        } else if (error instanceof Rejected && RETRYABLE.has(error.status)) {
          await this.sleep(retryAfter(header('retry-after'), delay));
          if (error.status === 429) continue;
        } else {
          throw error;
        }
        delay *= 2;
      }
    }
  }

  getPayout(id) {
    return this.retrying(() => this.dots.transfers.getTransfer(id));
  }

  /** The payout made under `reference` (its `metadata`), or null; newest first, every page. */
  async findPayout(reference, userId) {
    let cursor;
    for (;;) {
      const query = { type: 'payout', user_id: userId, limit: 100, starting_after: cursor };
      // The SDK's list method takes no filters; its own request core does (same auth, errors).
      const page = await this.retrying(() => this.dots.request.request({ method: 'GET', url: '/v2/transfers', query }));
      const found = (page.data ?? []).find((t) => t.metadata?.reference === reference);
      if (found) return found;
      if (!page.has_more || !page.data?.length) return null;
      cursor = page.data.at(-1).id;
    }
  }

  /** 'accepted', 'rejected' (not signed with our secret, or stale) or 'duplicate'. */
  async receiveWebhook(headers, rawBody) {
    let event;
    try {
      if (!this.webhook) return 'rejected';
      event = this.webhook.verify(rawBody, headers);
    } catch {
      return 'rejected';
    }
    const messageId = headers['svix-id'];
    if (this.seen.has(messageId)) return 'duplicate';
    let status = event.transfer?.status;
    const id = event.transfer?.id ?? event.transfer_id;
    if (status === undefined && event.event === 'transfer.updated' && id) {
      status = (await this.getPayout(id)).status; // the event names the payout, not its status
    }
    if (id && status in RANK) {
      const current = this.known.get(id);
      if (current === undefined || RANK[status] > RANK[current]) this.known.set(id, status);
    }
    this.seen.add(messageId); // only once applied: a delivery that failed here may come again
    return 'accepted';
  }
}

function header(name) {
  const value = typeof lastHeaders.get === 'function' ? lastHeaders.get(name) : lastHeaders[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** "12.5" dollars -> 1250 cents, from the digits (no float carries money). */
function cents(amount) {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(amount));
  if (!match) throw new Error(`amount ${JSON.stringify(amount)} is not dollars with at most 2 decimals`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** 1250 (or -1250: a payout's amount is negative, app to user) cents -> "12.50". */
function dollars(amount) {
  const c = Math.abs(amount);
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

const summary = (t) => ({ id: t.id, status: t.status });

function dotsHandler(config, sleep) {
  const credentials = config.credentials ?? {};
  const client = new DotsPayouts({
    baseUrl: config.base_url,
    clientId: credentials.client_id,
    apiKey: credentials.api_key,
    appId: credentials.app_id,
    webhookSecret: config.webhook?.secret,
    timeoutS: config.timeout_s ?? 10,
    sleep,
  });
  return {
    async perform(op, params) {
      switch (op) {
        case 'payout.create': {
          const b = params.beneficiary ?? {};
          const made = await client.createPayout({
            reference: params.reference,
            cents: cents(params.amount),
            userId: b.user_id,
            platform: b.platform ?? 'paypal',
            accountId: b.account_id,
          });
          return summary(made);
        }
        case 'payout.get': {
          const t = await client.getPayout(params.id);
          return { ...summary(t), amount: dollars(t.amount), currency: 'USD' };
        }
        case 'payout.find': {
          const t = await client.findPayout(params.reference);
          return t === null ? { found: false } : summary(t);
        }
        case 'webhook.receive':
          return { verdict: await client.receiveWebhook(params.headers ?? {}, params.body ?? '') };
        case 'payout.known_status':
          return { status: client.known.get(params.id) ?? null };
        default:
          throw new Unsupported(op);
      }
    },
  };
}

await new Session({
  name: 'payoutsim-node-dots',
  version: '1.0.0',
  providers: { dots: dotsHandler },
  operations: { dots: OPERATIONS },
}).run();
