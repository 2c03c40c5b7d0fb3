Feature: OnSpot Create Payouts
  `POST /accreditation/payouts/create` takes an array of payouts and answers `[[…]]`: one entry
  `{uuid, email, action, message}` per item, in request order. Each item is validated on its
  own; a valid one is created ("success", "created successfully"), an invalid one is reported
  ("error", a message naming the field) and written to the platform's Error Logs. A body that
  is not a non-empty array of objects is refused whole.

  Background:
    Given an OnSpot key pair
    And I have an OnSpot token

  Scenario: The seed's example creates the first payout and reports the "98l00" amount
    When I create OnSpot payouts:
      """
      [
        {"type": "BUSINESS", "documentType": "PASSPORT", "documentNumber": "75798566878",
         "legalName": "TestStudio", "businessRepresentative": {"firstName": "", "lastName": ""},
         "customerEmail": "teststudio@yopmail.com", "amount": "6700", "currency": "USD",
         "description": "Testing"},
        {"type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
         "legalName": "", "firstName": "Aries", "lastName": "Studio",
         "customerEmail": "eduardmarbell193777@hotmail.com", "amount": "98l00", "currency": "USD",
         "description": "Testing10"}
      ]
      """
    Then the response status is 201
    And OnSpot answers 2 entries with the actions "success, error"
    And the response field "0.0.message" is "created successfully"
    And the response field "0.0.email" is "teststudio@yopmail.com"
    And the response field "0.1.email" is "eduardmarbell193777@hotmail.com"
    And OnSpot's message for entry 1 names "amount"

  Scenario Outline: An invalid field fails its item with a message naming it
    When I create an OnSpot payout whose "<field>" is <value>
    Then the response status is 201
    And OnSpot answers 1 entry with the actions "error"
    And OnSpot's message for entry 0 names "<field>"

    Examples:
      | field          | value        |
      | type           | "COMPANY"    |
      | documentType   | "SSN"        |
      | documentNumber | ""           |
      | firstName      | null         |
      | lastName       | 7            |
      | customerEmail  | "not-email"  |
      | amount         | 6700         |
      | amount         | "0"          |
      | amount         | "-5"         |
      | amount         | "10.555"     |
      | currency       | "usd"        |
      | description    | 12           |

  Scenario: A business needs a legal name and a representative
    When I create OnSpot payouts:
      """
      [{"type": "BUSINESS", "documentType": "RUC", "documentNumber": "20123456789",
        "customerEmail": "studio@example.com", "amount": "100", "currency": "USD"}]
      """
    Then OnSpot answers 1 entry with the actions "error"
    And OnSpot's message for entry 0 names "legalName"
    And OnSpot's message for entry 0 names "businessRepresentative"

  Scenario: Entries follow the request's order
    When I create OnSpot payouts:
      """
      [
        {"type": "INDIVIDUAL", "documentType": "DNI", "documentNumber": "44556677",
         "firstName": "Ana", "lastName": "Ruiz", "customerEmail": "ana@example.com",
         "amount": "10.50", "currency": "USD"},
        {"type": "INDIVIDUAL", "documentType": "DNI", "documentNumber": "44556678",
         "firstName": "Eva", "lastName": "Paz", "customerEmail": "eva@example.com",
         "amount": "nope", "currency": "USD"},
        {"type": "INDIVIDUAL", "documentType": "PPT", "documentNumber": "44556679",
         "firstName": "Leo", "lastName": "Gil", "customerEmail": "leo@example.com",
         "amount": "3", "currency": "USD"}
      ]
      """
    Then OnSpot answers 3 entries with the actions "success, error, success"
    And the response field "0.0.email" is "ana@example.com"
    And the response field "0.2.email" is "leo@example.com"

  Scenario Outline: A body that is not a non-empty array of objects is refused whole
    When I create OnSpot payouts:
      """
      <body>
      """
    Then the response is an OnSpot error with status 400 and error "Bad Request"
    And OnSpot's error messages include "<message>"

    Examples:
      | body                       | message                         |
      | {"type": "INDIVIDUAL"}     | body must be an array of payouts |
      | []                         | body should not be empty        |
      | [{"type": "INDIVIDUAL"}, 1] | body.1 must be an object        |
      | "payouts"                  | body must be an array of payouts |

  Scenario: Malformed JSON is a bad request with the parser's message
    When I create OnSpot payouts:
      """
      [{"type": }]
      """
    Then the response is an OnSpot error with status 400 and error "Bad Request"
    And the response field "message" starts with "Unexpected token in JSON at position "

  Scenario: A body that is not sent as JSON is refused
    When I create OnSpot payouts with content type "text/plain":
      """
      [{"type": "INDIVIDUAL"}]
      """
    Then the response is an OnSpot error with status 400 and error "Bad Request"
    And OnSpot's error messages include "Content-Type must be application/json"

  Scenario: Create Payouts needs the environment header
    When I create OnSpot payouts without the environment header:
      """
      [{"type": "INDIVIDUAL"}]
      """
    Then the response is an OnSpot error with status 400 and error "Bad Request"

  Scenario Outline: Unknown routes and other methods answer like Express
    When I <verb> OnSpot's "<path>"
    Then the response is an OnSpot error with status 404 and error "Not Found"
    And the response field "message" is "Cannot <verb> <path>"

    Examples:
      | verb   | path                           |
      | POST   | /accreditation/payouts         |
      | GET    | /accreditation/payouts/create  |
      | DELETE | /platform/generate-token-api   |
