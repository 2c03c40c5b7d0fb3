Feature: Dots idempotency keys
  `idempotency_key` is a UUID in the body, kept 24 hours. Transfers, payouts and payout batches
  refuse a key already used (409 `invalid-input`) and make nothing more, whatever the body;
  payout links and send-payout answer the link first made with it, whatever the body. A refused
  request does not keep its key, and each app has its own keys.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  Scenario: A transfer under a key already used is refused and moves nothing more
    When I make a Dots transfer "t1" of 10 cents from the app to "ana" with idempotency key "k1"
    Then the response status is 200
    When I send the same request again
    Then the Dots error is 409 "invalid-input"
    And the Dots error message mentions "{key:k1}"
    And the Dots wallet of "ana" holds 10 cents

  Scenario: A payout under a key already used is refused, even with another body
    When I create a Dots PayPal payout "p1" of 10 cents to "ana", funded by the app, with idempotency key "k1"
    Then the response status is 201
    When I create a Dots Venmo payout "p2" of 20 cents to "ana", funded by the app, with idempotency key "k1"
    Then the Dots error is 409 "invalid-input"
    And Dots lists 1 payout for "ana"

  Scenario: A payout link under a key already used is the link first made
    When I create a Dots payout link "l1" of 10 cents for "ana" with idempotency key "k1"
    Then the response status is 201
    When I create a Dots payout link "l2" of 20 cents for "ana" with idempotency key "k1"
    Then the response status is 201
    And the response is identical to the previous one
    And the response field "amount" is 10
    And the response field "id" is the id of Dots link "l1"

  Scenario: An idempotency key must be a UUID
    When I send Dots a POST to "/api/v2/transfers" with body:
      """
      {"amount": -10, "user_id": "{user:ana}", "idempotency_key": "k1"}
      """
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "idempotency_key: must be a UUID"

  Scenario: A refused payout does not keep its key
    When I send Dots a POST to "/api/v2/payouts" with body:
      """
      {"user_id": "{user:ana}", "amount": 100, "platform": "paypal", "idempotency_key": "{key:k1}"}
      """
    Then the Dots error is 400 "transaction-insufficient-funds"
    When I create a Dots PayPal payout "p1" of 100 cents to "ana", funded by the app, with idempotency key "k1"
    Then the response status is 201
    And Dots lists 1 payout for "ana"

  @sim
  Scenario: The same key in two apps makes two transfers
    When I make a Dots transfer "t1" of 10 cents from the app to "ana" with idempotency key "shared"
    Then the response status is 200
    Given a Dots sandbox key pair "other"
    And a Dots user "bob"
    When I make a Dots transfer "t2" of 20 cents from the app to "bob" with idempotency key "shared"
    Then the response status is 200
    And the Dots wallet of "bob" holds 20 cents

  @sim
  Scenario: A key is forgotten after 24 hours
    When I make a Dots transfer "t1" of 10 cents from the app to "ana" with idempotency key "k1"
    Then the response status is 200
    When 25 hours of simulated time pass
    And I send the same request again
    Then the response status is 200
    And the Dots wallet of "ana" holds 20 cents
