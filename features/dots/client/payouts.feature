@sim @client
Feature: Dots client resilience: creating payouts through failures
  The client under test creates a payout (`POST /v2/payouts`, `fund: true`, the amount in cents,
  the reference as the body's `idempotency_key`, a UUID) while the fault layer breaks the
  exchange. Each scenario checks what the client answered and what Dots ended with: one payout,
  one debit of the app wallet. Dots rejects a seen key (409) rather than replaying the answer,
  and reads no payout by key, so a client that lost an answer reads its payouts back.
  Dots' API keys do not expire (Basic auth on every call), so @session-expiry does not apply.

  Background:
    Given the client is configured for a fresh Dots tenant
    And a beneficiary "ana"

  @lost-answer @needs:payout.create
  Scenario: The answer to a create is lost after Dots made the payout, and the client ends with one payout
    Given a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payouts", "tenant": "{tenant}"},
       "fault": {"kind": "reset", "stage": "after"}, "times": 1}
      """
    When the client creates a payout of 12.50 to "ana" with reference "k1"
    Then the client's answer is a payout with status "created"
    And Dots holds 1 payout under reference "k1"
    And Dots's balance has gone down by exactly 12.50

  @retry-after @needs:payout.create
  Scenario: A 429 with Retry-After is waited out and the create goes through once
    Given a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payouts", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 30}, "times": 1}
      """
    When the client creates a payout of 5 to "ana" with reference "k1"
    Then the client's answer is a payout with status "created"
    And the client waited at least 30 seconds before retrying POST "/api/v2/payouts"
    And Dots holds 1 payout under reference "k1"
    And Dots's balance has gone down by exactly 5

  @timeout-reconcile @needs:payout.create
  Scenario: A create that times out is read back before it is sent again
    Given a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payouts", "tenant": "{tenant}"},
       "fault": {"kind": "hang", "stage": "after", "max_s": 5}, "times": 1}
      """
    When the client creates a payout of 5 to "ana" with reference "k1"
    Then the client's answer is a payout with status "created"
    And the client read back with GET "/api/v2/transfers" before sending POST "/api/v2/payouts" again
    And Dots holds 1 payout under reference "k1"
    And Dots's balance has gone down by exactly 5

  @outage @needs:payout.create
  Scenario: A 503 outage is backed off and the create goes through once it ends
    Given a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payouts", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "window": {"from_s": 0, "for_s": 5}}
      """
    When the client creates a payout of 5 to "ana" with reference "k1"
    Then the client's answer is a payout with status "created"
    And the client sent 5 POST "/api/v2/payouts"
    And Dots holds 1 payout under reference "k1"
    And Dots's balance has gone down by exactly 5

  @needs:payout.create @needs:payout.get @needs:payout.find
  Scenario: A payout the client created reads back by id, in dollars, and by reference
    When the client creates a payout of 12.50 to "ana" with reference "k1"
    And the client reads the payout with reference "k1"
    Then the client's answer field "status" is "created"
    And the client's answer field "amount" is "12.50"
    When the client finds the payout with reference "k1"
    Then the client's answer field "status" is "created"
    When the client finds the payout with reference "never-made"
    Then the client's answer says no payout was found

  @needs:payout.create
  Scenario: A payout the app wallet cannot cover is a rejection with Dots' code
    When the client creates a payout of 100.01 to "ana" with reference "k1"
    Then the client's answer is a rejection with status 400 and code "transaction-insufficient-funds"
    And Dots holds 0 payouts under reference "k1"
