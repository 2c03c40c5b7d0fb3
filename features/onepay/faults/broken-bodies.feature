@sim
Feature: Faults: broken and slow response bodies
  A truncated body declares its full Content-Length and stops halfway; a malformed one is not
  JSON though its content type says so; a slow one arrives whole, in small pieces.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    And a TURBO cashout "c1" of 50000 COP to "ana-savings"

  Scenario: A truncated status poll is an incomplete body, and the next poll reads whole
    Given a fault rule for OnePay:
      """
      {"match": {"method": "GET", "path": "/v1/cashouts/*", "tenant": "{tenant}"},
       "fault": {"kind": "truncate", "stage": "after"}, "times": 1}
      """
    When I try to GET "/v1/cashouts/{cashout:c1}"
    Then the response body is cut short
    When I try to GET "/v1/cashouts/{cashout:c1}"
    Then the response status is 200
    And the response field "id" is the id of cashout "c1"

  Scenario: A malformed balance is not JSON
    Given a fault rule for OnePay:
      """
      {"match": {"method": "GET", "path": "/v1/balances", "tenant": "{tenant}"},
       "fault": {"kind": "malformed", "stage": "after"}, "times": 1}
      """
    When I try to GET "/v1/balances"
    Then the response status is 200
    And the response body is not JSON, though its content type says so

  Scenario: A slow body still arrives whole
    Given a fault rule for OnePay:
      """
      {"match": {"method": "GET", "path": "/v1/cashouts/*", "tenant": "{tenant}"},
       "fault": {"kind": "slow_body", "chunk_bytes": 64, "delay_ms": 5}}
      """
    When I fetch cashout "c1"
    Then the response status is 200
    And the response field "status" is "pending"
