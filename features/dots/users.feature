Feature: Dots users
  `POST /v2/users` answers 201 with the user: `unverified`, an empty wallet, its phone number as
  an object `{country_code, phone_number}`. First and last name, e-mail address, country code
  (1 to 3 digits) and phone number (1 to 20 digits) are required; a malformed e-mail address is
  400 `invalid-email`, a malformed phone number 400 `invalid-phone-number`. A deleted user is
  404 `not-found` afterwards. A payout method is added with `PUT …/payout-methods`.

  Background:
    Given a Dots sandbox key pair

  Scenario: A new user is unverified, with an empty wallet
    When I create a Dots user "ana"
    Then the response status is 201
    And the response has the fields "id, first_name, last_name, email, phone_number.country_code, phone_number.phone_number, wallet.amount, status"
    And the response field "status" is "unverified"
    And the response field "wallet.amount" is 0
    And the response field "phone_number.country_code" is "1"

  Scenario: A malformed e-mail address is refused as invalid-email
    When I send Dots a POST to "/api/v2/users" with body:
      """
      {"first_name": "Ana", "last_name": "Contract", "email": "not-an-address",
       "country_code": "1", "phone_number": "4155550100"}
      """
    Then the Dots error is 400 "invalid-email"
    And the Dots error message mentions "email"

  Scenario: A phone number that is not digits is refused as invalid-phone-number
    When I send Dots a POST to "/api/v2/users" with body:
      """
      {"first_name": "Ana", "last_name": "Contract", "email": "ana-{unique}@contract.test",
       "country_code": "1", "phone_number": "415-555-0100"}
      """
    Then the Dots error is 400 "invalid-phone-number"

  Scenario: A user needs a last name
    When I send Dots a POST to "/api/v2/users" with body:
      """
      {"first_name": "Ana", "email": "ana-{unique}@contract.test",
       "country_code": "1", "phone_number": "4155550100"}
      """
    Then the Dots error is 400 "invalid-input"
    And the Dots error message is "last_name: is required"

  Scenario: A deleted user is gone
    Given a Dots user "ana"
    When I delete Dots user "ana"
    Then the response status is 200
    And the response field "id" is the id of Dots user "ana"
    When I fetch Dots user "ana"
    Then the Dots error is 404 "not-found"

  Scenario: A user of no app of this key pair is not found
    When I send Dots a GET to "/api/v2/users/3c90c3cc-0d44-4b50-8888-8dd25736052a"
    Then the Dots error is 404 "not-found"

  Scenario: A payout method becomes the user's default
    Given a Dots user "ana"
    When I add a PayPal payout method for Dots user "ana"
    Then the response status is 200
    And the response field "platform" is "paypal"
    When I fetch Dots user "ana"
    Then the response field "default_payout_method" is "paypal"
    When I send Dots a GET to "/api/v2/users/{user:ana}/payout-methods"
    Then the response status is 200
    And the response field "" has 1 item
    And the response field "0.platform" is "paypal"
