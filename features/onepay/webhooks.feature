Feature: Webhooks
  `POST /v1/webhooks` registers a URL for events and answers its `secret` and `header`. OnePay
  POSTs `{"event", "data": {cashout}}` to it with `x-signature` = hex HMAC-SHA256 of the raw body
  under `secret`, and `x-webhook-token` = `header`. Events: cashout.created, cashout.approved
  (to processing), cashout.processed, cashout.rejected (to failed).

  Background:
    Given a OnePay test key

  Scenario: Registering a webhook answers its secret and header token
    When I register a webhook for "cashout.created, cashout.processed"
    Then the response status is 201
    And the response has the fields "data.id, data.name, data.url, data.events, data.secret, data.header, data.is_test, data.created_at, data.updated_at"
    And the response field "data.secret" starts with "wh_tok_"
    And the response field "data.header" starts with "wh_hdr_"
    And the response field "data.events" has 2 items

  Scenario: A webhook can be read, renamed and deleted
    Given a webhook for "cashout.processed"
    When I GET "/v1/webhooks/{webhook:id}"
    Then the response status is 200
    And the response field "data.url" is "{receiver}"
    When I PATCH to "/v1/webhooks/{webhook:id}" with body:
      """
      { "name": "renamed" }
      """
    Then the response status is 200
    And the response field "data.name" is "renamed"
    When I DELETE "/v1/webhooks/{webhook:id}"
    Then the response status is a success
    When I GET "/v1/webhooks/{webhook:id}"
    Then the response status is 404

  Scenario: A webhook needs a URL and events
    When I POST to "/v1/webhooks" with body:
      """
      { "name": "incomplete" }
      """
    Then the response status is 422
    And the error code is "422" and the errors name "url, events"

  @sim
  Scenario: A processed cashout is announced in order, signed
    Given a webhook for "cashout.created, cashout.approved, cashout.processed, cashout.rejected"
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    And a TURBO cashout "c1" of 50000 COP to "ana-savings"
    Then webhook events "cashout.created" arrive in order
    When 60 seconds of simulated time pass
    And 1800 seconds of simulated time pass
    Then webhook events "cashout.created, cashout.approved, cashout.processed" arrive in order
    And every webhook is signed with the webhook's secret
    And every webhook carries the webhook's header token
    And the "cashout.created" webhook is about cashout "c1" with status "pending"
    And the "cashout.approved" webhook is about cashout "c1" with status "processing"
    And the "cashout.processed" webhook is about cashout "c1" with status "processed"

  @sim
  Scenario: A failed cashout is announced as rejected
    Given a webhook for "cashout.created, cashout.approved, cashout.processed, cashout.rejected"
    And a customer "ana"
    And a SAVINGS account "blocked" for "ana" with number "1111111112"
    And a TURBO cashout "c1" of 50000 COP to "blocked"
    When 1860 seconds of simulated time pass
    Then webhook events "cashout.created, cashout.approved, cashout.rejected" arrive in order
    And the "cashout.rejected" webhook is about cashout "c1" with status "failed"
    And every webhook is signed with the webhook's secret

  @sim
  Scenario: Only subscribed events are delivered
    Given a webhook for "cashout.processed"
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    And a TURBO cashout "c1" of 50000 COP to "ana-savings"
    When 1860 seconds of simulated time pass
    Then webhook events "cashout.processed" arrive in order

  @sim
  Scenario: A delivery the receiver refuses is tried again later
    Given a webhook for "cashout.created"
    And the webhook receiver answers 500
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"
    And a TURBO cashout "c1" of 50000 COP to "ana-savings"
    Then webhook events "cashout.created" arrive in order
    And OnePay's delivery log shows 1 attempt of "cashout.created", the last answered 500
    When the webhook receiver answers 200
    And 30 seconds of simulated time pass
    Then webhook events "cashout.created, cashout.created" arrive in order
    And OnePay's delivery log shows 2 attempts of "cashout.created", the last answered 200
    And every webhook is signed with the webhook's secret
