@sim @client
Feature: Kashpay client resilience: creating orders through failures
  The client under test signs in as the scenario's fresh entity (Kashpay provisions it, funded,
  at the first sign-in) and creates SPEI orders while the fault layer breaks the exchange. Each
  scenario checks what the client answered and what Kashpay ended with: one order under the
  reference (its alphanumericReference), one debit.
  Kashpay documents no webhooks for orders (providers/kashpay.md), so the three webhook
  capabilities (signature, duplicate, order) do not apply: the summary shows — for them.

  Background:
    Given the client is configured for a fresh Kashpay tenant
    And a beneficiary "ana"

  @lost-answer @needs:payout.create
  Scenario: The answer to a create is lost after Kashpay made the order, and the client ends with one order
    Given a fault rule for Kashpay:
      """
      {"match": {"method": "POST", "path": "/OKPay/createOrder", "tenant": "{tenant}"},
       "fault": {"kind": "reset", "stage": "after"}, "times": 1}
      """
    When the client creates a payout of 250 to "ana" with reference "k1"
    Then the client's answer is a payout with status "25"
    And Kashpay holds 1 payout under reference "k1"
    And Kashpay's balance has gone down by exactly 250

  @retry-after @needs:payout.create
  Scenario: A 429 with Retry-After is waited out and the order goes through once
    Given a fault rule for Kashpay:
      """
      {"match": {"method": "POST", "path": "/OKPay/createOrder", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 30}, "times": 1}
      """
    When the client creates a payout of 250 to "ana" with reference "k1"
    Then the client's answer is a payout with status "25"
    And the client waited at least 30 seconds before retrying POST "/OKPay/createOrder"
    And Kashpay holds 1 payout under reference "k1"
    And Kashpay's balance has gone down by exactly 250

  @timeout-reconcile @needs:payout.create
  Scenario: An order that times out is searched for before it is sent again
    Given a fault rule for Kashpay:
      """
      {"match": {"method": "POST", "path": "/OKPay/createOrder", "tenant": "{tenant}"},
       "fault": {"kind": "hang", "stage": "after", "max_s": 5}, "times": 1}
      """
    When the client creates a payout of 250 to "ana" with reference "k1"
    Then the client's answer is a payout with status "25"
    And the client read back with POST "/OKPay/searchReference" before sending POST "/OKPay/createOrder" again
    And Kashpay holds 1 payout under reference "k1"
    And Kashpay's balance has gone down by exactly 250

  @session-expiry @needs:payout.create
  Scenario: The session expires between two orders, and the client signs in once more and goes on
    When the client creates a payout of 250 to "ana" with reference "k1"
    And 6000 seconds of simulated time pass
    And the client creates a payout of 250 to "ana" with reference "k2"
    Then the client's answer is a payout with status "25"
    And the client sent 2 POST "/AuthenticationService/authenticate"
    And Kashpay holds 1 payout under reference "k2"
    And Kashpay's balance has gone down by exactly 500

  @outage @needs:payout.create
  Scenario: A 503 outage is backed off and the order goes through once it ends
    Given a fault rule for Kashpay:
      """
      {"match": {"method": "POST", "path": "/OKPay/createOrder", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "window": {"from_s": 0, "for_s": 5}}
      """
    When the client creates a payout of 250 to "ana" with reference "k1"
    Then the client's answer is a payout with status "25"
    And Kashpay holds 1 payout under reference "k1"
    And Kashpay's balance has gone down by exactly 250

  @needs:payout.create @needs:payout.find
  Scenario: An order the client created is found by its reference, and an unknown one is not
    When the client creates a payout of 250 to "ana" with reference "k1"
    And the client finds the payout with reference "k1"
    Then the client's answer field "status" is "25"
    When the client finds the payout with reference "never-made"
    Then the client's answer says no payout was found
