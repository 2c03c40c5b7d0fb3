Feature: Bank accounts
  A customer's bank account receives cashouts. `POST /v1/accounts` answers 201 with the account
  `PENDING`; OnePay activates it after 300 seconds, or at once on `POST /v1/accounts/{id}/validate`.

  Background:
    Given a OnePay test key
    And a customer "ana"

  Scenario: Banks are listed
    When I GET "/v1/banks"
    Then the response status is 200
    And the response has the fields "data.0.id, data.0.name"

  Scenario: Creating an account leaves it pending
    When I create a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    Then the response status is 201
    And the response has the fields "id, title, subtype, status"
    And the response field "subtype" is "SAVINGS"
    And the response field "status" is "PENDING"

  Scenario: Fetching an account by id
    Given a CHECKING account "ana-checking" for "ana" with number "9876543210"
    When I fetch account "ana-checking"
    Then the response status is 200
    And the response field "id" is the id of account "ana-checking"
    And the response field "subtype" is "CHECKING"

  Scenario: A customer's accounts list only that customer's accounts
    Given a customer "bob"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    And an ELECTRONIC_DEPOSIT account "bob-wallet" for "bob" with number "3001234567"
    When I list the accounts of customer "ana"
    Then the response status is 200
    And the response lists account "ana-savings"
    And the response does not list account "bob-wallet"

  @sim
  Scenario: An account becomes active 300 seconds after creation
    Given a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    When 299 seconds of simulated time pass
    Then account "ana-savings" is "PENDING"
    When 1 second of simulated time passes
    Then account "ana-savings" is "ACTIVE"

  Scenario: Validating an account activates it at once
    Given a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    When I validate account "ana-savings"
    Then account "ana-savings" is "ACTIVE"

  Scenario Outline: Invalid account numbers and subtypes are refused
    When I POST to "/v1/accounts" with body:
      """
      {
        "subtype": "<subtype>",
        "authorization": true,
        "re-enrollment": false,
        "account_number": "<number>",
        "customer_id": "{customer:ana}",
        "bank_id": "{bank}"
      }
      """
    Then the response status is 422
    And the error code is "422" and the errors name "<key>"

    Examples:
      | subtype   | number                | key            |
      | SAVINGS   | 12345                 | account_number |
      | SAVINGS   | 123456789012345678901 | account_number |
      | SAVINGS   | 12345abc90            | account_number |
      | BROKERAGE | 1234567890            | subtype        |
