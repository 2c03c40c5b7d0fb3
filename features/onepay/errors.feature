Feature: Protocol errors
  Every non-2xx answer uses OnePay's envelope
  `{"message", "code": "<HTTP status>", "code_name", "errors": [{"key", "description"}]}`.

  Background:
    Given a OnePay test key

  Scenario: An unknown path is a 404
    When I GET "/v1/no-such-resource"
    Then the response status is 404
    And the response is an error envelope with code "404" and code_name "not_found"

  Scenario: A method the resource does not allow is a 405
    When I DELETE "/v1/balances"
    Then the response status is 405
    And the response is an error envelope with code "405" and code_name "method_not_allowed"

  Scenario: A body that is not JSON is refused as unsupported
    When I POST to "/v1/customers" with content type "text/plain" and body:
      """
      first_name=Ana
      """
    Then the response status is 415
    And the response is an error envelope with code "415" and code_name "unsupported_media_type"

  Scenario: A body over 1 MiB is refused as too large
    When I POST to "/v1/customers" a JSON body of 1100 KiB
    Then the response status is 413
    And the response is an error envelope with code "413" and code_name "payload_too_large"

  Scenario: Malformed JSON is a 400 on every resource
    When I POST to "/v1/customers" with body:
      """
      {"first_name": "Ana"
      """
    Then the response status is 400
    And the response is an error envelope with code "400" and code_name "invalid_json"
