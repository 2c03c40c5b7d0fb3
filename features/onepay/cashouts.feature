Feature: Creating cashouts
  `POST /v1/cashouts` pays a customer's account from the company balance. It needs an
  `x-idempotency` header, answers 201 with the cashout `pending`, and refuses bad input with
  OnePay's error envelope: 400 for malformed JSON, 422 listing every failing key, and the
  documented business code 10501 (HTTP 401) when the balance cannot cover the amount.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: A valid cashout is created pending
    When I create a TURBO cashout "c1" of 50000 COP to "ana-savings"
    Then the response status is 201
    And the response has the fields "id, customer_id, account_id, is_test, amount, status, scheduled_at, created_at, external_id, method, currency, description, updated_at, remarks"
    And the response field "status" is "pending"
    And the response field "amount" is 50000
    And the response field "method" is "TURBO"
    And the response field "currency" is "COP"
    And the response field "is_test" is true
    And the response field "scheduled_at" is null
    And the response field "remarks" is null
    And the response field "customer_id" is the id of customer "ana"
    And the response field "account_id" is the id of account "ana-savings"
    And the response field "created_at" is a OnePay timestamp

  Scenario: A cashout can be fetched by id
    Given an ACH cashout "c1" of 75000 COP to "ana-savings"
    When I fetch cashout "c1"
    Then the response status is 200
    And the response field "id" is the id of cashout "c1"
    And the response field "method" is "ACH"
    And the response field "amount" is 75000

  Scenario: An unknown cashout is not found
    When I GET "/v1/cashouts/does-not-exist"
    Then the response status is 404
    And the response is an error envelope with code "404" and code_name "not_found"

  Scenario: Every missing field is listed
    When I POST to "/v1/cashouts" with idempotency key "empty" and body:
      """
      {}
      """
    Then the response status is 422
    And the response is an error envelope with code "422" and code_name "validation_error"
    And the errors name "amount, account_id, customer_id, method"

  Scenario Outline: Invalid values are refused with the failing key
    When I POST to "/v1/cashouts" with idempotency key "{unique}" and body:
      """
      {
        "amount": <amount>,
        "account_id": "{account:ana-savings}",
        "customer_id": "{customer:ana}",
        "method": "<method>",
        "currency": "COP"
      }
      """
    Then the response status is 422
    And the error code is "422" and the errors name "<key>"

    Examples:
      | amount   | method  | key    |
      | 0        | TURBO   | amount |
      | -5000    | TURBO   | amount |
      | "50000x" | TURBO   | amount |
      | true     | ACH     | amount |
      | 50000    | INSTANT | method |
      | 50000    | turbo   | method |

  Scenario: A field of the wrong type is a validation error, not a parse error
    When I POST to "/v1/cashouts" with idempotency key "{unique}" and body:
      """
      {
        "amount": 50000,
        "account_id": ["{account:ana-savings}"],
        "customer_id": "{customer:ana}",
        "method": "TURBO"
      }
      """
    Then the response status is 422
    And the error code is "422" and the errors name "account_id"
    And the errors do not name "amount, method"

  Scenario: Malformed JSON is a 400
    When I POST to "/v1/cashouts" with idempotency key "{unique}" and body:
      """
      {"amount": 50000, "method": "TURBO",
      """
    Then the response status is 400
    And the response is an error envelope with code "400" and code_name "invalid_json"

  Scenario: An unknown customer is a 422
    When I POST to "/v1/cashouts" with idempotency key "{unique}" and body:
      """
      {
        "amount": 50000,
        "account_id": "{account:ana-savings}",
        "customer_id": "no-such-customer",
        "method": "TURBO"
      }
      """
    Then the response status is 422
    And the error code is "422" and the errors name "customer_id"

  Scenario: The account must belong to the customer
    Given a customer "bob"
    When I POST to "/v1/cashouts" with idempotency key "{unique}" and body:
      """
      {
        "amount": 50000,
        "account_id": "{account:ana-savings}",
        "customer_id": "{customer:bob}",
        "method": "TURBO"
      }
      """
    Then the response status is 422
    And the error code is "422" and the errors name "account_id"

  # @sim: needs a live key with an empty balance.
  @sim
  Scenario: A cashout above the available balance is refused with 10501
    Given a OnePay live key
    And a customer "bob"
    And a SAVINGS account "bob-savings" for "bob" with number "2234567890"
    When I create a TURBO cashout "c1" of 50000 COP to "bob-savings"
    Then the response status is 401
    And the response is an error envelope with code "10501" and code_name "insufficient_funds"
    And the available balance is 0
