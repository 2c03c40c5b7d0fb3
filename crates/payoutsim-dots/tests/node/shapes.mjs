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

function checkMetadata(value, what) {
  expect(
    value === undefined || value === null || typeof value === 'string' || isObject(value),
    `${what}.metadata: not a string, object or null: ${JSON.stringify(value)}`,
  );
}

function checkWallet(wallet, what) {
  expectObject(wallet, `${what}.wallet`);
  expectInteger(wallet.amount, `${what}.wallet.amount`);
  for (const key of ['withdrawable_amount', 'credit_balance']) {
    if (wallet[key] !== undefined) expectInteger(wallet[key], `${what}.wallet.${key}`);
  }
}

export function checkUser(user, what = 'user') {
  expectObject(user, what);
  expectUuid(user.id, `${what}.id`);
  for (const key of ['first_name', 'last_name', 'email']) expectString(user[key], `${what}.${key}`);
  expectObject(user.phone_number, `${what}.phone_number`);
  expectString(user.phone_number.country_code, `${what}.phone_number.country_code`);
  expectString(user.phone_number.phone_number, `${what}.phone_number.phone_number`);
  expectOneOf(user.status, USER_STATUSES, `${what}.status`);
  checkWallet(user.wallet, what);
  checkMetadata(user.metadata, what);
}

export function checkTransfer(transfer, what = 'transfer') {
  expectObject(transfer, what);
  expectUuid(transfer.id, `${what}.id`);
  expectDateTime(transfer.created, `${what}.created`);
  expectUuid(transfer.user_id, `${what}.user_id`);
  expectOneOf(transfer.status, TRANSFER_STATUSES, `${what}.status`);
  expectOneOf(transfer.type, TRANSFER_TYPES, `${what}.type`);
  expectNumber(transfer.amount, `${what}.amount`);
  if (transfer.external_data !== undefined) {
    expectObject(transfer.external_data, `${what}.external_data`);
    if (transfer.external_data.platform !== undefined) {
      expectOneOf(transfer.external_data.platform, TRANSFER_PLATFORMS, `${what}.external_data.platform`);
    }
  }
  if (transfer.transactions !== undefined) {
    expect(Array.isArray(transfer.transactions), `${what}.transactions: not an array`);
    transfer.transactions.forEach((t, i) => {
      expectInteger(t.id, `${what}.transactions[${i}].id`);
      expectNumber(t.amount, `${what}.transactions[${i}].amount`);
    });
  }
  checkMetadata(transfer.metadata, what);
}

export function checkLink(link, what = 'payout link') {
  expectObject(link, what);
  expectUuid(link.id, `${what}.id`);
  expectDateTime(link.created, `${what}.created`);
  expectUri(link.link, `${what}.link`);
  expectNumber(link.amount, `${what}.amount`);
  expectOneOf(link.status, LINK_STATUSES, `${what}.status`);
  checkMetadata(link.metadata, what);
}

export function checkFlow(flow, what = 'flow') {
  expectObject(flow, what);
  expectUuid(flow.id, `${what}.id`);
  expectDateTime(flow.created, `${what}.created`);
  if (flow.user_id !== null && flow.user_id !== undefined) expectUuid(flow.user_id, `${what}.user_id`);
  for (const key of ['steps', 'completed_steps']) {
    expect(Array.isArray(flow[key]), `${what}.${key}: not an array`);
    flow[key].forEach((s, i) => expectOneOf(s, FLOW_STEPS, `${what}.${key}[${i}]`));
  }
  expectUri(flow.link, `${what}.link`);
  checkMetadata(flow.metadata, what);
}

export function checkList(list, check, what) {
  expectObject(list, what);
  expect(Array.isArray(list.data), `${what}.data: not an array`);
  expect(typeof list.has_more === 'boolean', `${what}.has_more: not a boolean`);
  list.data.forEach((item, i) => check(item, `${what}.data[${i}]`));
}

