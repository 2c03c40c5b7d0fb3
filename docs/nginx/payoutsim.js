// payoutsim behind nginx: the shard key of a request, per provider (docs/scaling.md).
//
// Each function answers the value nginx hashes on (`hash $payoutsim_<provider>_shard
// consistent`): the credential that names the request's tenant, read the same way on the login
// call and on every call after it, so that a token issued by one instance keeps reaching it.
// Tokens are only decoded, never verified: the instance that issued one checks it.
// An empty answer (no credential) goes to one instance, which refuses the request as any would.

import crypto from 'crypto';

// The cookie that carries a Tupay client's shard key, set by nginx on a successful login.
const TUPAY_COOKIE = 'payoutsim_tupay_shard';

function header(r, name) {
    const value = r.headersIn[name];
    return typeof value === 'string' ? value.trim() : '';
}

// The credential of `Authorization: <scheme> <credential>`, when the scheme is `scheme`.
function authorization(r, scheme) {
    const value = header(r, 'Authorization');
    const space = value.indexOf(' ');
    if (space < 0 || value.slice(0, space).toLowerCase() !== scheme) {
        return '';
    }
    return value.slice(space + 1).trim();
}

// A string claim of a JWT's payload, decoded without checking the signature.
function jwtClaim(token, claim) {
    const parts = token.split('.');
    if (parts.length !== 3) {
        return '';
    }
    try {
        const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
        const value = payload[claim];
        return typeof value === 'string' ? value : '';
    } catch (e) {
        return '';
    }
}

// A string field of a JSON request body. The body is read before nginx picks an upstream, and
// is readable here while it fits in `client_body_buffer_size` (the config sets 64k on the login
// locations); a larger one, or one that is not JSON, gives no key.
function bodyField(r, field) {
    try {
        const body = JSON.parse(r.requestText);
        const value = body !== null && typeof body === 'object' ? body[field] : undefined;
        return typeof value === 'string' ? value.trim() : '';
    } catch (e) {
        return '';
    }
}

// OnSpot: Generate Token's `publicKey` header, then the session JWT's `publicKey` claim.
function onspot(r) {
    return header(r, 'publicKey') || jwtClaim(authorization(r, 'bearer'), 'publicKey');
}

// OnePay: the API key of `Authorization: Bearer <key>`, on every call.
function onepay(r) {
    return authorization(r, 'bearer');
}

// Kashpay: the session JWT's `entity` claim, else the `Entity-i` header, else authenticate's
// body `entity`.
function kashpay(r) {
    return jwtClaim(authorization(r, 'bearer'), 'entity')
        || header(r, 'Entity-i')
        || bodyField(r, 'entity');
}

// A login's shard key: a digest of its accessKey (the cookie does not show the e-mail).
function tupayDigest(accessKey) {
    return accessKey ? crypto.createHash('sha256').update(accessKey).digest('hex') : '';
}

// Tupay: login's body `accessKey` (digested); every later call, the cookie nginx set on that
// login's answer. The session token is opaque: nginx cannot tell whose it is.
function tupay(r) {
    if (r.uri === '/v1/auth/login') {
        return tupayDigest(bodyField(r, 'accessKey'));
    }
    return r.variables['cookie_' + TUPAY_COOKIE] || '';
}

// Dots: the client_id of `Authorization: Basic base64(client_id:api_key)` (an app named by
// `Api-App-Id` belongs to its organisation, so it goes where the organisation does).
function dots(r) {
    const credential = authorization(r, 'basic');
    if (!credential) {
        return '';
    }
    try {
        const pair = Buffer.from(credential, 'base64').toString();
        const colon = pair.indexOf(':');
        return colon < 0 ? pair : pair.slice(0, colon);
    } catch (e) {
        return '';
    }
}

export default { onspot, onepay, kashpay, tupay, dots };
