// Verifies the Dots simulator's webhook deliveries with Svix's own library (npm `svix`):
// every delivery verifies with the endpoint's secret, a copy with one body byte altered and the
// original under another secret are both refused, and the attempts of one message share their
// `svix-id`, carry the same body and each verify.
//
// Environment: WEBHOOK_SECRET (the endpoint's `whsec_…` secret) and one source of deliveries:
// - DELIVERIES_FILE: JSON lines {"headers":{…},"body":"<raw body>"} (or "body_base64"), as a
//   receiver captured them; optional "message" (the simulator's message number) per line;
// - or PAYOUTSIM_ADMIN_URL with DOTS_INBOX: the built-in receiver
//   GET /__admin/inbox/<name> (raw bodies as received);
// - or PAYOUTSIM_ADMIN_URL alone: GET /__admin/webhooks/deliveries?provider=dots
//   [&tenant=DOTS_TENANT] — usable only if each delivery records its raw body as `raw_body`: a
//   signature covers the exact bytes sent, which a re-serialised parsed `body` need not match.
// SVIX_REQUIRE_RETRY=0 drops the retry check (default: at least one message tried twice).
// PAYOUTSIM_ADMIN_TOKEN is sent as a bearer token when set. One JSON line per step; exit 1 at the
// first failure.

import { readFile } from 'node:fs/promises';
import { Webhook, WebhookVerificationError } from 'svix';
import { Mismatch, adminGet, env, expect, expectEqual, isObject, optionalEnv, step } from './lib.mjs';

const SECRET = env('WEBHOOK_SECRET');
const FILE = optionalEnv('DELIVERIES_FILE');
const ADMIN_URL = optionalEnv('PAYOUTSIM_ADMIN_URL');
const INBOX = optionalEnv('DOTS_INBOX');
const REQUIRE_RETRY = optionalEnv('SVIX_REQUIRE_RETRY') !== '0';

/** One delivery as sent: its headers (lower-cased names) and its exact body bytes. */
function delivery(headers, body, origin, message) {
  expect(isObject(headers), `${origin}: headers is not an object`);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { headers: lower, body, origin, message };
}

async function fromFile(path) {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1])
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch (error) {
        throw new Mismatch(`${path}:${n}: not JSON: ${error.message}`);
      }
      const origin = `${path}:${n}`;
      expect(isObject(entry), `${origin}: not a JSON object`);
      let body;
      if (typeof entry.body_base64 === 'string') body = Buffer.from(entry.body_base64, 'base64');
      else if (typeof entry.body === 'string') body = Buffer.from(entry.body, 'utf8');
      else throw new Mismatch(`${origin}: needs "body" (the raw body as a string) or "body_base64"`);
      return delivery(entry.headers, body, origin, entry.message);
    });
}

async function fromInbox(admin, name) {
  const answer = await adminGet(admin, `__admin/inbox/${encodeURIComponent(name)}`);
  expect(Array.isArray(answer?.messages), 'inbox answer has no messages array');
  return answer.messages.map((m, i) => {
    const origin = `inbox ${name} #${i}`;
    expect(typeof m.raw_body === 'string', `${origin}: no raw_body`);
    return delivery(m.headers, Buffer.from(m.raw_body, 'utf8'), origin, undefined);
  });
}

async function fromDeliveries(admin) {
  const answer = await adminGet(admin, '__admin/webhooks/deliveries', {
    provider: 'dots',
    tenant: optionalEnv('DOTS_TENANT'),
  });
  expect(Array.isArray(answer?.deliveries), 'deliveries answer has no deliveries array');
  return answer.deliveries.map((d) => {
    const origin = `delivery ${d.id} (message ${d.message}, attempt ${d.attempt}, ${d.event})`;
    expect(
      typeof d.raw_body === 'string',
      `${origin}: the listing has no raw_body, only the parsed body; a signature covers the exact `
        + 'bytes sent, so use DELIVERIES_FILE or DOTS_INBOX, or record raw bodies in the listing',
    );
    return delivery(d.headers, Buffer.from(d.raw_body, 'utf8'), origin, d.message);
  });
}

function source() {
  if (FILE) return { name: `file ${FILE}`, load: () => fromFile(FILE) };
  if (ADMIN_URL && INBOX) return { name: `inbox ${INBOX}`, load: () => fromInbox(ADMIN_URL, INBOX) };
  if (ADMIN_URL) return { name: 'admin deliveries listing', load: () => fromDeliveries(ADMIN_URL) };
  throw new Mismatch('set DELIVERIES_FILE, or PAYOUTSIM_ADMIN_URL (with DOTS_INBOX for the built-in receiver)');
}

/** The body with one byte changed: an ASCII letter or digit near the middle has its low bit flipped. */
function altered(body) {
  const copy = Buffer.from(body);
  const middle = Math.floor(copy.length / 2);
  for (let offset = 0; offset < copy.length; offset += 1) {
    const i = (middle + offset) % copy.length;
    const c = copy[i];
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      copy[i] = c ^ 0x01;
      return { copy, index: i };
    }
  }
  throw new Mismatch('the body has no letter or digit to alter');
}

function refuses(webhook, body, headers) {
  try {
    webhook.verify(body, headers);
  } catch (error) {
    expect(error instanceof WebhookVerificationError, `refused with ${error?.name}: ${error?.message}`);
    return error.message;
  }
  throw new Mismatch('verified, expected Svix to refuse it');
}

const webhook = new Webhook(SECRET);
// Another valid secret: the delivery must not verify under it.
const stranger = new Webhook(`whsec_${Buffer.from('not the endpoint secret, 32 bytes').toString('base64')}`);

let deliveries;
await step('deliveries.load', async () => {
  const { name, load } = source();
  deliveries = await load();
  expect(deliveries.length > 0, `${name}: no deliveries to verify`);
  return { source: name, count: deliveries.length };
});

for (const d of deliveries) {
  await step(`verify ${d.origin}`, async () => {
    for (const header of ['svix-id', 'svix-timestamp', 'svix-signature']) {
      expect(d.headers[header], `no ${header} header`);
    }
    expect(/^\d+$/.test(d.headers['svix-timestamp']), `svix-timestamp is not Unix seconds: ${d.headers['svix-timestamp']}`);
    expect(
      d.headers['svix-signature'].split(' ').every((s) => s.startsWith('v1,')),
      `svix-signature is not a list of v1 signatures: ${d.headers['svix-signature']}`,
    );
    const payload = webhook.verify(d.body, d.headers);
    expectEqual(payload, JSON.parse(d.body.toString('utf8')), 'the verified payload');
    const { copy, index } = altered(d.body);
    const tampered = refuses(webhook, copy, d.headers);
    const foreign = refuses(stranger, d.body, d.headers);
    return { svix_id: d.headers['svix-id'], altered_byte: index, tampered, foreign_secret: foreign };
  });
}

await step('retries.share-svix-id', async () => {
  const byId = new Map();
  for (const d of deliveries) {
    const id = d.headers['svix-id'];
    byId.set(id, [...(byId.get(id) ?? []), d]);
  }
  const retried = [...byId.entries()].filter(([, attempts]) => attempts.length > 1);
  for (const [id, attempts] of retried) {
    for (const a of attempts.slice(1)) {
      expect(a.body.equals(attempts[0].body), `${id}: ${a.origin} and ${attempts[0].origin} carry different bodies`);
    }
  }
  // Where the source numbers its messages, one message is one svix-id and the other way round.
  const numbered = deliveries.filter((d) => d.message !== undefined);
  const idOf = new Map();
  const messageOf = new Map();
  for (const d of numbered) {
    const id = d.headers['svix-id'];
    expect(!idOf.has(d.message) || idOf.get(d.message) === id, `message ${d.message} went out as ${idOf.get(d.message)} and ${id}`);
    expect(!messageOf.has(id) || messageOf.get(id) === d.message, `${id} names messages ${messageOf.get(id)} and ${d.message}`);
    idOf.set(d.message, id);
    messageOf.set(id, d.message);
  }
  if (REQUIRE_RETRY) {
    expect(retried.length > 0, `no message was tried twice among ${deliveries.length} deliveries (${byId.size} svix-ids)`);
  }
  return {
    messages: byId.size,
    retried: retried.map(([id, attempts]) => ({ svix_id: id, attempts: attempts.length })),
    required: REQUIRE_RETRY,
  };
});

await step('done', async () => ({ verified: deliveries.length }));
