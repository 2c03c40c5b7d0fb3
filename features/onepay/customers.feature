Feature: Customers
  A customer is the person (or company) a cashout pays. `POST /v1/customers` answers 201 with the
  customer; validation failures answer 422 listing every failing key.

  Background:
    Given a OnePay test key

  Scenario: Creating a natural-person customer
    When I create a customer "ana"
    Then the response status is 201
    And the response has the fields "id, first_name, last_name, email, document_type, document_number, created_at, updated_at"
    And the response field "first_name" is "Ana"
    And the response field "user_type" is "natural"
    And the response field "is_test" is true
    And the response field "created_at" is a OnePay timestamp
    And the response field "updated_at" is a OnePay timestamp

  Scenario: Fetching a customer by id
    Given a customer "ana"
    When I fetch customer "ana"
    Then the response status is 200
    And the response field "id" is the id of customer "ana"
    And the response field "first_name" is "Ana"

  Scenario: Listing customers returns a page
    Given a customer "ana"
    When I GET "/v1/customers"
    Then the response status is 200
    And the response has the fields "data, current_page, per_page, total, last_page"

  Scenario: An unknown customer is not found
    When I GET "/v1/customers/does-not-exist"
    Then the response status is 404
    And the response is an error envelope with code "404" and code_name "not_found"

  Scenario: Invalid values are all listed in one 422
    When I POST to "/v1/customers" with body:
      """
      {
        "user_type": "alien",
        "first_name": "Ana",
        "last_name": "Contract",
        "email": "ana@example.com",
        "phone": "+573001234567",
        "document_type": "DRIVING_LICENSE",
        "document_number": "1012345678",
        "nationality": "CO",
        "birthdate": "15/01/1990",
        "enable_notifications": false
      }
      """
    Then the response status is 422
    And the response is an error envelope with code "422" and code_name "validation_error"
    And the errors name "user_type, document_type, birthdate"
    And the errors do not name "first_name, email, document_number"

  Scenario: A natural person needs a last name
    When I POST to "/v1/customers" with body:
      """
      {
        "user_type": "natural",
        "first_name": "Ana",
        "email": "ana@example.com",
        "phone": "+573001234567",
        "document_type": "CC",
        "document_number": "1012345678",
        "nationality": "CO",
        "birthdate": "1990-01-15",
        "enable_notifications": false
      }
      """
    Then the response status is 422
    And the error code is "422" and the errors name "last_name"
