@sim
Feature: Back office
  payoutsim's admin API does what OnePay's back office would: fund a balance, force a cashout's
  or an account's status, and show the provider's objects and the requests it received.

  Background:
    Given a OnePay live key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: Funding a live balance lets cashouts through
    When the back office funds the balance with 500,000 COP
    Then the available balance is 500,000
    When I create a TURBO cashout "c1" of 200000 COP to "ana-savings"
    Then the response status is 201
    And the response field "is_test" is false
    And the available balance is 300,000

  Scenario: Forcing a cashout to processed
    Given the back office funds the balance with 100,000 COP
    And a TURBO cashout "c1" of 50000 COP to "ana-savings"
    When the back office forces cashout "c1" to "processed"
    Then cashout "c1" is "processed"
    And the back office shows cashout "c1" as "processed"
    And the amount in transit is 0

  Scenario: Forcing a cashout to failed credits it back and announces it
    Given a webhook for "cashout.rejected"
    And the back office funds the balance with 100,000 COP
    And a TURBO cashout "c1" of 50000 COP to "ana-savings"
    When the back office forces cashout "c1" to "failed"
    Then cashout "c1" is "failed"
    And the available balance is 100,000
    And webhook events "cashout.rejected" arrive in order

  Scenario: Forcing an account active
    When the back office forces account "ana-savings" to "ACTIVE"
    Then account "ana-savings" is "ACTIVE"

  Scenario: The journal records what OnePay was asked
    When I GET "/v1/customers/{customer:ana}"
    Then OnePay's journal recorded GET "/v1/customers/{customer:ana}" answered with 200
    And OnePay's journal recorded POST "/v1/customers" answered with 201
