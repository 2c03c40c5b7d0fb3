@sim
Feature: OnSpot under injected faults
  Fault rules match OnSpot's requests by tenant (the `environment` header with the `publicKey`
  header or the token's `publicKey` claim) and are answered in OnSpot's own format: an injected
  token expiry is exactly a real one, an injected status is a NestJS body, and an outcome rule
  decides where the first payout of a request ends.

  Background:
    Given an OnSpot test key pair
    And I have an OnSpot token

  Scenario: An injected token expiry looks exactly like a real one
    Given a fault rule for OnSpot:
      """
      {"match": {"provider": "onspot", "path": "/accreditation/payouts/create", "tenant": "{tenant}"},
       "fault": {"kind": "token_expired"}, "times": 1}
      """
    When I create OnSpot payouts:
      """
      [{"type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
        "firstName": "Aries", "lastName": "Studio", "customerEmail": "aries@example.com",
        "amount": "10", "currency": "USD"}]
      """
    Then the response is an OnSpot error with status 401 and error "Unauthorized"
    And the response field "message" is "Unauthorized"
    When I create OnSpot payouts for the amounts "10"
    Then OnSpot answers 1 entry with the actions "success"

  Scenario: An outcome rule fails the first payout of an accepted request
    Given a fault rule for OnSpot:
      """
      {"match": {"provider": "onspot", "path": "/accreditation/payouts/create", "tenant": "{tenant}"},
       "fault": {"kind": "outcome", "status": "failed", "reason": "BANK_REJECTED"}, "times": 1}
      """
    When I create OnSpot payouts for the amounts "10, 20"
    Then OnSpot answers 2 entries with the actions "success, success"
    When 5 minutes of simulated time pass
    Then OnSpot's Payouts section shows the statuses "failed, paid"
    And OnSpot's Payouts section shows payout 0 failed with reason "BANK_REJECTED"

  Scenario: An injected 503 is a NestJS body and creates nothing
    Given a fault rule for OnSpot:
      """
      {"match": {"provider": "onspot", "path": "/accreditation/payouts/create", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "times": 1}
      """
    When I create OnSpot payouts:
      """
      [{"type": "INDIVIDUAL"}]
      """
    Then the response is an OnSpot error with status 503 and error "Service Unavailable"
    And OnSpot's Payouts section shows the statuses ""
    And OnSpot's Error Logs are empty

  Scenario: An injected rate limit says when to retry
    Given a fault rule for OnSpot:
      """
      {"match": {"provider": "onspot", "path": "/platform/generate-token-api", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 30}, "times": 1}
      """
    When I generate an OnSpot token
    Then the response is an OnSpot error with status 429 and error "Too Many Requests"
    And the response header "retry-after" is "30"
    When I generate an OnSpot token
    Then the response status is 201
