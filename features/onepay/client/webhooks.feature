@sim @client
Feature: OnePay client resilience: webhook deliveries
  OnePay signs each delivery (`x-signature`, hex HMAC-SHA256 of the raw body under the webhook's
  secret, which the client is configured with). The fault layer duplicates or reorders the
  deliveries; the suite hands each one that reached its receiver to the client, in the order it
  arrived, and checks what the client made of them against OnePay's own state.

  Background:
    Given the client is configured for a fresh OnePay tenant
    And a beneficiary "ana"

  @webhook-signature @needs:payout.create @needs:webhook.receive @needs:payout.known_status
  Scenario: A forged delivery is rejected and a genuine one accepted
    When the client creates a payout of 50000 to "ana" with reference "k1"
    And the webhook deliveries are handed to the client
    And a forged copy of the last webhook delivery is handed to the client
    Then the client's verdicts are "accepted, rejected"
    And the client knows the payout with reference "k1" as "pending"
    And OnePay has the payout with reference "k1" as "pending"

  @webhook-duplicate @needs:payout.create @needs:webhook.receive @needs:payout.known_status
  Scenario: A duplicated delivery is recognised and not applied twice
    Given a fault rule for OnePay:
      """
      {"match": {"tenant": "{tenant}", "event": "cashout.created"}, "fault": {"kind": "webhook_duplicate"}}
      """
    When the client creates a payout of 50000 to "ana" with reference "k1"
    And 1 minute of simulated time passes
    And the webhook deliveries are handed to the client
    Then the client's verdicts are "accepted, duplicate, accepted"
    And the client knows the payout with reference "k1" as "processing"
    And OnePay has the payout with reference "k1" as "processing"

  @webhook-order @needs:payout.create @needs:webhook.receive @needs:payout.known_status
  Scenario: Deliveries out of order leave the client in the cashout's latest status
    Given a fault rule for OnePay:
      """
      {"match": {"tenant": "{tenant}", "event": "cashout.created"}, "fault": {"kind": "webhook_reorder"}}
      """
    When the client creates a payout of 50000 to "ana" with reference "k1"
    And 1 minute of simulated time passes
    And the webhook deliveries are handed to the client
    Then the client's verdicts are "accepted, accepted"
    And the client knows the payout with reference "k1" as "processing"
    And OnePay has the payout with reference "k1" as "processing"
