@sim
Feature: Dots under injected faults
  Fault rules match Dots' requests by tenant (`dots:<client_id>`, read from the Basic
  credentials) and answer in Dots' own envelope: an outage is a 503 `service-unavailable`, a
  rate limit a 429 `resource-busy` with `Retry-After`. A payout can be accepted and fail later;
  an answer lost after Dots made the payout leaves a payout whose retry under the same key is
  refused (Dots rejects a key already used), so a client must look it up; webhooks can be
  dropped or delivered twice.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  Scenario: A payout accepted, then failed by an outcome rule, gives the money back
    Given I note the Dots app wallet
    And a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payouts", "tenant": "{tenant}"},
       "fault": {"kind": "outcome", "status": "failed"}, "times": 1}
      """
    When I create a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    Then the response status is 201
    And the response field "status" is "created"
    When I create a Dots PayPal payout "p2" of 500 cents to "ana", funded by the app
    And 305 seconds of simulated time pass
    Then Dots payout "p1" is "failed"
    And Dots payout "p2" is "completed"
    And the Dots app wallet has gone down by 500 cents

  Scenario: An outage answers 503 in Dots' envelope, then Dots is back
    Given a fault rule for Dots:
      """
      {"match": {"provider": "dots", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "times": 2}
      """
    When I send Dots a GET to "/api/v2/users"
    Then the Dots error is 503 "service-unavailable"
    When I create a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    Then the Dots error is 503 "service-unavailable"
    And Dots lists 0 payouts for "ana"
    When I send Dots a GET to "/api/v2/users"
    Then the response status is 200
    And the fault rules for Dots have hit 2 times

  Scenario: A rate limit answers 429 with Retry-After in Dots' envelope
    Given a fault rule for Dots:
      """
      {"match": {"provider": "dots", "method": "POST", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 3}, "times": 1}
      """
    When I create a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    Then the Dots error is 429 "resource-busy"
    And the response header "retry-after" is "3"
    When I create a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    Then the response status is 201

  Scenario: A payout whose answer was lost exists; its retry under the same key is refused
    Given a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payouts", "tenant": "{tenant}"},
       "fault": {"kind": "reset", "stage": "after"}, "times": 1}
      """
    When I try to send Dots a POST to "/api/v2/payouts" with body:
      """
      {"user_id": "{user:ana}", "amount": 500, "platform": "paypal", "fund": true,
       "idempotency_key": "{key:k1}"}
      """
    Then the request fails with a connection reset
    And Dots' journal recorded POST "/api/v2/payouts" answered with 201, by the fault "reset (after)"
    When I send the same request again
    Then the Dots error is 409 "invalid-input"
    And Dots lists 1 payout for "ana"

  Scenario: A payout cut off before Dots saw it made nothing; its retry is accepted
    Given a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payouts", "tenant": "{tenant}"},
       "fault": {"kind": "reset"}, "times": 1}
      """
    When I try to send Dots a POST to "/api/v2/payouts" with body:
      """
      {"user_id": "{user:ana}", "amount": 500, "platform": "paypal", "fund": true,
       "idempotency_key": "{key:k1}"}
      """
    Then the request fails with a connection reset
    And Dots lists 0 payouts for "ana"
    When I send the same request again
    Then the response status is 201
    And Dots lists 1 payout for "ana"

  Scenario: A slow Dots still answers, and the journal says why it was slow
    Given a fault rule for Dots:
      """
      {"match": {"provider": "dots", "path": "/api/v2/users/*", "tenant": "{tenant}"},
       "fault": {"kind": "latency", "fixed_ms": 200}, "times": 1}
      """
    When I fetch Dots user "ana"
    Then the response status is 200
    And the fault rules for Dots have hit 1 time

  Scenario: A dropped webhook never arrives and a duplicated one arrives twice
    Given a Dots webhook endpoint for "transfer.updated, transfer.completed"
    And a fault rule for Dots:
      """
      [{"match": {"provider": "dots", "tenant": "{tenant}", "event": "transfer.updated"},
        "fault": {"kind": "webhook_drop"}},
       {"match": {"provider": "dots", "tenant": "{tenant}", "event": "transfer.completed"},
        "fault": {"kind": "webhook_duplicate"}}]
      """
    And a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    When 305 seconds of simulated time pass
    Then Dots webhooks "transfer.completed, transfer.completed" arrive in order
    And every Dots webhook arrived 2 times, with the same svix-id and body
    And every Dots webhook carries a valid Svix signature

  Scenario: A webhook held back arrives after the next one
    Given a Dots webhook endpoint for "transfer.updated"
    And a fault rule for Dots:
      """
      {"match": {"provider": "dots", "tenant": "{tenant}", "event": "transfer.updated"},
       "fault": {"kind": "webhook_reorder"}, "times": 1}
      """
    And a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    And a Dots PayPal payout "p2" of 500 cents to "ana", funded by the app
    When 5 seconds of simulated time pass
    Then Dots webhooks "transfer.updated, transfer.updated" arrive in order
    And the Dots webhooks that arrived name the payouts "p2, p1", in that order
