@sim
Feature: Faults: webhooks duplicated, out of order, dropped
  Webhook fault rules match a message by provider, tenant and event: it can be delivered twice,
  held back until the next event has been delivered, or dropped (the delivery log says so).

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    And a webhook receiver
    And a webhook for "cashout.created, cashout.approved"

  Scenario: A duplicated event arrives twice
    Given a fault rule for OnePay:
      """
      {"match": {"tenant": "{tenant}", "event": "cashout.created"}, "fault": {"kind": "webhook_duplicate"}}
      """
    When I create a TURBO cashout "c1" of 50000 COP to "ana-savings"
    And 1 minute of simulated time passes
    Then webhook events "cashout.created, cashout.created, cashout.approved" arrive in order

  Scenario: A reordered event arrives after the next one
    Given a fault rule for OnePay:
      """
      {"match": {"tenant": "{tenant}", "event": "cashout.created"}, "fault": {"kind": "webhook_reorder"}}
      """
    When I create a TURBO cashout "c1" of 50000 COP to "ana-savings"
    And 1 minute of simulated time passes
    Then webhook events "cashout.approved, cashout.created" arrive in order

  Scenario: A dropped event never arrives
    Given a fault rule for OnePay:
      """
      {"match": {"tenant": "{tenant}", "event": "cashout.created"}, "fault": {"kind": "webhook_drop"}}
      """
    When I create a TURBO cashout "c1" of 50000 COP to "ana-savings"
    And 1 minute of simulated time passes
    Then webhook events "cashout.approved" arrive in order
