"""A broken OnePay adapter: its client takes every webhook signature as valid. Only the
webhook-signature scenarios must fail."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "adapters", "python"))

import payout_client  # noqa: E402
from onepay_adapter import OPERATIONS, OnePayHandler  # noqa: E402
from protocol import Session  # noqa: E402

payout_client.hmac.compare_digest = lambda signature, expected: True

if __name__ == "__main__":
    Session("broken-skips-signatures", "0", {"onepay": OnePayHandler},
            {"onepay": OPERATIONS}).run()
