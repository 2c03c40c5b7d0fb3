Feature: Kashpay createOrder
  A SPEI order (typeTransaction 1) to a CLABE, card or phone debits the entity's balance and
  answers status 25 in the documented envelope. Business errors (validation 1010, balance 1022,
  duplicate reference 1023) answer HTTP 200 with success false.

  Background:
    Given a Kashpay entity
    And I am signed in to Kashpay

  # Simulator only: a fresh entity's balance (1,000,000 MXN); a sandbox entity's is unknown and shared, and its prefix ("ka", from the entity's name)
  @sim
  Scenario: An order to a CLABE answers the documented envelope and debits the balance
    When I create a Kashpay order "PROVV0011712091" of 250 MXN to "002028650641359744"
    Then the response status is 200
    And the response field "success" is true
    And the response field "orderEntityResponse.status" is 25
    And the response field "orderEntityResponse.alphanumericReference" is "PROVV0011712091"
    And the response field "orderEntityResponse.numericReference" is "4322312"
    And the response field "orderEntityResponse.referenceCreatedPayment" starts with "ka"
    And the response field "orderEntityResponse.initialBalance" is 1000000
    And the response field "orderEntityResponse.finalBalance" is 999750
    And the response field "totalItems" is 0
    And the response has the fields "orderEntityResponse.createdAt, orderEntityResponse.uptadedAt, orderEntityResponse.id"
    And the Kashpay balance is 999750 MXN

  # Simulator only: a fresh entity's balance (1,000,000 MXN); a sandbox entity's is unknown and shared
  @sim
  Scenario: Numbers may be sent as strings and strings as numbers
    When I create a Kashpay order with:
      """
      {"alphanumericReference": "STR1", "amount": "10.50", "beneficiaryAcount": "002028650641359744",
       "beneficiaryName": "Ana", "codeInstituteBank": 2, "concept": "Pago", "numericReference": "77",
       "currency": "484", "typeTransaction": "1"}
      """
    Then the response field "success" is true
    And the response field "orderEntityResponse.finalBalance" is 999989.5

  # Simulator only: a fixed alphanumericReference, which a sandbox entity keeps from one run to the next (1023)
  @sim
  Scenario: A phone number is accepted when the account type says so
    When I create a Kashpay order "PHONE1" of 100 MXN to "5512345678" with "beneficiaryTypeAcount" set to "10"
    Then the response field "success" is true

  # Simulator only: a fresh entity's balance (1,000,000 MXN); a sandbox entity's is unknown and shared
  @sim
  Scenario Outline: Invalid orders are refused with a ValidationException and nothing is debited
    When I create a Kashpay order "BAD1" of 100 MXN to "002028650641359744" with "<field>" set to <value>
    Then the response status is 200
    And the Kashpay error is "ValidationException" with code 1010
    And the Kashpay error message mentions "<field>"
    And the Kashpay balance is 1000000 MXN

    Examples:
      | field                 | value                |
      | beneficiaryAcount     | "002028650641359745" |
      | codeInstituteBank     | "012"                |
      | concept               | "Concepto de más de treinta y nueve caracteres" |
      | beneficiaryName       | "Un nombre de beneficiario demasiado largo" |
      | numericReference      | 43223123             |
      | currency              | 840                  |
      | amount                | 0                    |
      | amount                | 10.005               |
      | typeTransaction       | 20                   |
      | beneficiaryTypeAcount | "string"             |

  Scenario: A required field is missing
    When I create a Kashpay order "BAD2" of 100 MXN to "002028650641359744" without "beneficiaryName"
    Then the Kashpay error is "ValidationException" with code 1010
    And the Kashpay error message mentions "beneficiaryName: es requerido"

  # Simulator only: a fresh entity's balance (1,000,000 MXN); a sandbox entity's is unknown and shared
  @sim
  Scenario: Not enough balance is the documented 1022
    When I create a Kashpay order "BIG1" of 1000000.01 MXN to "002028650641359744"
    Then the response status is 200
    And the Kashpay error is "EntityException" with code 1022
    And the response field "error.message" is "No se pudo procesar el pago"
    And the Kashpay balance is 1000000 MXN

  # Simulator only: a fresh entity's balance (1,000,000 MXN); a sandbox entity's is unknown and shared; a fixed alphanumericReference, which a sandbox entity keeps from one run to the next (1023)
  @sim
  Scenario: A repeated alphanumericReference is refused
    Given a Kashpay order "DUP1" of 10 MXN to "002028650641359744"
    When I create a Kashpay order "DUP1" of 20 MXN to "002028650641359744"
    Then the Kashpay error is "EntityException" with code 1023
    And the Kashpay balance is 999990 MXN

  # Simulator only: a fixed alphanumericReference, which a sandbox entity keeps from one run to the next (1023)
  @sim
  Scenario: searchReference finds an order
    Given a Kashpay order "FIND1" of 75.25 MXN to "002028650641359744"
    When I search Kashpay for the order "FIND1"
    Then the response field "success" is true
    And the response field "orderEntityResponse.alphanumericReference" is "FIND1"
    And the response field "orderEntityResponse.amount" is 75.25
    And the response field "orderEntityResponse.status" is 25
    When I search Kashpay for the order "NOPE"
    Then the Kashpay error is "OrderException" with code 1030
