Feature: OnSpot session tokens
  Generate Token takes the headers `publicKey`, `secretKey` and `environment` (test or live) and
  answers the bare JSON string of an HS256 JWT valid for one hour. Each environment has its own
  key pair, and a token works only in the environment it was generated for. OnSpot documents
  no error bodies: payoutsim answers NestJS's defaults.

  Scenario: A key pair gets a bare JSON string token with the sample's claims
    Given an OnSpot key pair
    When I generate an OnSpot token
    Then the response status is 201
    And the response is a bare JSON string holding an OnSpot token
    And the OnSpot token's claims are "publicKey, id, iat, exp" in that order
    And the OnSpot token names the public key and expires 3600 seconds after it was issued

  Scenario Outline: Both documented paths, and the QA stage prefix, issue tokens
    Given an OnSpot test key pair
    When I generate an OnSpot token at "<path>"
    Then the response status is 201
    And the response is a bare JSON string holding an OnSpot token

    Examples:
      | path                            |
      | /platform/generate-token-api    |
      | /auth/generate-token            |
      | /v1/platform/generate-token-api |

  Scenario: A wrong secret for a known public key is refused
    Given an OnSpot key pair
    And I have an OnSpot token
    When I generate an OnSpot token with the secret key "not-the-secret"
    Then the response is an OnSpot error with status 401 and error "Unauthorized"
    And the response field "message" is "Unauthorized"

  Scenario: A key pair first used in test is refused in live
    Given an OnSpot test key pair
    And I have an OnSpot token
    When I generate an OnSpot token in the "live" environment
    Then the response is an OnSpot error with status 401 and error "Unauthorized"

  Scenario Outline: A missing key header is refused
    Given an OnSpot key pair
    When I generate an OnSpot token without the "<header>" header
    Then the response is an OnSpot error with status 401 and error "Unauthorized"

    Examples:
      | header    |
      | publicKey |
      | secretKey |

  Scenario: A malformed public key is refused
    Given an OnSpot key pair
    When I generate an OnSpot token with the public key "has a space"
    Then the response is an OnSpot error with status 401 and error "Unauthorized"

  Scenario Outline: The environment header must be test or live
    Given an OnSpot key pair
    When I generate an OnSpot token <how>
    Then the response is an OnSpot error with status 400 and error "Bad Request"
    And OnSpot's error messages include "environment must be one of the following values: test, live"

    Examples:
      | how                                 |
      | without the "environment" header    |
      | in the "production" environment     |

  Scenario: A test token is refused in live
    Given an OnSpot test key pair
    And I have an OnSpot token
    When I create OnSpot payouts in the "live" environment:
      """
      [{"type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
        "firstName": "Aries", "lastName": "Studio", "customerEmail": "aries@example.com",
        "amount": "10", "currency": "USD"}]
      """
    Then the response is an OnSpot error with status 401 and error "Unauthorized"

  Scenario Outline: A missing or garbled token is refused
    Given an OnSpot key pair
    When I create OnSpot payouts with the Authorization header "<authorization>":
      """
      [{"type": "INDIVIDUAL"}]
      """
    Then the response is an OnSpot error with status 401 and error "Unauthorized"

    Examples:
      | authorization                                           |
      |                                                         |
      | Bearer not-a-jwt                                        |
      | Bearer eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.c2ln |
      | Basic dXNlcjpwYXNz                                      |

  @sim
  Scenario: A token expires after one hour of simulated time
    Given an OnSpot live key pair
    And I have an OnSpot token
    When 59 minutes of simulated time pass
    And I create OnSpot payouts for the amounts "10"
    Then the response status is 201
    When 1 minute of simulated time passes
    And I create OnSpot payouts:
      """
      [{"type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
        "firstName": "Aries", "lastName": "Studio", "customerEmail": "aries@example.com",
        "amount": "10", "currency": "USD"}]
      """
    Then the response is an OnSpot error with status 401 and error "Unauthorized"

  @sim
  Scenario: A new token after expiry works again
    Given an OnSpot test key pair
    And I have an OnSpot token
    And 2 hours of simulated time pass
    When I generate an OnSpot token
    And I create OnSpot payouts for the amounts "10"
    Then OnSpot answers 1 entry with the actions "success"
