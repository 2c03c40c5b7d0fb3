@sim @client
Feature: OnSpot client resilience: creating payouts through failures
  OnSpot documents two endpoints, a token and Create Payouts: no read, no idempotency, no
  webhooks. A client that lost the answer to a create therefore cannot tell whether the payout
  exists and must not send it again (OnSpot would make a second one): it reports the outcome as
  unknown (or timed out) for a person to reconcile in OnSpot's "Payouts". What it can survive is
  an answer that made nothing: a 429, a 503, an expired token.
  No @webhook-signature, @webhook-duplicate or @webhook-order scenarios: OnSpot sends no webhooks.

  Background:
    Given the client is configured for a fresh OnSpot tenant
    And a beneficiary "ana"

  @lost-answer @needs:payout.create
  Scenario: The answer to a create is lost after OnSpot made the payout, and the client does not send it again
    Given a fault rule for OnSpot:
      """
      {"match": {"method": "POST", "path": "/accreditation/payouts/create", "tenant": "{tenant}"},
       "fault": {"kind": "reset", "stage": "after"}, "times": 1}
      """
    When the client creates a payout of 67.00 to "ana" with reference "k1"
    Then the client's answer leaves the outcome unknown
    And the client sent 1 POST "/accreditation/payouts/create"
    And OnSpot holds 1 payout under reference "k1"

  @timeout-reconcile @needs:payout.create
  Scenario: A create that times out is reported as timed out, not sent again
    Given a fault rule for OnSpot:
      """
      {"match": {"method": "POST", "path": "/accreditation/payouts/create", "tenant": "{tenant}"},
       "fault": {"kind": "hang", "stage": "after", "max_s": 15}, "times": 1}
      """
    When the client creates a payout of 67.00 to "ana" with reference "k1"
    Then the client's answer is a timeout error
    And the client sent 1 POST "/accreditation/payouts/create"
    And OnSpot holds 1 payout under reference "k1"

  @retry-after @needs:payout.create
  Scenario: A 429 with Retry-After is waited out and the create goes through once
    Given a fault rule for OnSpot:
      """
      {"match": {"method": "POST", "path": "/accreditation/payouts/create", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 30}, "times": 1}
      """
    When the client creates a payout of 67.00 to "ana" with reference "k1"
    Then the client's answer is a payout with status "success"
    And the client waited at least 30 seconds before retrying POST "/accreditation/payouts/create"
    And OnSpot holds 1 payout under reference "k1"

  @outage @needs:payout.create
  Scenario: A 503 outage is backed off and the create goes through once it ends
    Given a fault rule for OnSpot:
      """
      {"match": {"method": "POST", "path": "/accreditation/payouts/create", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "window": {"from_s": 0, "for_s": 5}}
      """
    When the client creates a payout of 67.00 to "ana" with reference "k1"
    Then the client's answer is a payout with status "success"
    And the client sent 5 POST "/accreditation/payouts/create"
    And OnSpot holds 1 payout under reference "k1"

  # The create refused with 401 is journaled under no tenant (its expired token names none), so
  # the tenant's journal shows the two creates that made payouts.
  @session-expiry @needs:payout.create
  Scenario: The token expires between two creates and the client gets a new one once
    When the client creates a payout of 10 to "ana" with reference "k1"
    And 3601 seconds of simulated time pass
    And the client creates a payout of 12.50 to "ana" with reference "k2"
    Then the client's answer is a payout with status "success"
    And the client sent 2 POST "/platform/generate-token-api"
    And the client sent 2 POST "/accreditation/payouts/create"

  @needs:payout.create
  Scenario: An item OnSpot refuses is a rejection with its action
    When the client creates a payout of 98l00 to "ana" with reference "k1"
    Then the client's answer is a rejection with status 201 and code "error"
    And OnSpot holds 0 payouts under reference "k1"
