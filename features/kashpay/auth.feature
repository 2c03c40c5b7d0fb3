Feature: Kashpay authentication
  authenticate {entity, password, user} answers an HS512 session token with expires "5975999"
  (milliseconds: the token lives 5976 s). Every later call sends it as a Bearer token, with the
  entity in Entity-i. Session failures are HTTP 401 in Kashpay's envelope.

  Background:
    Given a Kashpay entity

  Scenario: Credentials give a session token
    When I authenticate with Kashpay
    Then the response status is 200
    And the response field "success" is true
    And the response field "authenticationResponse.expires" is "5975999"
    And the Kashpay token is an HS512 JWT of the user and entity, valid for 5976 seconds

  Scenario: The Basic header real clients send to authenticate is ignored
    When I authenticate with Kashpay sending the Authorization header "Basic YWRtaW46c2VjcmV0"
    Then the response status is 200
    And the response field "success" is true

  Scenario: A wrong password for a known user is refused
    Given I am signed in to Kashpay
    When I authenticate with Kashpay with the password "not-the-password"
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1001

  Scenario: Incomplete credentials are refused
    When I send a Kashpay POST to "/AuthenticationService/authenticate" with body:
      """
      {"entity": "{entity}", "user": "{user}"}
      """
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1008
    And the Kashpay error message mentions "password"

  Scenario: Malformed JSON is a 400 in the envelope
    When I send a Kashpay POST to "/AuthenticationService/authenticate" with body:
      """
      {"entity": "{entity}",
      """
    Then the response status is 400
    And the Kashpay error is "RequestException" with code 1000

  Scenario: A later call without a token is refused
    When I send a Kashpay GET to "/EntitiesServices/getBalance" without a token
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1002

  Scenario: A malformed token is refused
    When I send a Kashpay GET to "/EntitiesServices/getBalance" with the Authorization header "Bearer not.a.jwt"
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1003

  Scenario: A later call without Entity-i is refused
    Given I am signed in to Kashpay
    When I send a Kashpay GET to "/EntitiesServices/getBalance" without Entity-i
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1005

  Scenario: Entity-i must be the token's entity
    Given I am signed in to Kashpay
    When I send a Kashpay GET to "/EntitiesServices/getBalance" with Entity-i "com.someone.else"
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1006

  @sim
  Scenario: A token expires 5976 simulated seconds after it was issued
    Given I am signed in to Kashpay
    When 5975 seconds of simulated time pass
    And I send a Kashpay GET to "/EntitiesServices/getBalance"
    Then the response status is 200
    When 1 second of simulated time passes
    And I send a Kashpay GET to "/EntitiesServices/getBalance"
    Then the response status is 401
    And the Kashpay error is "AuthenticationException" with code 1004

  Scenario: Unknown paths and wrong methods answer in the envelope
    Given I am signed in to Kashpay
    When I send a Kashpay GET to "/OKPay/nothing"
    Then the response status is 404
    And the Kashpay error is "NotFoundException" with code 404
    When I send a Kashpay GET to "/OKPay/createOrder"
    Then the response status is 405
    And the Kashpay error is "MethodNotAllowedException" with code 405
