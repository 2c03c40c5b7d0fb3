"""payoutsim contract --provider onepay --client "python3 adapters/python/onepay_adapter.py"

Maps the suite's operations to the OnePay client in payout_client.py. To run your own client,
copy this file and protocol.py and replace the calls to `OnePay` with yours.
"""

from payout_client import OnePay
from protocol import Session, Unsupported

OPERATIONS = ["payout.create", "payout.get", "payout.find", "balance.get",
              "webhook.receive", "payout.known_status"]


class OnePayHandler:
    operations = OPERATIONS

    def __init__(self, config, sleep):
        self.client = OnePay(config["base_url"], config["credentials"]["api_key"],
                             webhook_secret=config.get("webhook", {}).get("secret"),
                             timeout_s=config.get("timeout_s", 10.0), sleep=sleep)

    def perform(self, op, params):
        if op == "payout.create":
            b = params["beneficiary"]
            c = self.client.create_cashout(params["reference"], params["amount"],
                                           b["customer_id"], b["account_id"], b.get("method", "TURBO"))
            return {"id": c["id"], "status": c["status"]}
        if op == "payout.get":
            c = self.client.get_cashout(params["id"])
            return {"id": c["id"], "status": c["status"], "amount": str(c["amount"]),
                    "currency": "COP"}
        if op == "payout.find":
            c = self.client.find_cashout(params["reference"])
            return {"found": False} if c is None else {"id": c["id"], "status": c["status"]}
        if op == "balance.get":
            return {"amount": str(self.client.balance()["available"]), "currency": "COP"}
        if op == "webhook.receive":
            return {"verdict": self.client.receive_webhook(params["headers"], params["body"])}
        if op == "payout.known_status":
            return {"status": self.client.known.get(params["id"])}
        raise Unsupported(op)


if __name__ == "__main__":
    Session("payoutsim-python-onepay", "1.0.0", {"onepay": OnePayHandler},
            {"onepay": OPERATIONS}).run()
