Feature: Kashpay getBalance and getOperations
  getBalance shows the entity (onsignaEntity) with its balance and CLABE; getOperations lists
  its operations newest first, with paging and filters as HEADERS (page from 0, size default 25,
  status, type from the operation-type catalogue).

  Background:
    Given a Kashpay entity
    And I am signed in to Kashpay

  # Simulator only: a fresh entity's prefix ("ka", from its name) and balance
  @sim
  Scenario: getBalance shows the documented entity
    When I send a Kashpay GET to "/EntitiesServices/getBalance"
    Then the response status is 200
    And the response field "success" is true
    And the response field "onsignaEntity.balance" is 1000000
    And the response field "onsignaEntity.prefix" is "ka"
    And the response field "onsignaEntity.warrantyBalance" is 0
    And the response has the fields "onsignaEntity.id, onsignaEntity.clabeAccount, onsignaEntity.virtualAccount, onsignaEntity.customerNetworkBalance, totalItems, totalPages, currentPage"

  # Simulator only: a fixed alphanumericReference, which a sandbox entity keeps from one run to the next (1023); a fresh entity's operations only
  @sim
  Scenario: Operations page by headers
    Given a Kashpay order "P1" of 1 MXN to "002028650641359744"
    And a Kashpay order "P2" of 2 MXN to "002028650641359744"
    And a Kashpay order "P3" of 3 MXN to "002028650641359744"
    When I list my Kashpay operations with the headers:
      | page | 1 |
      | size | 2 |
    Then the response status is 200
    And the response field "totalItems" is 3
    And the response field "totalPages" is 2
    And the response field "currentPage" is 1
    And the response field "operations" has 1 item
    And the response field "operations.0.alphanumericReference" is "P1"

  # Simulator only: a fixed alphanumericReference, which a sandbox entity keeps from one run to the next (1023); a fresh entity's operations only
  @sim
  Scenario: Operations filter by status and type
    Given a Kashpay order "P1" of 1 MXN to "002028650641359744"
    When I list my Kashpay operations with the headers:
      | status | 25 |
      | type   | 1  |
    Then the response field "totalItems" is 1
    And the response field "operations.0.type" is 1
    And the response field "operations.0.transactionType" is "SPEI DE SALIDA"
    And the response field "operations.0.targetIDCode" is "40002"
    When I list my Kashpay operations with the headers:
      | status | 26 |
    Then the response field "totalItems" is 0

  Scenario: Paging headers that are not numbers, and unknown types, are refused
    When I list my Kashpay operations with the headers:
      | size | many |
    Then the response status is 200
    And the Kashpay error is "ValidationException" with code 1010
    When I list my Kashpay operations with the headers:
      | type | 5 |
    Then the Kashpay error is "ValidationException" with code 1010
