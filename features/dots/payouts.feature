Feature: Dots payouts
  `POST /v2/payouts` answers 201 with a transfer of type `payout`, status `created`; it is
  `pending` 5 s later. In the sandbox PayPal, Venmo and Cash App payouts complete 5 minutes after
  that, while an ACH payout stays `pending` (sandbox ACH never goes through); in production ACH
  completes one business day after it is pending. `fund: true` draws on the app wallet, else
  the user's wallet pays; a payout that fails or is canceled gives the money back to the wallet
  it came from. payoutsim's magic amounts: 666 cents fails, 667 is flagged, 668 is canceled.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  Scenario: A payout is accepted as a transfer of type payout
    When I create a Dots PayPal payout "p1" of 10 cents to "ana", funded by the app
    Then the response status is 201
    And the response field "status" is "created"
    And the response field "type" is "payout"
    And the response field "amount" is 10
    And the response field "user_id" is the id of Dots user "ana"
    And Dots payout "p1" is a payout of 10 cents to "ana" on paypal
    And Dots lists 1 payout for "ana"

  Scenario: A payout from the user's wallet draws on it
    Given a Dots transfer "t1" of 30 cents from the app to "ana"
    When I create a Dots Venmo payout "p1" of 10 cents to "ana", from their wallet
    Then the response status is 201
    And the Dots wallet of "ana" holds 20 cents

  @sim
  Scenario Outline: A sandbox <rail> payout is pending after 5 seconds and completed 5 minutes later
    Given a Dots <rail> payout "p1" of 500 cents to "ana", funded by the app
    When 4 seconds of simulated time pass
    Then Dots payout "p1" is "created"
    When 1 second of simulated time passes
    Then Dots payout "p1" is "pending"
    When 299 seconds of simulated time pass
    Then Dots payout "p1" is "pending"
    When 1 second of simulated time passes
    Then Dots payout "p1" is "completed"
    And Dots payout "p1" is a payout of 500 cents to "ana" on <platform>

    Examples:
      | rail     | platform |
      | PayPal   | paypal   |
      | Venmo    | venmo    |
      | Cash App | cash_app |

  @sim
  Scenario: A sandbox ACH payout stays pending
    Given Dots user "ana" has an ACH payout method
    And a Dots ACH payout "p1" of 500 cents to "ana", funded by the app
    When 10 days of simulated time pass
    Then Dots payout "p1" is "pending"
    And Dots payout "p1" is a payout of 500 cents to "ana" on ach

  @sim
  Scenario: A production ACH payout completes one business day after it is pending
    Given a Dots production key pair
    And a Dots user "bob"
    And the Dots back office funds the app wallet with 10 dollars
    And Dots user "bob" has an ACH payout method
    And it is Friday on Dots' simulated clock
    And a Dots ACH payout "p1" of 500 cents to "bob", funded by the app
    When 2 days of simulated time pass
    Then Dots payout "p1" is "pending"
    When 1 day of simulated time passes
    And 5 seconds of simulated time pass
    Then Dots payout "p1" is "completed"

  Scenario: An ACH payout needs the user's ACH account
    When I send Dots a POST to "/api/v2/payouts" with body:
      """
      {"user_id": "{user:ana}", "amount": 10, "platform": "ach", "fund": true}
      """
    Then the Dots error is 400 "invalid-input"
    And the Dots error message mentions "account_id"

  Scenario: The default platform needs a default payout method
    When I create a Dots default payout "p1" of 10 cents to "ana", funded by the app
    Then the Dots error is 400 "user-info-missing"

  Scenario: The default platform is the user's default payout method
    Given Dots user "ana" has a Venmo payout method
    When I create a Dots default payout "p1" of 10 cents to "ana", funded by the app
    Then the response status is 201
    And Dots payout "p1" is a payout of 10 cents to "ana" on venmo

  @sim
  Scenario: A funded payout that fails gives the money back to the app wallet
    Given I note the Dots app wallet
    And a Dots PayPal payout "p1" of 666 cents to "ana", funded by the app
    Then the Dots app wallet has gone down by 666 cents
    When 305 seconds of simulated time pass
    Then Dots payout "p1" is "failed"
    And the Dots app wallet is as noted

  @sim
  Scenario: A canceled payout gives the money back to the user's wallet
    Given a Dots transfer "t1" of 1000 cents from the app to "ana"
    And a Dots Venmo payout "p1" of 668 cents to "ana", from their wallet
    Then the Dots wallet of "ana" holds 332 cents
    When 5 seconds of simulated time pass
    Then Dots payout "p1" is "canceled"
    And the Dots wallet of "ana" holds 1000 cents

  @sim
  Scenario: A flagged payout stays flagged, its money held
    Given I note the Dots app wallet
    And a Dots PayPal payout "p1" of 667 cents to "ana", funded by the app
    When 1 day of simulated time passes
    Then Dots payout "p1" is "flagged"
    And the Dots app wallet has gone down by 667 cents

  @sim
  Scenario: The back office fails a pending payout and the money goes back
    Given I note the Dots app wallet
    And a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app
    When 5 seconds of simulated time pass
    And the Dots back office forces payout "p1" to "failed"
    Then Dots payout "p1" is "failed"
    And the Dots app wallet is as noted
