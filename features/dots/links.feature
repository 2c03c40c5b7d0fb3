Feature: Dots payout links
  A payout link holds its amount from the app wallet and is delivered: `created` -> `delivered`
  after 1 s when delivered by link, `created` -> `delivery_pending` (1 s) -> `sent` (5 s more) by
  SMS, e-mail or both. It waits for its payee, who claims it on Dots' page (payoutsim's back
  office stands in for the payee). Canceled (`DELETE`), its money goes back to the app wallet. A
  link is delivered at most 5 times, the first delivery included: the fifth redelivery is 400.
  `POST /v2/payouts/send-payout` is a link sent by SMS.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  Scenario: A link is accepted with 201 and a page to claim it on
    When I create a Dots payout link "l1" of 10 cents for "ana"
    Then the response status is 201
    And the response field "status" is "created"
    And the response field "amount" is 10
    And the response field "delivery.method" is "link"
    And the response has the fields "id, created, link, flow_id"
    And the response field "link" starts with "https://"

  Scenario: A link sent by send-payout is delivered by SMS
    When I send a Dots payout "s1" of 10 cents to "ana" by SMS
    Then the response status is 201
    And the response field "delivery.method" is "sms"
    And the response has the fields "id, link, delivery.phone_number"

  Scenario: A redelivery answers the link and that it was redelivered
    Given a Dots payout link "l1" of 10 cents for "ana"
    When I redeliver Dots payout link "l1"
    Then the response status is 200
    And the response field "redelivered" is true
    And the response field "payout_link.id" is the id of Dots link "l1"

  Scenario: A link is delivered at most five times, the first delivery included
    Given a Dots payout link "l1" of 10 cents for "ana"
    When I redeliver Dots payout link "l1" 5 times
    Then the Dots redeliveries answered "200, 200, 200, 200, 400"
    And the Dots error is 400 "invalid-input"
    And the Dots error message mentions "5 times"

  Scenario: A canceled link is canceled once
    Given a Dots payout link "l1" of 10 cents for "ana"
    When I cancel Dots payout link "l1"
    Then the response status is 200
    And the response field "status" is "canceled"
    When I cancel Dots payout link "l1"
    Then the Dots error is 400 "invalid-input"
    When I redeliver Dots payout link "l1"
    Then the Dots error is 400 "invalid-input"

  @sim
  Scenario: A link delivered by link is delivered after a second
    Given a Dots payout link "l1" of 100 cents for "ana"
    When 1 second of simulated time passes
    Then Dots payout link "l1" is "delivered"

  @sim
  Scenario Outline: A link delivered by <method> is pending delivery, then sent
    Given a Dots payout link "l1" of 100 cents for "ana", delivered by <method>
    When 1 second of simulated time passes
    Then Dots payout link "l1" is "delivery_pending"
    When 5 seconds of simulated time pass
    Then Dots payout link "l1" is "sent"

    Examples:
      | method |
      | sms    |
      | email  |
      | all    |

  @sim
  Scenario: A link holds its money until claimed, when it is paid out
    Given a Dots payout link "l1" of 100 cents for "ana"
    Then the Dots app wallet holds 9900 cents
    When 1 second of simulated time passes
    And Dots user "ana" claims payout link "l1"
    Then Dots payout link "l1" was claimed by "ana"
    And the Dots app wallet holds 9900 cents
    When I cancel Dots payout link "l1"
    Then the Dots error is 400 "invalid-input"

  @sim
  Scenario: A canceled link gives its money back to the app wallet
    Given a Dots payout link "l1" of 100 cents for "ana"
    When I cancel Dots payout link "l1"
    Then the Dots app wallet holds 10000 cents

  @sim
  Scenario: An unclaimed link expires after 30 days only if a fault rule destines it to
    Given a fault rule for Dots:
      """
      {"match": {"method": "POST", "path": "/api/v2/payout-links", "tenant": "{tenant}"},
       "fault": {"kind": "outcome", "status": "expired"}, "times": 1}
      """
    And a Dots payout link "l1" of 100 cents for "ana"
    And a Dots payout link "l2" of 100 cents for "ana"
    When 31 days of simulated time pass
    Then Dots payout link "l1" is "expired"
    And Dots payout link "l2" is "delivered"
    And the Dots app wallet holds 9900 cents
