@sim
Feature: Kashpay under injected faults
  Fault rules match Kashpay's requests by tenant (Entity-i, or authenticate's entity) and are
  answered in Kashpay's own words: an injected token expiry is exactly a real one, an injected
  status uses the envelope, and an outcome rule decides where an accepted order ends.

  Background:
    Given a Kashpay entity
    And I am signed in to Kashpay

  Scenario: An injected token expiry looks exactly like a real one
    Given a fault rule for Kashpay:
      """
      {"match": {"provider": "kashpay", "path": "/EntitiesServices/getBalance", "tenant": "{tenant}"},
       "fault": {"kind": "token_expired"}, "times": 1}
      """
    When I send a Kashpay GET to "/EntitiesServices/getBalance"
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1004
    When I send a Kashpay GET to "/EntitiesServices/getBalance"
    Then the response status is 200

  Scenario: An outcome rule returns an order that was accepted
    Given a fault rule for Kashpay:
      """
      {"match": {"provider": "kashpay", "path": "/OKPay/createOrder", "body": {"alphanumericReference": "OUT1"}},
       "fault": {"kind": "outcome", "status": "returned", "reason": "CUENTA_BLOQUEADA"}, "times": 1}
      """
    When I create a Kashpay order "OUT1" of 100 MXN to "002028650641359744"
    Then the response field "orderEntityResponse.status" is 25
    When 5 minutes of simulated time pass
    Then the Kashpay order "OUT1" has status 27
    And the Kashpay balance is 1000000 MXN
    When I list my Kashpay operations with the headers:
      | type | 2 |
    Then the response field "operations.0.responseCode" is "CUENTA_BLOQUEADA"

  Scenario: An injected 503 answers in Kashpay's envelope and creates nothing
    Given a fault rule for Kashpay:
      """
      {"match": {"provider": "kashpay", "path": "/OKPay/createOrder", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "times": 1}
      """
    When I create a Kashpay order "O503" of 100 MXN to "002028650641359744"
    Then the response status is 503
    And the Kashpay error is "ServiceUnavailableException" with code 503
    And the Kashpay balance is 1000000 MXN
