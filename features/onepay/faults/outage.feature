@sim
Feature: Faults: OnePay down, rate limiting, expired credentials
  A fault rule makes OnePay answer an error in its own envelope, for a window of simulated time
  or a number of requests. Every rule here is scoped to the scenario's tenant.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: A 503 outage answers in OnePay's envelope for 60 seconds, then OnePay recovers
    Given a fault rule for OnePay:
      """
      {"match": {"provider": "onepay", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "window": {"from_s": 0, "for_s": 60}}
      """
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 503
    And the response is an error envelope with code "503" and code_name "service_unavailable"
    When 61 seconds of simulated time pass
    And I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 201

  Scenario: A rate limit says when to retry, and the retry with the same key pays once
    Given I note the available balance
    And a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 2}, "times": 1}
      """
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 429
    And the response header "retry-after" is "2"
    And the response is an error envelope with code "429" and code_name "too_many_requests"
    When I create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 201
    And the available balance has gone down by 50000

  Scenario: Expired credentials get OnePay's own 401, then work again
    Given a fault rule for OnePay:
      """
      {"match": {"path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "token_expired"}, "times": 1}
      """
    When I GET "/v1/cashouts"
    Then the response status is 401
    And the response is an error envelope with code "401" and code_name "unauthenticated"
    When I GET "/v1/cashouts"
    Then the response status is 200
    And the fault rules for OnePay have hit 1 time
