@sim
Feature: Faults: answers lost on the wire
  A connection-level fault `before` the handler means OnePay never saw the request; `after`
  means OnePay handled it and the answer was lost. The client sees the same transport error
  either way, so it must retry with the same x-idempotency key: the retry creates the cashout in
  the first case and replays it in the second. The journal says which happened.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: A reset before OnePay sees the request creates nothing
    Given a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "reset"}, "times": 1}
      """
    When I try to create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the request fails with a connection reset
    And OnePay's journal recorded POST "/v1/cashouts" unanswered, by the fault "reset (before)"
    When I list cashouts
    Then the page holds 0 cashouts
    When I try to create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 201
    And the response has no header "idempotent-replayed"

  Scenario: A reset after OnePay created the cashout loses only the answer
    Given I note the available balance
    And a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "reset", "stage": "after"}, "times": 1}
      """
    When I try to create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the request fails with a connection reset
    And OnePay's journal recorded POST "/v1/cashouts" answered with 201, by the fault "reset (after)"
    When I try to create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response status is 201
    And the response header "idempotent-replayed" is "true"
    And the available balance has gone down by 50000

  Scenario: An empty reply after the handler ran looks like no answer at all
    Given a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "empty", "stage": "after"}, "times": 1}
      """
    When I try to create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the request fails without a response
    When I list cashouts
    Then the page holds 1 cashout

  Scenario: A hang closes the connection without an answer at its cap
    Given a fault rule for OnePay:
      """
      {"match": {"method": "POST", "path": "/v1/cashouts", "tenant": "{tenant}"},
       "fault": {"kind": "hang", "stage": "after", "max_s": 0.2}, "times": 1}
      """
    When I try to create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the request fails without a response
    When I try to create a TURBO cashout of 50000 COP to "ana-savings" with idempotency key "k1"
    Then the response header "idempotent-replayed" is "true"
