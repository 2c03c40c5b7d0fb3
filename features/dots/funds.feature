Feature: Dots refuses what a wallet cannot cover
  A transfer or payout the wallet it draws on cannot cover is 400
  `transaction-insufficient-funds`, naming that wallet, and moves nothing. A payout link the app
  wallet cannot cover is accepted with 202 and waits, `funds_pending`, until the wallet is
  funded; send-payout, which sends at once, is refused instead.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  Scenario: A payout from an empty user wallet is refused
    When I create a Dots PayPal payout "p1" of 100 cents to "ana", from their wallet
    Then the Dots error is 400 "transaction-insufficient-funds"
    And the Dots error message mentions "user wallet"
    And the Dots wallet of "ana" holds 0 cents
    And Dots lists 0 payouts for "ana"

  Scenario: A transfer to the app beyond what the user's wallet holds is refused
    Given a Dots transfer "t1" of 50 cents from the app to "ana"
    When I make a Dots transfer "t2" of 51 cents from "ana" to the app
    Then the Dots error is 400 "transaction-insufficient-funds"
    And the Dots error message mentions "user wallet"
    And the Dots wallet of "ana" holds 50 cents

  Scenario: A transfer back to the app within the user's wallet is made
    Given a Dots transfer "t1" of 50 cents from the app to "ana"
    When I make a Dots transfer "t2" of 20 cents from "ana" to the app
    Then the response status is 200
    And the Dots wallet of "ana" holds 30 cents

  @sim
  Scenario: A funded payout beyond the app wallet is refused
    When I create a Dots PayPal payout "p1" of 10001 cents to "ana", funded by the app
    Then the Dots error is 400 "transaction-insufficient-funds"
    And the Dots error message mentions "app wallet"
    And the Dots app wallet holds 10000 cents
    And Dots lists 0 payouts for "ana"

  @sim
  Scenario: A payout link the app wallet cannot cover waits for funds
    When I create a Dots payout link "l1" of 20000 cents for "ana"
    Then the response status is 202
    And the response field "status" is "funds_pending"
    And the Dots app wallet holds 10000 cents
    When 1 day of simulated time passes
    Then Dots payout link "l1" is "funds_pending"
    When the Dots back office funds the app wallet with 150 dollars
    Then Dots payout link "l1" is "created"
    And the Dots app wallet holds 5000 cents
    When 1 second of simulated time passes
    Then Dots payout link "l1" is "delivered"

  @sim
  Scenario: A payout sent by SMS that the app wallet cannot cover is refused
    When I send a Dots payout "s1" of 20000 cents to "ana" by SMS
    Then the Dots error is 400 "transaction-insufficient-funds"
    And the Dots app wallet holds 10000 cents
