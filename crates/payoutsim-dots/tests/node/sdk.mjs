// Drives the Dots simulator through Dots's official Node SDK (npm `dots-v2-node`), checking that
// the SDK resolves every call and that what it parsed has the shapes of the OpenAPI document
// (shared provider-specs/dots-v2.openapi.yaml): ids, statuses, amounts as numbers.
//
// Run with tsx (the SDK ships TypeScript only): `npx --prefix <this dir> tsx sdk.mjs`.
// Environment: DOTS_BASE_URL (http://127.0.0.1:4705/api), DOTS_CLIENT_ID, DOTS_API_KEY,
// PAYOUTSIM_ADMIN_URL (http://127.0.0.1:4700); optional DOTS_APP_ID (sent as Api-App-Id) and
// PAYOUTSIM_ADMIN_TOKEN. One JSON line per step on stdout; exit 1 at the first failure.
//
// Three calls the SDK has no method for (PATCH a user, list transfers with filters, redeliver a
// payout link) go through the SDK's own request core, `dots.request.request(...)`: same base
// URL, auth, headers and error handling as its methods.

import { randomInt, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import axiosModule from 'axios';
import { ApiError, Dots } from 'dots-v2-node';
import { Mismatch, adminGet, env, expect, expectEqual, isObject, optionalEnv, step } from './lib.mjs';
import {
  METHOD_PLATFORMS,
  checkFlow,
  checkLink,
  checkList,
  checkTransfer,
  checkUser,
  expectDateTime,
  expectObject,
  expectOneOf,
  expectString,
} from './shapes.mjs';

const BASE_URL = env('DOTS_BASE_URL');
const CLIENT_ID = env('DOTS_CLIENT_ID');
const API_KEY = env('DOTS_API_KEY');
const ADMIN_URL = env('PAYOUTSIM_ADMIN_URL');
const APP_ID = optionalEnv('DOTS_APP_ID');
const TENANT = APP_ID ? `dots:${CLIENT_ID}:${APP_ID}` : `dots:${CLIENT_ID}`;

// ---- what the SDK received ----------------------------------------------------------------------
// The SDK resolves only the parsed body. To check status codes and content types we watch axios:
// the SDK (compiled to CommonJS by tsx) uses the CommonJS build, an ES import gets the other one,
// so both are watched and exactly one sees each response.

let seen = null;
const record = (response) => {
  seen = {
    status: response.status,
    contentType: String(response.headers?.['content-type'] ?? ''),
  };
};
for (const instance of new Set([axiosModule, createRequire(import.meta.url)('axios')])) {
  instance.interceptors.response.use(
    (response) => {
      record(response);
      return response;
    },
    (error) => {
      if (error?.response) record(error.response);
      return Promise.reject(error);
    },
  );
}

function isEmpty(body) {
  return body === undefined || body === '';
}

/** Calls the SDK; checks the status it got and that a non-empty answer was JSON it parsed. */
async function sdk(call, statuses) {
  seen = null;
  const body = await call();
  expect(seen !== null, 'the SDK resolved but no HTTP response was observed');
  const allowed = [statuses].flat();
  expect(allowed.includes(seen.status), `HTTP ${seen.status}, the spec says ${allowed.join(' or ')}`);
  if (!isEmpty(body)) {
    expect(typeof body !== 'string', `the answer is not JSON, the SDK got a string: ${String(body).slice(0, 200)}`);
    expect(seen.contentType.startsWith('application/json'), `Content-Type ${JSON.stringify(seen.contentType)}`);
  }
  return body;
}

/** Calls the SDK expecting it to reject with its ApiError at `status`; returns the error. */
async function sdkRejects(call, status) {
  seen = null;
  let result;
  try {
    result = await call();
  } catch (error) {
    expect(error instanceof ApiError, `rejected with ${error?.name}: ${error?.message}, not the SDK's ApiError`);
    expectEqual(error.status, status, 'ApiError.status');
    expect(isObject(error.body), `the error body is not a JSON object: ${JSON.stringify(error.body)}`);
    expect(seen?.contentType.startsWith('application/json'), `error Content-Type ${JSON.stringify(seen?.contentType)}`);
    return error;
  }
  throw new Mismatch(`resolved with ${JSON.stringify(result)}, expected an ApiError ${status}`);
}

/** Pages through a list (newest first) until `id` shows up; returns the item and its page. */
async function findInList(fetchPage, check, id, what) {
  let cursor;
  for (let page = 0; page < 50; page += 1) {
    const list = await fetchPage(cursor);
    checkList(list, check, what);
    const item = list.data.find((x) => x.id === id);
    if (item) return { item, page, list };
    if (!list.has_more || list.data.length === 0) break;
    cursor = list.data.at(-1).id;
  }
  throw new Mismatch(`${what}: ${id} is not in the list`);
}

/** A step that pages through a list until `id` shows up. */
function listStep(name, fetchPage, check, id) {
  return step(name, async () => {
    const { page } = await findInList(fetchPage, check, id, name);
    return { found_on_page: page };
  });
}

// ---- the run ----------------------------------------------------------------------------------------

const dots = new Dots({
  BASE: BASE_URL,
  USERNAME: CLIENT_ID,
  PASSWORD: API_KEY,
  ...(APP_ID ? { HEADERS: { 'Api-App-Id': APP_ID } } : {}),
});

// The SDK's request core, for the endpoints it has no method for.
const raw = (options) => dots.request.request(options);

const run = randomUUID();
const phone = `${randomInt(200, 999)}${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const email = `sdk-${run}@example.com`;

const user = await step('users.create', async () => {
  const metadata = { harness: 'dots-v2-node', run };
  const created = await sdk(
    () => dots.users.createUser({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email,
      country_code: '1',
      phone_number: phone,
      metadata,
    }),
    201,
  );
  checkUser(created);
  expectEqual(created.email, email, 'user.email');
  expectEqual(created.phone_number, { country_code: '1', phone_number: phone }, 'user.phone_number');
  expectEqual(created.status, 'unverified', 'a new user\'s status');
  expectEqual(created.metadata, metadata, 'user.metadata');
  return { id: created.id, status: created.status, wallet: created.wallet };
});

// After users.create, so the app already exists under the right key.
await step('auth.wrong-key-refused', async () => {
  // Same length and prefix, its last character changed.
  const wrongKey = `${API_KEY.slice(0, -1)}${API_KEY.endsWith('a') ? 'b' : 'a'}`;
  const stranger = new Dots({ BASE: BASE_URL, USERNAME: CLIENT_ID, PASSWORD: wrongKey });
  const error = await sdkRejects(() => stranger.users.getUsers(undefined, 1), 401);
  expectEqual(error.message, 'Unauthorized', 'ApiError.message');
  return { status: error.status, body: error.body };
});

await step('users.get', async () => {
  const got = await sdk(() => dots.users.getUser(user.id), 200);
  checkUser(got);
  expectEqual(got.id, user.id, 'user.id');
  expectEqual(got.email, email, 'user.email');
  return { id: got.id };
});

await listStep(
  'users.list',
  (cursor) => sdk(() => dots.users.getUsers(cursor, 100), 200),
  checkUser,
  user.id,
);

await step('users.update-metadata', async () => {
  const metadata = { tier: 'gold' };
  const updated = await sdk(
    () => raw({
      method: 'PATCH',
      url: '/v2/users/{user_id}',
      path: { user_id: user.id },
      body: { metadata },
      mediaType: 'application/json',
    }),
    200,
  );
  checkUser(updated);
  expectEqual(updated.metadata, metadata, 'metadata after PATCH (replaced whole)');
  const got = await sdk(() => dots.users.getUser(user.id), 200);
  expectEqual(got.metadata, metadata, 'metadata read back');
  return { metadata: got.metadata };
});

await step('users.send-verification-token', async () => {
  const answer = await sdk(() => dots.users.sendVerificationToken(user.id), 202);
  return { status: 202, body: answer ?? null };
});

const sms = await step('admin.sms-outbox', async () => {
  const outbox = await adminGet(ADMIN_URL, '__admin/providers/dots/sms', { tenant: TENANT, user_id: user.id });
  expectObject(outbox, 'sms outbox');
  expect(Array.isArray(outbox.messages), 'sms outbox.messages: not an array');
  const mine = outbox.messages.filter((m) => m.user_id === user.id);
  expect(mine.length > 0, `no SMS for user ${user.id} in tenant ${TENANT}`);
  const message = mine.at(-1);
  expectEqual(message.tenant, TENANT, 'sms.tenant');
  expect(/^\d{6}$/.test(message.token ?? ''), `sms.token is not 6 digits: ${JSON.stringify(message.token)}`);
  expect(String(message.phone_number).endsWith(phone), `sms.phone_number ${message.phone_number} is not ${phone}`);
  expectString(message.channel, 'sms.channel');
  expectDateTime(message.at, 'sms.at');
  return message;
});

await step('users.verify-wrong-token-refused', async () => {
  const wrong = String((Number(sms.token) + 1) % 1_000_000).padStart(6, '0');
  const error = await sdkRejects(() => dots.users.verify(user.id, { token: wrong }), 400);
  expectEqual(error.message, 'Incorrect token', 'ApiError.message');
  expect(/incorrect token/i.test(String(error.body.message)), `error body message: ${JSON.stringify(error.body)}`);
  return { status: error.status, body: error.body };
});

await step('users.verify', async () => {
  const answer = await sdk(() => dots.users.verify(user.id, { token: sms.token }), 200);
  const got = await sdk(() => dots.users.getUser(user.id), 200);
  checkUser(got);
  expectEqual(got.status, 'verified', 'status after verify');
  return { body: answer ?? null, status: got.status };
});

const paypal = `payee-${run}@example.com`;

await step('users.add-payout-method', async () => {
  const method = await sdk(() => dots.users.addPayoutMethod(user.id, { platform: 'paypal', email: paypal }), 200);
  expectObject(method, 'payout method');
  expectEqual(method.platform, 'paypal', 'payout method.platform');
  expectEqual(method.email, paypal, 'payout method.email');
  return method;
});

await step('users.get-payout-methods', async () => {
  const methods = await sdk(() => dots.users.getPayoutMethods(user.id), 200);
  expect(Array.isArray(methods), `payout methods: not an array: ${JSON.stringify(methods)}`);
  methods.forEach((m, i) => expectOneOf(m?.platform, METHOD_PLATFORMS, `payout methods[${i}].platform`));
  expect(
    methods.some((m) => m.platform === 'paypal' && m.email === paypal),
    `the paypal method is not listed: ${JSON.stringify(methods)}`,
  );
  return { count: methods.length };
});

const transfer = await step('transfers.create', async () => {
  const created = await sdk(
    () => dots.transfers.createTransfer({
      amount: -1000,
      user_id: user.id,
      idempotency_key: randomUUID(),
      metadata: { run },
    }),
    200,
  );
  checkTransfer(created);
  expectEqual(created.user_id, user.id, 'transfer.user_id');
  expectEqual(Math.abs(created.amount), 1000, 'transfer |amount|');
  expectEqual(created.status, 'completed', 'a wallet-to-wallet transfer\'s status');
  return { id: created.id, type: created.type, status: created.status, amount: created.amount };
});

await step('users.wallet-credited', async () => {
  const got = await sdk(() => dots.users.getUser(user.id), 200);
  checkUser(got);
  expectEqual(got.wallet.amount - user.wallet.amount, 1000, 'the user wallet\'s gain from the -1000 transfer');
  return { wallet: got.wallet };
});

await step('transfers.get', async () => {
  const got = await sdk(() => dots.transfers.getTransfer(transfer.id), 200);
  checkTransfer(got);
  expectEqual(
    { id: got.id, type: got.type, status: got.status, amount: got.amount },
    transfer,
    'the transfer read back',
  );
  return { id: got.id };
});

/** GET /v2/transfers with the filters the SDK's getTransfers cannot send. */
const transfersWhere = (query) => (cursor) => sdk(
  () => raw({ method: 'GET', url: '/v2/transfers', query: { ...query, limit: 100, starting_after: cursor } }),
  200,
);

function expectAllMatch(list, query, what) {
  for (const item of list.data) {
    for (const [key, value] of Object.entries(query)) {
      expectEqual(item[key], value, `${what}: ${item.id}.${key}`);
    }
  }
}

await step('transfers.list', async () => {
  const plain = await findInList(
    (cursor) => sdk(() => dots.transfers.getTransfers(100, cursor), 200),
    checkTransfer,
    transfer.id,
    'transfers',
  );
  const query = { user_id: user.id, type: transfer.type };
  const filtered = await findInList(transfersWhere(query), checkTransfer, transfer.id, 'filtered transfers');
  expectAllMatch(filtered.list, query, 'transfers filtered by user_id and type');
  return { found_on_page: plain.page, filtered: filtered.list.data.length };
});

const payout = await step('payouts.create', async () => {
  const created = await sdk(
    () => dots.payouts.createPayout({
      user_id: user.id,
      amount: 500,
      platform: 'paypal',
      fund: true,
      idempotency_key: randomUUID(),
      metadata: { run },
    }),
    201,
  );
  checkTransfer(created, 'payout');
  expectEqual(created.type, 'payout', 'payout.type');
  expectEqual(created.user_id, user.id, 'payout.user_id');
  expectEqual(Math.abs(created.amount), 500, 'payout |amount|');
  if (created.external_data?.platform !== undefined) {
    expectEqual(created.external_data.platform, 'paypal', 'payout.external_data.platform');
  }
  return { id: created.id, status: created.status, amount: created.amount };
});

await step('payouts.read-as-transfer', async () => {
  const got = await sdk(() => dots.transfers.getTransfer(payout.id), 200);
  checkTransfer(got, 'payout');
  expectEqual(got.type, 'payout', 'payout.type');
  const query = { user_id: user.id, type: 'payout' };
  const filtered = await findInList(transfersWhere(query), checkTransfer, payout.id, 'payouts of the user');
  expectAllMatch(filtered.list, query, 'transfers filtered by type=payout');
  return { id: got.id, status: got.status, listed: filtered.list.data.length };
});

await step('payouts.send-payout', async () => {
  const link = await sdk(
    () => dots.payouts.sendPayout({
      amount: 300,
      user_id: user.id,
      delivery: { message: 'Your payout from the SDK harness' },
      memo: `run ${run}`,
      metadata: { run },
      idempotency_key: randomUUID(),
    }),
    201,
  );
  checkLink(link, 'send-payout link');
  expectEqual(Math.abs(link.amount), 300, 'send-payout link |amount|');
  return { id: link.id, status: link.status };
});

const link = await step('payout-links.create', async () => {
  const created = await sdk(
    () => dots.payoutLinks.createPayoutLink({
      amount: 200,
      payee: { first_name: 'Grace', last_name: 'Hopper', email: `link-${run}@example.com`, country_code: '1', phone_number: phone },
      delivery: { method: 'link' },
      memo: 'SDK harness link',
      metadata: { run },
    }),
    [201, 202],
  );
  checkLink(created);
  expectEqual(Math.abs(created.amount), 200, 'payout link |amount|');
  return { id: created.id, status: created.status, http: seen.status };
});

await step('payout-links.get', async () => {
  const got = await sdk(() => dots.payoutLinks.getPayoutLink(link.id), 200);
  checkLink(got);
  expectEqual(got.id, link.id, 'payout link.id');
  return { id: got.id, status: got.status };
});

await listStep(
  'payout-links.list',
  (cursor) => sdk(() => dots.payoutLinks.getPayoutLinks(100, cursor), 200),
  checkLink,
  link.id,
);

await step('payout-links.redeliver', async () => {
  const answer = await sdk(
    () => raw({ method: 'POST', url: '/v2/payout-links/{payout_link_id}/redeliver', path: { payout_link_id: link.id } }),
    200,
  );
  expectObject(answer, 'redeliver answer');
  checkLink(answer.payout_link, 'redeliver answer.payout_link');
  expectEqual(answer.payout_link.id, link.id, 'redelivered link id');
  expect(typeof answer.redelivered === 'boolean', `redelivered: not a boolean: ${JSON.stringify(answer)}`);
  return { redelivered: answer.redelivered, status: answer.payout_link.status };
});

await step('payout-links.cancel', async () => {
  const canceled = await sdk(() => dots.payoutLinks.deletePayoutLink(link.id), 200);
  checkLink(canceled);
  expectEqual(canceled.id, link.id, 'canceled link id');
  expectEqual(canceled.status, 'canceled', 'status after DELETE');
  const got = await sdk(() => dots.payoutLinks.getPayoutLink(link.id), 200);
  expectEqual(got.status, 'canceled', 'status read back');
  return { status: got.status };
});

const flow = await step('flows.create', async () => {
  const created = await sdk(
    () => dots.flows.createFlow({ steps: ['compliance', 'manage-payouts'], user_id: user.id, metadata: { run } }),
    200,
  );
  checkFlow(created);
  expectEqual(created.user_id, user.id, 'flow.user_id');
  expectEqual(created.steps, ['compliance', 'manage-payouts'], 'flow.steps');
  return { id: created.id, link: created.link };
});

await step('flows.get', async () => {
  const got = await sdk(() => dots.flows.getFlow(flow.id), 200);
  checkFlow(got);
  expectEqual({ id: got.id, link: got.link }, flow, 'the flow read back');
  return { id: got.id };
});

await listStep(
  'flows.list',
  (cursor) => sdk(() => dots.flows.getFlows(100, cursor), 200),
  checkFlow,
  flow.id,
);

await step('done', async () => ({ user: user.id, transfer: transfer.id, payout: payout.id, link: link.id, flow: flow.id }));
