@sim
Feature: OnSpot funding, activation and payment on the simulated clock
  Live payouts can be created without funds, but OnSpot activates them only up to the money
  transferred to it: in creation order while the balance covers them, the rest waiting
  (`pending_funding`) until more arrives. Test payouts activate at once. Active payouts are
  paid after a delay (live 1 business day, test 5 minutes), or fail where a magic value or a
  fault says so, their amount credited back. The back office stands in for OnSpot's platform.

  Scenario: Live payouts wait for a bank transfer
    Given an OnSpot live key pair
    And I have an OnSpot token
    When I create OnSpot payouts for the amounts "100, 300, 50"
    Then OnSpot's Payouts section shows the statuses "pending_funding, pending_funding, pending_funding"
    And OnSpot's "pending_funding" balance is "450.00"
    And the Payouts section lists the uuid OnSpot answered for entry 2

  Scenario: A transfer activates payouts in creation order while it covers them
    Given an OnSpot live key pair
    And I have an OnSpot token
    And I create OnSpot payouts for the amounts "100, 300, 50"
    When the back office records a bank transfer of "350.00" USD to OnSpot
    Then OnSpot's Payouts section shows the statuses "active, pending_funding, pending_funding"
    And OnSpot's "available" balance is "250.00"
    And OnSpot's "in_flight" balance is "100.00"
    When the back office records a bank transfer of "100" USD to OnSpot
    Then OnSpot's Payouts section shows the statuses "active, active, active"
    And OnSpot's "available" balance is "0.00"

  Scenario: A funded live payout is paid one business day after it activates
    Given an OnSpot live key pair
    And I have an OnSpot token
    And the back office records a bank transfer of "500" USD to OnSpot
    When I create OnSpot payouts for the amounts "120"
    Then OnSpot's Payouts section shows the statuses "active"
    When 23 hours of simulated time pass
    Then OnSpot's Payouts section shows the statuses "active"
    When 4 days of simulated time pass
    Then OnSpot's Payouts section shows the statuses "paid"
    And OnSpot's "paid" balance is "120.00"
    And OnSpot's "available" balance is "380.00"

  Scenario: Test payouts activate at once and are paid after five minutes
    Given an OnSpot test key pair
    And I have an OnSpot token
    When I create OnSpot payouts for the amounts "100, 250"
    Then OnSpot's Payouts section shows the statuses "active, active"
    When 5 minutes of simulated time pass
    Then OnSpot's Payouts section shows the statuses "paid, paid"

  Scenario Outline: Magic values decide a payout's outcome
    Given an OnSpot test key pair
    And I have an OnSpot token
    When I create an OnSpot payout of "<amount>" USD to document "<document>"
    And 1 hour of simulated time passes
    Then OnSpot's Payouts section shows the statuses "<status>"

    Examples:
      | amount | document   | status |
      | 10     | 1017209836 | paid   |
      | 10     | 4000000001 | failed |
      | 10     | 4000000002 | failed |
      | 10     | 4000000003 | active |
      | 666.66 | 1017209836 | failed |

  Scenario: A failed live payout is credited back and funds the next one
    Given an OnSpot live key pair
    And I have an OnSpot token
    And I create an OnSpot payout of "100" USD to document "4000000001"
    And I create OnSpot payouts for the amounts "100"
    When the back office records a bank transfer of "100" USD to OnSpot
    Then OnSpot's Payouts section shows the statuses "active, pending_funding"
    # Eight days hold two business days from any start: the failure, then the second payout's.
    When 8 days of simulated time pass
    Then OnSpot's Payouts section shows payout 0 failed with reason "BENEFICIARY_NOT_FOUND"
    And OnSpot's Payouts section shows the statuses "failed, paid"
    And OnSpot's "available" balance is "0.00"

  Scenario: Items that fail validation are in the Error Logs of their environment
    Given an OnSpot live key pair
    And I have an OnSpot token
    When I create OnSpot payouts:
      """
      [
        {"type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
         "firstName": "Aries", "lastName": "Studio", "customerEmail": "aries@example.com",
         "amount": "10", "currency": "USD"},
        {"type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
         "firstName": "Aries", "lastName": "Studio", "customerEmail": "aries@example.com",
         "amount": "98l00", "currency": "USD"}
      ]
      """
    Then OnSpot's Error Logs show entry 1 of the request with a message naming "amount"
    And OnSpot's Payouts section shows the statuses "pending_funding"
    Given an OnSpot test key pair "sandbox"
    Then OnSpot's Error Logs are empty

  Scenario: Test and live data are separate
    Given an OnSpot live key pair "prod"
    And I have an OnSpot token
    And I create OnSpot payouts for the amounts "10"
    And an OnSpot test key pair "qa"
    And I have an OnSpot token
    When I create OnSpot payouts for the amounts "20, 30"
    Then OnSpot's Payouts section shows the statuses "active, active"
    When I use the OnSpot key pair "prod"
    Then OnSpot's Payouts section shows the statuses "pending_funding"

  Scenario: The back office forces a payout to fail and credits it back
    Given an OnSpot live key pair
    And I have an OnSpot token
    And the back office records a bank transfer of "100" USD to OnSpot
    And I create OnSpot payouts for the amounts "100"
    When the back office forces OnSpot payout 0 to "failed"
    Then OnSpot's Payouts section shows payout 0 failed with reason "FORCED"
    And OnSpot's "available" balance is "100.00"
