@sim @client
Feature: OnePay client resilience: creating cashouts through failures
  The client under test (the built-in client, or a team's adapter with --client) creates a
  cashout while the fault layer breaks the exchange. Each scenario checks what the client
  answered and what OnePay ended with: one cashout under the reference, one debit.
  OnePay documents no session expiry (a key does not expire), so @session-expiry does not apply.

  Background:
    Given the client is configured for a fresh OnePay tenant
    And a beneficiary "ana"

  @lost-answer @needs:payout.create
  Scenario: The answer to a create is lost after OnePay made the cashout, and the client ends with one cashout
    Given a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "reset", "stage": "after"}, "times": 1}
      """
    When the client creates a payout of 50000 to "ana" with reference "k1"
    Then the client's answer is a payout with status "pending"
    And OnePay holds 1 payout under reference "k1"
    And OnePay's balance has gone down by exactly 50000

  @retry-after @needs:payout.create
  Scenario: A 429 with Retry-After is waited out and the create goes through once
    Given a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 30}, "times": 1}
      """
    When the client creates a payout of 50000 to "ana" with reference "k1"
    Then the client's answer is a payout with status "pending"
    And the client waited at least 30 seconds before retrying POST "/v1/cashouts"
    And OnePay holds 1 payout under reference "k1"
    And OnePay's balance has gone down by exactly 50000

  @timeout-reconcile @needs:payout.create
  Scenario: A create that times out is read back before it is sent again
    Given a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "hang", "stage": "after", "max_s": 5}, "times": 1}
      """
    When the client creates a payout of 50000 to "ana" with reference "k1"
    Then the client's answer is a payout with status "pending"
    And the client read back with GET "/v1/cashouts" before sending POST "/v1/cashouts" again
    And OnePay holds 1 payout under reference "k1"
    And OnePay's balance has gone down by exactly 50000

  @outage @needs:payout.create
  Scenario: A 503 outage is backed off and the create goes through once it ends
    Given a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "window": {"from_s": 0, "for_s": 5}}
      """
    When the client creates a payout of 50000 to "ana" with reference "k1"
    Then the client's answer is a payout with status "pending"
    And the client sent 5 POST "/v1/cashouts"
    And OnePay holds 1 payout under reference "k1"
    And OnePay's balance has gone down by exactly 50000

  @needs:payout.create @needs:payout.get @needs:payout.find
  Scenario: A cashout the client created reads back by id and by reference
    When the client creates a payout of 50000 to "ana" with reference "k1"
    And the client reads the payout with reference "k1"
    Then the client's answer field "status" is "pending"
    And the client's answer field "amount" is "50000"
    When the client finds the payout with reference "k1"
    Then the client's answer field "status" is "pending"
    When the client finds the payout with reference "never-made"
    Then the client's answer says no payout was found

  @needs:payout.get
  Scenario: A cashout OnePay does not know is a rejection with its status and code
    When the client reads a payout OnePay does not know
    Then the client's answer is a rejection with status 404 and code "not_found"
