Feature: Authentication with secret API keys
  Every OnePay call carries `Authorization: Bearer sk_test_<k>` or `Bearer sk_live_<k>`.
  Test keys see test objects (`is_test: true`) and start with a funded sandbox balance; live keys
  see live objects (`is_test: false`). Each key is its own tenant.

  Scenario: A test key reaches the API and sees the test environment
    Given a OnePay test key
    When I GET "/v1/balances"
    Then the response status is 200
    And the response field "data.is_test" is true
    And the response field "data.currency" is "COP"

  # @sim: the real sandbox gives us no live key.
  @sim
  Scenario: A live key reaches the API and sees the live environment
    Given a OnePay live key
    When I GET "/v1/balances"
    Then the response status is 200
    And the response field "data.is_test" is false
    And the response field "data.available" is 0

  Scenario: A request without an API key is refused
    When I GET "/v1/balances" without an API key
    Then the response status is 401
    And the response is an error envelope with code "401" and code_name "unauthenticated"
    And the response field "message" is "Unauthenticated."

  Scenario Outline: A malformed API key is refused with OnePay's error envelope
    When I GET "/v1/balances" with the Authorization header "<authorization>"
    Then the response status is 401
    And the response is an error envelope with code "401" and code_name "unauthenticated"

    Examples:
      | authorization            |
      | Bearer sk_test_          |
      | Bearer sk_prod_abc123    |
      | Bearer pk_test_abc123    |
      | Bearer sk_test_has-dash  |
      | Basic sk_test_abc123     |
      | sk_test_abc123           |
      | Bearer                   |

  @sim
  Scenario: Test and live keys do not see each other's objects
    Given a OnePay test key
    And a customer "ana"
    When I switch to a new OnePay live key
    And I GET "/v1/customers/{customer:ana}"
    Then the response status is 404
    And the response is an error envelope with code "404" and code_name "not_found"
    When I GET "/v1/customers"
    Then the response field "total" is 0

  @sim
  Scenario: Two test keys are two tenants
    Given a OnePay test key "first"
    And a customer "ana"
    And a OnePay test key "second"
    When I GET "/v1/customers/{customer:ana}"
    Then the response status is 404
    When I use the key "first"
    And I GET "/v1/customers/{customer:ana}"
    Then the response status is 200
    And the response field "is_test" is true
