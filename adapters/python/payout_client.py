"""A small payout client for OnePay and Kashpay, of the kind a team writes (standard library only).

This is the code under test: the adapters in this folder only map the suite's operations to it.
What it does that production integrations need:
- every create carries the caller's reference as its idempotency key, so a retry after a lost
  answer cannot pay twice;
- 429 waits for `Retry-After`; 502/503/504 and broken connections back off and retry;
- a timeout means "unknown": it reads back by reference before creating again;
- an expired session (Kashpay) is renewed once, then the call is repeated;
- webhooks (OnePay) are verified (HMAC-SHA256 of the raw body), deduplicated, and applied only
  when they move a payout forward.
"""

import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from protocol import ConnectionFailed, Rejected, Timeout

RETRYABLE = {502, 503, 504}


class Http:
    """JSON over HTTP with the retry policy above. `sleep` is injectable (tests drive time)."""

    def __init__(self, base_url, timeout_s=10.0, sleep=time.sleep, attempts=5):
        self.base_url = base_url.rstrip("/")
        self.timeout_s, self.sleep, self.attempts = timeout_s, sleep, attempts

    def once(self, method, path, body=None, headers=None):
        """One exchange: (status, headers, parsed JSON or None). Raises Timeout/ConnectionFailed."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, dict(response.headers), _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), _json(error.read())
        except (socket.timeout, TimeoutError) as error:
            raise Timeout(f"{method} {path}: no answer in {self.timeout_s} s") from error
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise Timeout(f"{method} {path}: no answer in {self.timeout_s} s") from error
            raise ConnectionFailed(f"{method} {path}: {reason}") from error

    def call(self, method, path, body=None, headers=None, on_unknown=None):
        """`once` with retries. `on_unknown()`, if given, is asked after a timeout or a broken
        connection whether the request took effect; what it returns (not None) is the answer."""
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                status, headers_in, payload = self.once(method, path, body, headers)
            except (Timeout, ConnectionFailed):
                if on_unknown is not None:
                    found = on_unknown()
                    if found is not None:
                        return 200, {}, found
                if last:
                    raise
                self.sleep(delay)
                delay *= 2
                continue
            if status == 429 and not last:
                self.sleep(_retry_after(headers_in, delay))
                continue
            if status in RETRYABLE and not last:
                self.sleep(_retry_after(headers_in, delay))
                delay *= 2
                continue
            return status, headers_in, payload
        raise AssertionError("unreachable: the last attempt returns or raises")


def _json(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _retry_after(headers, default):
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except ValueError:
                return default
    return default


class OnePay:
    """OnePay cashouts (`Authorization: Bearer sk_…`, `x-idempotency`)."""

    STATUS_RANK = {"pending": 0, "processing": 1, "processed": 2, "failed": 2}

    def __init__(self, base_url, api_key, webhook_secret=None, timeout_s=10.0, sleep=time.sleep):
        self.http = Http(base_url, timeout_s, sleep)
        self.auth = {"Authorization": f"Bearer {api_key}"}
        self.webhook_secret = webhook_secret
        self.seen = set()
        self.known = {}

    def _ok(self, status, payload):
        if status >= 300:
            payload = payload or {}
            raise Rejected(status, payload.get("code_name") or payload.get("code"),
                           payload.get("message", ""))
        return payload

    def create_cashout(self, reference, amount, customer_id, account_id, method="TURBO"):
        body = {"amount": _number(amount), "currency": "COP", "customer_id": customer_id,
                "account_id": account_id, "method": method, "external_id": reference,
                "description": f"payout {reference}"}
        headers = dict(self.auth, **{"x-idempotency": reference})
        while True:
            status, _, payload = self.http.call(
                "POST", "/v1/cashouts", body, headers,
                on_unknown=lambda: self.find_cashout(reference))
            if status == 409 and (payload or {}).get("code_name") == "idempotency_key_in_use":
                self.http.sleep(1.0)  # the first attempt is still running: wait for its answer
                continue
            return self._ok(status, payload)

    def get_cashout(self, cashout_id):
        status, _, payload = self.http.call(
            "GET", f"/v1/cashouts/{urllib.parse.quote(cashout_id)}", headers=self.auth)
        return self._ok(status, payload)

    def find_cashout(self, reference):
        query = urllib.parse.urlencode({"filter[external_id]": reference})
        status, _, payload = self.http.call("GET", f"/v1/cashouts?{query}", headers=self.auth)
        rows = self._ok(status, payload).get("data", [])
        return rows[0] if rows else None

    def balance(self):
        status, _, payload = self.http.call("GET", "/v1/balances", headers=self.auth)
        return self._ok(status, payload)["data"]

    def receive_webhook(self, headers, raw_body):
        """'accepted', 'rejected' (bad signature) or 'duplicate'."""
        signature = {k.lower(): v for k, v in headers.items()}.get("x-signature", "")
        expected = hmac.new((self.webhook_secret or "").encode(), raw_body.encode(),
                            hashlib.sha256).hexdigest()
        if not self.webhook_secret or not hmac.compare_digest(signature, expected):
            return "rejected"
        digest = hashlib.sha256(raw_body.encode()).hexdigest()
        if digest in self.seen:
            return "duplicate"
        self.seen.add(digest)
        data = json.loads(raw_body).get("data", {})
        cashout_id, status = data.get("id"), data.get("status")
        if cashout_id and status in self.STATUS_RANK:
            current = self.known.get(cashout_id)
            if current is None or self.STATUS_RANK[status] > self.STATUS_RANK[current]:
                self.known[cashout_id] = status  # an older event arriving late changes nothing
        return "accepted"


class Kashpay:
    """Kashpay SPEI orders: a JWT session per entity, renewed when it expires."""

    EXPIRED = 1004

    def __init__(self, base_url, entity, user, password, timeout_s=10.0, sleep=time.sleep):
        self.http = Http(base_url, timeout_s, sleep)
        self.entity, self.user, self.password = entity, user, password
        self.token = None

    def _login(self):
        status, _, payload = self.http.call(
            "POST", "/AuthenticationService/authenticate",
            {"entity": self.entity, "user": self.user, "password": self.password})
        payload = payload or {}
        if status != 200 or not payload.get("success"):
            error = payload.get("error", {})
            raise Rejected(status, error.get("code"), error.get("message", ""))
        self.token = payload["authenticationResponse"]["token"]

    def _signed(self, method, path, body=None, on_unknown=None):
        if self.token is None:
            self._login()
        for renewed in (False, True):
            headers = {"Authorization": f"Bearer {self.token}", "Entity-i": self.entity}
            status, _, payload = self.http.call(method, path, body, headers, on_unknown)
            payload = payload or {}
            code = payload.get("error", {}).get("code")
            if status == 401 and code == self.EXPIRED and not renewed:
                self._login()  # the session expired: log in again, once, and repeat
                continue
            if status != 200 or not payload.get("success", False):
                error = payload.get("error", {})
                raise Rejected(status, error.get("code"), error.get("message", ""))
            return payload
        raise AssertionError("unreachable: the renewed attempt returns or raises")

    def create_order(self, reference, amount, clabe, name):
        body = {"alphanumericReference": reference, "amount": str(amount),
                "beneficiaryAcount": clabe, "beneficiaryName": name,
                "beneficiaryTypeAcount": "40", "codeInstituteBank": clabe[:3],
                "concept": f"payout {reference}"[:39], "numericReference": 1,
                "typeTransaction": 1, "currency": 484}
        try:
            payload = self._signed("POST", "/OKPay/createOrder", body,
                                   on_unknown=lambda: self._search_or_none(reference))
        except Rejected as refused:
            if refused.code == 1023:  # a duplicate reference: our earlier attempt got through
                return self.find_order(reference)
            raise
        return payload["orderEntityResponse"]

    def _search_or_none(self, reference):
        try:
            return {"success": True, "orderEntityResponse": self.find_order(reference)}
        except Rejected:
            return None

    def find_order(self, reference):
        return self._signed("POST", "/OKPay/searchReference",
                            {"alphanumericReference": reference})["orderEntityResponse"]

    def balance(self):
        return self._signed("GET", "/EntitiesServices/getBalance")["onsignaEntity"]["balance"]


def _number(amount):
    """A decimal string as the JSON number OnePay takes (exact: no float for money)."""
    text = str(amount)
    return int(text) if text.isdigit() else json.loads(text)
