Feature: Balance
  `GET /v1/balances` answers `{"data": {available, available_label, in_transit, currency, is_test}}`.
  A cashout debits `available` when it is created and sits `in_transit` until it ends; a failed
  cashout is credited back. A test key starts with 1,000,000,000 COP, a live key with 0.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: The balance has OnePay's shape
    When I GET "/v1/balances"
    Then the response status is 200
    And the response has the fields "data.available, data.available_label, data.in_transit, data.currency, data.is_test"
    And the response field "data.currency" is "COP"

  # @serial: on a shared key (the sandbox) other scenarios move the same balance.
  @serial
  Scenario: Creating a cashout debits the available balance at once
    Given I note the available balance
    When I create a TURBO cashout "c1" of 50000 COP to "ana-savings"
    Then the response status is 201
    And the available balance has gone down by 50000

  @sim
  Scenario: A fresh test key starts with a billion pesos
    Then the available balance is 1,000,000,000
    And the amount in transit is 0

  @sim
  Scenario: A processed cashout stays debited and leaves transit
    Given a TURBO cashout "c1" of 50000 COP to "ana-savings"
    Then the available balance is 999,950,000
    And the amount in transit is 50,000
    When 1860 seconds of simulated time pass
    Then cashout "c1" is "processed"
    And the available balance is 999,950,000
    And the amount in transit is 0

  @sim
  Scenario: A failed cashout is credited back
    Given a SAVINGS account "closed" for "ana" with number "1111111110"
    And a TURBO cashout "c1" of 50000 COP to "closed"
    Then the available balance is 999,950,000
    When 1860 seconds of simulated time pass
    Then cashout "c1" failed with remarks "ACCOUNT_CLOSED"
    And the available balance is 1,000,000,000
    And the amount in transit is 0

  Scenario: A balance cashout pays the company's own account
    When I request a balance cashout of 100000 COP to "ana-savings" with idempotency key "b1"
    Then the response status is 201
    And the response has the fields "id, amount, amount_label, status, type, account, created_at, processed_at, is_test"
    And the response field "status" is "pending"
    And the response field "type" is "ACH"
    And the response field "amount" is 100000
    And the response field "processed_at" is null

  Scenario: A balance cashout needs an idempotency key
    When I POST to "/v1/balances/cashout" with body:
      """
      { "amount": 100000, "account_id": "{account:ana-savings}" }
      """
    Then the response status is 400
    And the error code_name is "idempotency_key_required"

  @sim
  Scenario: Withdrawing an empty balance is refused with 10500
    Given a OnePay live key
    And a customer "bob"
    And a SAVINGS account "bob-savings" for "bob" with number "2234567890"
    When I withdraw the whole balance to "bob-savings"
    Then the response status is 401
    And the response is an error envelope with code "10500" and code_name "balance_is_empty"

  @sim
  Scenario: Withdrawing more than the balance is refused with 10501
    Given a OnePay live key
    And the back office funds the balance with 1000 COP
    And a customer "bob"
    And a SAVINGS account "bob-savings" for "bob" with number "2234567890"
    When I withdraw 5000 COP of the balance to "bob-savings"
    Then the response status is 401
    And the response is an error envelope with code "10501" and code_name "insufficient_funds"

  Scenario: Withdrawing to an unknown account is refused with 10809
    When I POST to "/v1/balances" with body:
      """
      { "amount": 1000, "account_id": "no-such-account" }
      """
    Then the response status is 422
    And the response is an error envelope with code "10809" and code_name "company_account_not_found"

  Scenario: Withdrawing part of the balance is accepted
    When I withdraw 1000 COP of the balance to "ana-savings"
    Then the response status is 204
