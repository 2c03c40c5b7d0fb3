Feature: Dots sandbox and production
  The two environments differ where Dots' documents say they do: the sandbox allows duplicate
  phone numbers and pre-funds every new app with $100; production refuses a phone number already
  in use (400 `invalid-phone-number`) and starts with an empty wallet, funded from outside
  (payoutsim's back office stands in). An e-mail address is unique in both
  (400 `auth-email-already-exists`).

  Scenario: The sandbox takes two users with one phone number
    Given a Dots sandbox key pair
    And a fresh Dots phone number "shared"
    And a Dots user "ana" with the phone number "{phone:shared}"
    When I create a Dots user "bob" with the phone number "{phone:shared}"
    Then the response status is 201
    And Dots users "ana" and "bob" have the same phone number

  @sim
  Scenario: Production refuses a phone number already in use
    Given a Dots production key pair
    And a fresh Dots phone number "shared"
    And a Dots user "ana" with the phone number "{phone:shared}"
    When I create a Dots user "bob" with the phone number "{phone:shared}"
    Then the Dots error is 400 "invalid-phone-number"
    And the Dots error message mentions "phone_number"

  Scenario: The sandbox refuses a second user with an e-mail address in use
    Given a Dots sandbox key pair
    And a Dots user "ana"
    When I create a Dots user "bob" with the e-mail address of "ana"
    Then the Dots error is 400 "auth-email-already-exists"

  @sim
  Scenario: Production refuses a second user with an e-mail address in use
    Given a Dots production key pair
    And a Dots user "ana"
    When I create a Dots user "bob" with the e-mail address of "ana"
    Then the Dots error is 400 "auth-email-already-exists"

  @sim
  Scenario: A new sandbox app holds $100 and can move exactly that
    Given a Dots sandbox key pair
    And a Dots user "ana"
    Then the Dots app wallet holds 10000 cents
    When I make a Dots transfer "t1" of 10000 cents from the app to "ana"
    Then the response status is 200
    And the Dots wallet of "ana" holds 10000 cents
    When I make a Dots transfer "t2" of 1 cents from the app to "ana"
    Then the Dots error is 400 "transaction-insufficient-funds"
    And the Dots error message mentions "app wallet"

  @sim
  Scenario: A new production app holds nothing until it is funded
    Given a Dots production key pair
    And a Dots user "ana"
    Then the Dots app wallet holds 0 cents
    When I make a Dots transfer "t1" of 1 cents from the app to "ana"
    Then the Dots error is 400 "transaction-insufficient-funds"
    When the Dots back office funds the app wallet with 25 dollars
    And I make a Dots transfer "t2" of 2500 cents from the app to "ana"
    Then the response status is 200
    And the Dots wallet of "ana" holds 2500 cents
    And the Dots app wallet holds 0 cents

  @sim
  Scenario: Each key pair is its own app, whatever its environment
    Given a Dots sandbox key pair
    And a Dots user "ana"
    When I switch to a new Dots production key pair
    And I send Dots a GET to "/api/v2/users/{user:ana}"
    Then the Dots error is 404 "not-found"
