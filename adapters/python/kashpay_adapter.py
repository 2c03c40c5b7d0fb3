"""payoutsim contract --provider kashpay --client "python3 adapters/python/kashpay_adapter.py"

Maps the suite's operations to the Kashpay client in payout_client.py. Kashpay has no read of an
order by id and no webhooks for payouts, so this adapter lists neither `payout.get` nor the
webhook operations: the suite reports those scenarios as not applicable.
"""

from payout_client import Kashpay
from protocol import Rejected, Session, Unsupported

OPERATIONS = ["payout.create", "payout.find", "balance.get"]
NOT_FOUND = 1030  # searchReference: no order under that reference


class KashpayHandler:
    operations = OPERATIONS

    def __init__(self, config, sleep):
        cred = config["credentials"]
        self.client = Kashpay(config["base_url"], cred["entity"], cred["user"], cred["password"],
                              timeout_s=config.get("timeout_s", 10.0), sleep=sleep)

    def perform(self, op, params):
        if op == "payout.create":
            b = params["beneficiary"]
            o = self.client.create_order(params["reference"], params["amount"], b["clabe"], b["name"])
            return {"id": str(o["id"]), "status": str(o["status"])}
        if op == "payout.find":
            try:
                o = self.client.find_order(params["reference"])
            except Rejected as refused:
                if refused.code == NOT_FOUND:
                    return {"found": False}
                raise
            return {"id": str(o["id"]), "status": str(o["status"])}
        if op == "balance.get":
            return {"amount": str(self.client.balance()), "currency": "MXN"}
        raise Unsupported(op)


if __name__ == "__main__":
    Session("payoutsim-python-kashpay", "1.0.0", {"kashpay": KashpayHandler},
            {"kashpay": OPERATIONS}).run()
