@sim
Feature: Faults: a cashout accepted, then failed
  An outcome rule decides the terminal status of the next cashout created: OnePay accepts it
  (201, pending) and it fails when it settles, with the given reason, its amount credited back
  and a cashout.rejected webhook.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: The next cashout is accepted and later fails with the bank's reason
    Given I note the available balance
    And a webhook receiver
    And a webhook for "cashout.created, cashout.approved, cashout.rejected"
    And a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "outcome", "status": "failed", "reason": "BANK_REJECTED"}, "times": 1}
      """
    When I create a TURBO cashout "c1" of 50000 COP to "ana-savings"
    Then the response status is 201
    And the response field "status" is "pending"
    When I create a TURBO cashout "c2" of 50000 COP to "ana-savings"
    And 31 minutes of simulated time pass
    Then cashout "c1" failed with remarks "BANK_REJECTED"
    And cashout "c2" is "processed"
    And the available balance has gone down by 50000
