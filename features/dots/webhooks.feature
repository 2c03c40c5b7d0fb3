@sim
Feature: Dots webhooks, signed the Svix way
  Dots sends webhooks through Svix to an endpoint set up in its dashboard (payoutsim's admin API
  stands in: `POST /__admin/webhooks` answers the endpoint's `whsec_` secret). Each delivery
  carries `svix-id` (the message's, the same on every retry), `svix-timestamp` and
  `svix-signature`: `v1,` and the base64 HMAC-SHA256 of `{svix-id}.{svix-timestamp}.{raw body}`
  keyed by the base64-decoded secret, within 5 minutes of the receiver's clock; a delivery
  refused is tried again on Svix's schedule (5 s, 5 min, 30 min, …). A payout's every
  status change is `transfer.updated` `{event, transfer_id}`; completed and failed add
  `transfer.completed` / `transfer.failed` `{transfer, transfer_id}`. Links send
  `payout_link.updated`, and `payout_link.sent` / `payout_link.claimed` with the whole link;
  users `user.updated.payout_method` and `user.updated.ide_verified` (sic) `{user_id}`.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  Scenario: A completed payout is announced in order, each delivery signed
    Given a Dots webhook endpoint for every event
    And a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    When 305 seconds of simulated time pass
    Then Dots webhooks "transfer.updated, transfer.updated, transfer.completed" arrive in order
    And every Dots webhook carries a valid Svix signature
    And a Dots webhook altered in transit fails the Svix check
    And the Dots "transfer.updated" webhook names payout "p1"
    And the Dots "transfer.completed" webhook holds payout "p1" with status "completed"

  Scenario: A failed payout is announced as transfer.failed
    Given a Dots webhook endpoint for "transfer.failed, transfer.completed"
    And a Dots PayPal payout "p1" of 666 cents to "ana", funded by the app
    When 305 seconds of simulated time pass
    Then Dots webhooks "transfer.failed" arrive in order
    And the Dots "transfer.failed" webhook holds payout "p1" with status "failed"
    And every Dots webhook carries a valid Svix signature

  Scenario: Only the events subscribed to are delivered
    Given a Dots webhook endpoint for "transfer.completed"
    And a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    When 305 seconds of simulated time pass
    Then Dots webhooks "transfer.completed" arrive in order

  Scenario: Nothing is sent before a payout changes status
    Given a Dots webhook endpoint for every event
    When I create a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    Then no webhook arrives

  Scenario: A refused delivery is tried again 5 seconds later, with the same svix-id and body
    Given a Dots webhook endpoint for "transfer.updated"
    And the webhook receiver answers 500
    And a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    When 5 seconds of simulated time pass
    Then Dots' delivery log shows 1 attempt of "transfer.updated", the last answered 500
    When the webhook receiver answers 200
    And 4 seconds of simulated time pass
    Then Dots' delivery log shows 1 attempt of "transfer.updated", the last answered 500
    When 1 second of simulated time passes
    Then Dots' delivery log shows 2 attempts of "transfer.updated", the last answered 200
    And every Dots webhook arrived 2 times, with the same svix-id and body
    And every Dots webhook carries a valid Svix signature

  Scenario: A verified user is announced
    Given a Dots webhook endpoint for "user.updated.ide_verified"
    And Dots sent a verification code to "ana"
    When I verify Dots user "ana" with the code from the SMS outbox
    Then Dots webhooks "user.updated.ide_verified" arrive in order
    And the Dots "user.updated.ide_verified" webhook names user "ana"
    And every Dots webhook carries a valid Svix signature

  Scenario: A new payout method is announced
    Given a Dots webhook endpoint for "user.updated.payout_method"
    When I add a PayPal payout method for Dots user "ana"
    Then Dots webhooks "user.updated.payout_method" arrive in order
    And the Dots "user.updated.payout_method" webhook names user "ana"

  Scenario: A payout link is announced as it is sent and as it is claimed
    Given a Dots webhook endpoint for "payout_link.updated, payout_link.sent, payout_link.claimed"
    And a Dots payout link "l1" of 100 cents for "ana", delivered by sms
    When 6 seconds of simulated time pass
    And Dots user "ana" claims payout link "l1"
    Then Dots webhooks "payout_link.updated, payout_link.updated, payout_link.sent, payout_link.updated, payout_link.claimed" arrive in order
    And the Dots "payout_link.sent" webhook holds payout link "l1" with status "sent"
    And the Dots "payout_link.claimed" webhook holds payout link "l1" with status "claimed"
    And every Dots webhook carries a valid Svix signature
