Feature: Tupay sessions
  POST /v1/auth/login {accessKey, secretKey} answers {idUser, username, idMerchant} and sets the
  BEARER_TOKEN cookie. The token goes back as the cookie, as a Bearer token, or in the seed's
  "Authorization: BEARER_TOKEN=…" form; a session lives 15 minutes after its last request; session
  destroy ends it. Every refusal is Tupay's {code, description}.

  Background:
    Given a Tupay API user

  Scenario: A login answers the user and merchant and sets the session cookie
    When I log in to Tupay
    Then the response status is 200
    And the response has the fields "idUser, username, idMerchant"
    And the Tupay session cookie is BEARER_TOKEN with Path=/ and HttpOnly, and no expiry

  Scenario Outline: The token is accepted in each of the three carriers
    Given I am logged in to Tupay
    When I read the Tupay balance sending the token as "<carrier>"
    Then the response status is 200

    Examples:
      | carrier                         |
      | a cookie                        |
      | a Bearer token                  |
      | the seed's BEARER_TOKEN header  |

  Scenario: Logging out ends the session, and a new login is needed
    Given I am logged in to Tupay
    When I log out of Tupay sending the token as "the seed's BEARER_TOKEN header"
    Then the response status is 200
    When I read the Tupay balance
    Then the response status is 401
    When I log in to Tupay again
    And I read the Tupay balance
    Then the response status is 200

  @sim
  Scenario: Without a token, or with one never issued, a request is refused
    When I read the Tupay balance without a token
    Then the response status is 401
    And the Tupay error is code 20
    When I read the Tupay balance with the token "U3dcUx8IRJ5nLjb0WYM4cHa3qHFqnrqAk"
    Then the response status is 401
    And the Tupay error is code 21

  @sim
  Scenario: A wrong secret for a known user is refused with D24's code 11
    Given I am logged in to Tupay
    When I log in to Tupay with the secret "not-the-secret"
    Then the response status is 401
    And the Tupay error is code 11

  @sim
  Scenario: A malformed login body is a 400 in the envelope
    When I send Tupay's login the body:
      """
      {"accessKey": "{access_key}",
      """
    Then the response status is 400
    And the Tupay error is code 100

  @sim
  Scenario: A session slides fifteen minutes from its last use, then expires
    Given I am logged in to Tupay
    When 14 minutes of simulated time pass
    And I read the Tupay balance
    Then the response status is 200
    When 14 minutes of simulated time pass
    And I read the Tupay balance
    Then the response status is 200
    When 15 minutes of simulated time pass
    And I read the Tupay balance
    Then the response status is 401
    And the Tupay error is code 22

  @sim
  Scenario: A request refused for its parameters still keeps the session alive
    Given I am logged in to Tupay
    When 10 minutes of simulated time pass
    And I send Tupay a deposits request with a bad range
    Then the response status is 400
    When 10 minutes of simulated time pass
    And I read the Tupay balance
    Then the response status is 200

  @sim
  Scenario: Each login opens its own session, and logging out ends only that one
    Given I am logged in to Tupay
    And a second Tupay API user, logged in
    When I switch back to the first Tupay API user
    And I log out of Tupay
    And I read the Tupay balance
    Then the response status is 401
