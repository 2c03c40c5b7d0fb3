@sim @client
Feature: Dots client resilience: webhook deliveries
  Dots' deliveries are signed the Svix way (`svix-id`, `svix-timestamp`, `svix-signature`
  `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under the endpoint's `whsec_` secret,
  which the client is configured with). `transfer.updated` names the payout only; the client
  reads its status. The fault layer duplicates or reorders deliveries; the suite hands each one
  that reached its receiver to the client, in the order it arrived.

  Background:
    Given the client is configured for a fresh Dots tenant
    And a beneficiary "ana"

  @webhook-signature @needs:payout.create @needs:webhook.receive @needs:payout.known_status
  Scenario: A forged delivery is rejected and a genuine one accepted
    When the client creates a payout of 5 to "ana" with reference "k1"
    And 10 seconds of simulated time pass
    And the webhook deliveries are handed to the client
    And a forged copy of the last webhook delivery is handed to the client
    Then the client's verdicts are "accepted, rejected"
    And the client knows the payout with reference "k1" as "pending"
    And Dots has the payout with reference "k1" as "pending"

  @webhook-duplicate @needs:payout.create @needs:webhook.receive @needs:payout.known_status
  Scenario: A duplicated delivery is recognised and not applied twice
    Given a fault rule for Dots:
      """
      {"match": {"tenant": "{tenant}", "event": "transfer.completed"}, "fault": {"kind": "webhook_duplicate"}}
      """
    When the client creates a payout of 5 to "ana" with reference "k1"
    And 10 minutes of simulated time pass
    And the webhook deliveries are handed to the client
    Then the client's verdicts are "accepted, accepted, accepted, duplicate"
    And the client knows the payout with reference "k1" as "completed"
    And Dots has the payout with reference "k1" as "completed"

  @webhook-order @needs:payout.create @needs:webhook.receive @needs:payout.known_status
  Scenario: Deliveries out of order leave the client in the payout's final status
    Given a fault rule for Dots:
      """
      {"match": {"tenant": "{tenant}", "event": "transfer.updated"}, "fault": {"kind": "webhook_reorder"}, "times": 1}
      """
    When the client creates a payout of 5 to "ana" with reference "k1"
    And 10 minutes of simulated time pass
    And the webhook deliveries are handed to the client
    Then the client's verdicts are "accepted, accepted, accepted"
    And the client knows the payout with reference "k1" as "completed"
    And Dots has the payout with reference "k1" as "completed"
