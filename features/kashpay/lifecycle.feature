@sim
Feature: Kashpay order lifecycle and balance
  An order answers status 25 (accepted), settles (26) 60 simulated seconds later, or is
  returned (27, devolución) after 300 s: the amount is credited back and getOperations shows a
  type-2 operation. The back office funds an entity and forces an order's status.

  Background:
    Given a Kashpay entity
    And I am signed in to Kashpay

  Scenario: An order settles after a minute
    Given a Kashpay order "S1" of 100 MXN to "002028650641359744"
    When 59 seconds of simulated time pass
    Then the Kashpay order "S1" has status 25
    When 1 second of simulated time passes
    Then the Kashpay order "S1" has status 26
    And the Kashpay balance is 999900 MXN

  Scenario: An order to the magic CLABE is returned and credited back
    Given a Kashpay order "R1" of 40.5 MXN to "646180000000000012"
    When 5 minutes of simulated time pass
    Then the Kashpay order "R1" has status 27
    And the Kashpay balance is 1000000 MXN
    When I list my Kashpay operations
    Then the response field "operations.0.type" is 2
    And the response field "operations.0.transactionType" is "DEVOLUCIÓN SPEI"
    And the response field "operations.0.responseCode" is "CUENTA_INEXISTENTE"
    And the response field "operations.1.type" is 1
    And the response field "operations.1.status" is 27

  Scenario: The stuck CLABE stays at status 25
    Given a Kashpay order "STUCK1" of 1 MXN to "646180000000000041"
    When 1 hour of simulated time passes
    Then the Kashpay order "STUCK1" has status 25

  Scenario: Funding through the back office shows as an incoming SPEI
    When the back office funds the Kashpay entity with 2500.75 MXN
    Then the Kashpay balance is 1002500.75 MXN
    When I list my Kashpay operations with the headers:
      | type | 3 |
    Then the response field "totalItems" is 1
    And the response field "operations.0.transactionType" is "SPEI DE ENTRADA"

  Scenario: Forcing a return through the back office credits the amount back
    Given a Kashpay order "F1" of 500 MXN to "002028650641359744"
    When the back office forces the Kashpay order "F1" to "returned"
    Then the Kashpay order "F1" has status 27
    And the Kashpay balance is 1000000 MXN
