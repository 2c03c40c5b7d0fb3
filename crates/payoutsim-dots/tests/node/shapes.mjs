// Shapes of the Dots OpenAPI document (shared provider-specs/dots-v2.openapi.yaml) as the
// harness checks them: ids are UUIDs, dates RFC 3339 with an offset, statuses and types from the
// components' enums, amounts numbers (wallet amounts integers).

import { Mismatch, expect, isObject } from './lib.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function expectObject(value, what) {
  expect(isObject(value), `${what}: expected a JSON object, got ${JSON.stringify(value)}`);
}

export function expectUuid(value, what) {
  expect(typeof value === 'string' && UUID.test(value), `${what}: not a UUID: ${JSON.stringify(value)}`);
}

export function expectDateTime(value, what) {
  expect(
    typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
    `${what}: not an RFC 3339 date-time with an offset: ${JSON.stringify(value)}`,
  );
}

export function expectOneOf(value, allowed, what) {
  expect(allowed.includes(value), `${what}: ${JSON.stringify(value)} is not one of ${allowed.join('|')}`);
}

export function expectNumber(value, what) {
  expect(typeof value === 'number' && Number.isFinite(value), `${what}: not a number: ${JSON.stringify(value)}`);
}

export function expectInteger(value, what) {
  expect(Number.isInteger(value), `${what}: not an integer: ${JSON.stringify(value)}`);
}

export function expectString(value, what) {
  expect(typeof value === 'string' && value !== '', `${what}: not a non-empty string: ${JSON.stringify(value)}`);
}

export function expectUri(value, what) {
  expectString(value, what);
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    throw new Mismatch(`${what}: not an absolute URI: ${JSON.stringify(value)}`);
  }
  expectOneOf(parsed.protocol, ['http:', 'https:'], `${what} scheme`);
}

// Enums of the OpenAPI document's components.
export const USER_STATUSES = ['verified', 'unverified', 'disabled', 'in_review'];
export const TRANSFER_STATUSES = ['created', 'pending', 'failed', 'completed', 'reversed', 'canceled', 'flagged'];
export const TRANSFER_TYPES = ['refill', 'payout', 'balance', 'payment', 'settlement', 'payable'];
export const TRANSFER_PLATFORMS = [
  'ach', 'rtp', 'paypal', 'venmo', 'visa', 'amazon', 'cash_app', 'intl_bank', 'airtm', 'payoneer',
  'wire', 'invoice', 'crypto',
];
// `funds_pending` is outside the enum but named by the spec's 202 answer of POST /v2/payout-links.
export const LINK_STATUSES = [
  'created', 'delivery_pending', 'delivery_failed', 'sent', 'delivered', 'claimed', 'reversed',
  'canceled', 'expired', 'failed', 'funds_pending',
];
export const FLOW_STEPS = [
  'compliance', 'id-verification', 'background-check', 'manage-payments', 'manage-payouts', 'payout',
  'redirect', 'pdf-form-fill',
];
// payment-method's enum and the PUT answer's enum together.
export const METHOD_PLATFORMS = ['ach', 'paypal', 'venmo', 'cash_app', 'intl_transfer', 'airtm', 'payoneer', 'crypto', 'intl_bank'];

// Field checkers take (value, what); `optional` and `oneOf` build them.
const optional = (check) => (value, what) => {
  if (value !== undefined) check(value, what);
};
const oneOf = (allowed) => (value, what) => expectOneOf(value, allowed, what);
const arrayOf = (check) => (value, what) => {
  expect(Array.isArray(value), `${what}: not an array: ${JSON.stringify(value)}`);
  value.forEach((item, i) => check(item, `${what}[${i}]`));
};

function expectMetadata(value, what) {
  expect(
    value === undefined || value === null || typeof value === 'string' || isObject(value),
    `${what}: not a string, object or null: ${JSON.stringify(value)}`,
  );
}

/** `value` is an object whose fields pass their checkers (every listed field is checked). */
function expectFields(value, what, checks) {
  expectObject(value, what);
  for (const [key, check] of Object.entries(checks)) check(value[key], `${what}.${key}`);
}

const fields = (checks) => (value, what) => expectFields(value, what, checks);

const wallet = fields({
  amount: expectInteger,
  withdrawable_amount: optional(expectInteger),
  credit_balance: optional(expectInteger),
});

export function checkUser(user, what = 'user') {
  expectFields(user, what, {
    id: expectUuid,
    first_name: expectString,
    last_name: expectString,
    email: expectString,
    phone_number: fields({ country_code: expectString, phone_number: expectString }),
    status: oneOf(USER_STATUSES),
    wallet,
    metadata: expectMetadata,
  });
}

export function checkTransfer(transfer, what = 'transfer') {
  expectFields(transfer, what, {
    id: expectUuid,
    created: expectDateTime,
    user_id: expectUuid,
    status: oneOf(TRANSFER_STATUSES),
    type: oneOf(TRANSFER_TYPES),
    amount: expectNumber,
    external_data: optional(fields({ platform: optional(oneOf(TRANSFER_PLATFORMS)) })),
    transactions: optional(arrayOf(fields({ id: expectInteger, amount: expectNumber }))),
    metadata: expectMetadata,
  });
}

export function checkLink(link, what = 'payout link') {
  expectFields(link, what, {
    id: expectUuid,
    created: expectDateTime,
    link: expectUri,
    amount: expectNumber,
    status: oneOf(LINK_STATUSES),
    metadata: expectMetadata,
  });
}

export function checkFlow(flow, what = 'flow') {
  expectFields(flow, what, {
    id: expectUuid,
    created: expectDateTime,
    user_id: (value, at) => (value === null || value === undefined ? undefined : expectUuid(value, at)),
    steps: arrayOf(oneOf(FLOW_STEPS)),
    completed_steps: arrayOf(oneOf(FLOW_STEPS)),
    link: expectUri,
    metadata: expectMetadata,
  });
}

export function checkList(list, check, what) {
  expectFields(list, what, {
    data: arrayOf(check),
    has_more: (value, at) => expect(typeof value === 'boolean', `${at}: not a boolean: ${JSON.stringify(value)}`),
  });
}
