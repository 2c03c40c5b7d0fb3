"""A broken OnePay adapter: its client takes a broken connection to mean "not sent" and creates
again at once, without its x-idempotency key. Only the lost-answer scenarios must fail."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "adapters", "python"))

import payout_client  # noqa: E402
from onepay_adapter import OPERATIONS, OnePayHandler  # noqa: E402
from protocol import ConnectionFailed, Session, Timeout  # noqa: E402


class KeylessRetry(payout_client.Http):
    def call(self, method, path, body=None, headers=None, on_unknown=None):
        if on_unknown is None:
            return super().call(method, path, body, headers)
        try:
            status, headers_in, payload = self.once(method, path, body, headers)
        except ConnectionFailed:
            keyless = {k: v for k, v in (headers or {}).items() if k.lower() != "x-idempotency"}
            return super().call(method, path, body, keyless)
        except Timeout:
            found = on_unknown()
            if found is not None:
                return 200, {}, found
            return super().call(method, path, body, headers, on_unknown)
        if status == 429 or status in payout_client.RETRYABLE:
            self.sleep(payout_client._retry_after(headers_in, 0.5))
            return super().call(method, path, body, headers, on_unknown)
        return status, headers_in, payload


payout_client.Http = KeylessRetry

if __name__ == "__main__":
    Session("broken-keyless-retry", "0", {"onepay": OnePayHandler}, {"onepay": OPERATIONS}).run()
