Feature: Dots user verification
  A new user is `unverified`. `POST /v2/users/{id}/send-verification-token` answers 202 and sends
  the user a 6-digit code by SMS; payoutsim keeps what it sends in its back office's SMS outbox.
  `POST /v2/users/{id}/verify` with that code verifies the user; a wrong code, a code never sent
  or one older than 10 minutes is 400 "Incorrect token".

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"

  Scenario: Asking for a code is accepted with 202
    When I ask Dots to send a verification code to "ana"
    Then the response status is 202

  Scenario: Asking for a code as the Node SDK asks, with no body, is accepted too
    When I ask Dots to send a verification code to "ana" as the Node SDK does
    Then the response status is 202

  Scenario: A code never sent does not verify
    When I verify Dots user "ana" with the code "123456"
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "Incorrect token"
    And Dots user "ana" is "unverified"

  @sim
  Scenario: The code sent by SMS verifies the user
    Given Dots sent a verification code to "ana"
    Then the Dots SMS outbox holds 1 code for "ana", each of 6 digits, sent to its phone
    When I verify Dots user "ana" with the code from the SMS outbox
    Then the response status is 200
    And Dots user "ana" is "verified"

  @sim
  Scenario: A wrong code is refused and the right one still verifies
    Given Dots sent a verification code to "ana"
    When I verify Dots user "ana" with a code other than the one sent
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "Incorrect token"
    And Dots user "ana" is "unverified"
    When I verify Dots user "ana" with the code from the SMS outbox
    Then the response status is 200
    And Dots user "ana" is "verified"

  @sim
  Scenario: A code is valid for 10 minutes of simulated time
    Given Dots sent a verification code to "ana"
    When 10 minutes of simulated time pass
    And I verify Dots user "ana" with the code from the SMS outbox
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "Incorrect token"
    And Dots user "ana" is "unverified"

  @sim
  Scenario: The newest code sent is the one that verifies
    Given Dots sent a verification code to "ana"
    And 5 minutes of simulated time pass
    And Dots sent a verification code to "ana"
    Then the Dots SMS outbox holds 2 codes for "ana", each of 6 digits, sent to its phone
    When 6 minutes of simulated time pass
    And I verify Dots user "ana" with the code from the SMS outbox
    Then the response status is 200
    And Dots user "ana" is "verified"

  @sim
  Scenario: A code verifies once
    Given Dots sent a verification code to "ana"
    And I verified Dots user "ana" with the code from the SMS outbox
    When I verify Dots user "ana" with the code from the SMS outbox
    Then the Dots error is 400 "invalid-input"
