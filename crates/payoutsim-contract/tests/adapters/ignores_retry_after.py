"""A broken OnePay adapter: its client ignores Retry-After and waits its own back-off instead.
Only the retry-after scenarios must fail."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "adapters", "python"))

import payout_client  # noqa: E402
from onepay_adapter import OPERATIONS, OnePayHandler  # noqa: E402
from protocol import Session  # noqa: E402

payout_client._retry_after = lambda headers, default: default

if __name__ == "__main__":
    Session("broken-ignores-retry-after", "0", {"onepay": OnePayHandler},
            {"onepay": OPERATIONS}).run()
