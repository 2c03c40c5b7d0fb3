Feature: Idempotent cashout creation
  `POST /v1/cashouts` requires `x-idempotency`. The same key with the same body replays the first
  answer (same status, same body, header `idempotent-replayed: true`) without paying twice; the
  same key with another body is a 409; an answer that is not 2xx does not keep the key.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: A cashout without an idempotency key is refused
    When I POST to "/v1/cashouts" with body:
      """
      {
        "amount": 50000,
        "account_id": "{account:ana-savings}",
        "customer_id": "{customer:ana}",
        "method": "TURBO"
      }
      """
    Then the response status is 400
    And the response is an error envelope with code "400" and code_name "idempotency_key_required"

  # @serial: on a shared key (the sandbox) other scenarios move the same balance.
  @serial
  Scenario: Repeating a request replays the first answer and pays once
    Given I note the available balance
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 201
    And the response has no header "idempotent-replayed"
    When I send the same request again
    Then the response status is 201
    And the response header "idempotent-replayed" is "true"
    And the response is identical to the previous one
    And the available balance has gone down by 50000

  # @serial: on a shared key (the sandbox) other scenarios move the same balance.
  @serial
  Scenario: Reusing a key for another body is a conflict
    Given I note the available balance
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 201
    When I POST to "/v1/cashouts" with idempotency key "k1" and body:
      """
      {
        "amount": 70000,
        "account_id": "{account:ana-savings}",
        "customer_id": "{customer:ana}",
        "method": "TURBO"
      }
      """
    Then the response status is 409
    And the response is an error envelope with code "409" and code_name "idempotency_key_conflict"
    And the available balance has gone down by 50000

  Scenario: A refused request does not burn its key
    When I POST to "/v1/cashouts" with idempotency key "k2" and body:
      """
      {
        "amount": 0,
        "account_id": "{account:ana-savings}",
        "customer_id": "{customer:ana}",
        "method": "TURBO"
      }
      """
    Then the response status is 422
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k2"
    Then the response status is 201
    And the response has no header "idempotent-replayed"
    And the response field "status" is "pending"

  @sim
  Scenario: The same key under two API keys makes two cashouts
    Given I note the available balance
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "shared"
    Then the response status is 201
    Given a OnePay test key "other"
    And a customer "bob"
    And a SAVINGS account "bob-savings" for "bob" with number "2234567890"
    When I create a TURBO cashout of 60000 COP to "bob-savings" with idempotency key "shared"
    Then the response status is 201
    And the response has no header "idempotent-replayed"
    And the response field "amount" is 60000
    And the available balance is 999,940,000

  @sim
  Scenario: The journal keeps the idempotency key of each request
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k-journal"
    Then OnePay's journal recorded POST "/v1/cashouts" answered with 201
    And the journal's last POST "/v1/cashouts" carried the idempotency key "k-journal"
