// Shared by sdk.mjs and svix.mjs: the step reporter, environment, admin API calls, shape checks.
//
// Every step prints one JSON line {"step","ok","detail"} on stdout; the first failed step ends
// the process with status 1, so a caller reads the last line to know what broke.

import { isDeepStrictEqual } from 'node:util';

/** A failed expectation: its message is the step's detail. */
export class Mismatch extends Error {}

export function expect(condition, message) {
  if (!condition) throw new Mismatch(message);
}

export function expectEqual(actual, expected, what) {
  expect(
    isDeepStrictEqual(actual, expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

export function emit(step, ok, detail) {
  process.stdout.write(`${JSON.stringify({ step, ok, detail })}\n`);
}

/** Runs one step; prints its line; exits 1 on failure. Returns what `body` returned. */
export async function step(name, body) {
  let detail;
  try {
    detail = await body();
  } catch (error) {
    emit(name, false, describe(error));
    process.exit(1);
  }
  emit(name, true, detail ?? null);
  return detail;
}

function describe(error) {
  if (error instanceof Mismatch) return error.message;
  const out = { error: error?.name ?? 'Error', message: String(error?.message ?? error) };
  if (error?.status !== undefined) out.status = error.status;
  if (error?.body !== undefined) out.body = error.body;
  if (error?.code !== undefined) out.code = error.code;
  return out;
}

/** A required environment variable, or a failed `env` step. */
export function env(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    emit('env', false, `${name} is not set`);
    process.exit(1);
  }
  return value;
}

export function optionalEnv(name) {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** GET on the admin API (`PAYOUTSIM_ADMIN_TOKEN` as a bearer token when set); parsed JSON. */
export async function adminGet(adminUrl, path, query = {}) {
  const url = new URL(path, adminUrl.endsWith('/') ? adminUrl : `${adminUrl}/`);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  const headers = { accept: 'application/json' };
  const token = optionalEnv('PAYOUTSIM_ADMIN_TOKEN');
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { headers });
  const text = await response.text();
  expect(response.ok, `GET ${url.pathname}${url.search}: ${response.status} ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Mismatch(`GET ${url.pathname}: the answer is not JSON: ${text.slice(0, 300)}`);
  }
}

export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
