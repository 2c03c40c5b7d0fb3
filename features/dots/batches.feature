Feature: Dots payout batches
  `POST /v2/payout-batches` takes 1 to 5000 items, each a payout with its own `idempotency_key`
  and `fund: true` (no key twice in one batch), and answers the batch, `created`. On the
  simulated clock it is `processing` after 1 s (items naming no user of the app fail
  `no_such_resource`), `paying_out` 10 s later (the others are paid out in order, from the app
  wallet) and `completed` a minute after that, counting `items_processed`, `items_succeeded`
  and `items_failed`; `GET …/results` gives one result per item, in order.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  @sim
  Scenario: A batch of 5000 payouts is paid out, with a result per item
    When I create a Dots payout batch "b1" of 5000 PayPal payouts of 1 cent each to "ana", the last 10 to unknown users
    Then the response status is 200
    And the response field "status" is "created"
    And Dots payout batch "b1" is "created", with 0 items processed, 0 succeeded and 0 failed
    When 1 second of simulated time passes
    Then Dots payout batch "b1" is "processing", with 10 items processed, 0 succeeded and 10 failed
    When 10 seconds of simulated time pass
    Then Dots payout batch "b1" is "paying_out", with 5000 items processed, 4990 succeeded and 10 failed
    And the Dots app wallet holds 5010 cents
    When 60 seconds of simulated time pass
    Then Dots payout batch "b1" is "completed", with 5000 items processed, 4990 succeeded and 10 failed
    When 5 minutes of simulated time pass
    Then the results of Dots payout batch "b1" hold 4990 payouts "completed" to "ana" and 10 failures "no_such_resource" naming the user
    And every 499th payout of Dots payout batch "b1" reads as its result says
    And Dots lists 4990 payouts for "ana"

  @sim
  Scenario: The results repeat each item's request when asked
    Given a Dots payout batch "b1" of 3 Venmo payouts of 5 cents each to "ana"
    When 20 seconds of simulated time pass
    Then the results of Dots payout batch "b1" with include_request repeat each item as sent
    And the results of Dots payout batch "b1" hold 3 payouts "pending" to "ana" and 0 failures "no_such_resource" naming the user

  @sim
  Scenario: A batch item the app wallet cannot cover fails, the others are paid
    Given a Dots payout batch "b1" of 3 PayPal payouts of 4000 cents each to "ana"
    When 11 seconds of simulated time pass
    Then Dots payout batch "b1" is "paying_out", with 3 items processed, 2 succeeded and 1 failed
    And the Dots app wallet holds 2000 cents

  Scenario: A batch under a key already used is refused
    Given a Dots payout batch "b1" of 2 PayPal payouts of 1 cent each to "ana"
    When I create Dots payout batch "b1" again
    Then the Dots error is 409 "invalid-input"

  Scenario: A batch of more than 5000 items is refused
    When I create a Dots payout batch "b1" of 5001 PayPal payouts of 1 cent each to "ana"
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "items: must have 1 to 5000 items"

  Scenario: An empty batch is refused
    When I send Dots a POST to "/api/v2/payout-batches" with body:
      """
      {"items": []}
      """
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "items: must have 1 to 5000 items"

  Scenario: A batch item must be funded by the app
    When I send Dots a POST to "/api/v2/payout-batches" with body:
      """
      {"items": [{"user_id": "{user:ana}", "amount": 1, "platform": "paypal",
                  "idempotency_key": "{key:i1}"}]}
      """
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "items[0].fund: must be true"

  Scenario: Two items of a batch may not share a key
    When I send Dots a POST to "/api/v2/payout-batches" with body:
      """
      {"items": [
        {"user_id": "{user:ana}", "amount": 1, "platform": "paypal", "fund": true, "idempotency_key": "{key:i1}"},
        {"user_id": "{user:ana}", "amount": 2, "platform": "paypal", "fund": true, "idempotency_key": "{key:i1}"}
      ]}
      """
    Then the Dots error is 400 "invalid-input"
    And the Dots error message mentions "more than once"
