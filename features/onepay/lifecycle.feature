@sim
Feature: Cashout status lifecycle
  Cashouts move on the simulated clock. TURBO: `pending` -(60 s)-> `processing` -(1800 s)->
  `processed` or `failed`. ACH: `pending` -(600 s)-> `processing` -(1 business day)-> `processed`
  or `failed`. Magic account numbers and amounts decide failures; a failed cashout carries
  `remarks {code, description}`. The simulated clock starts on a Monday.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: A TURBO cashout is processed in 31 minutes
    Given a TURBO cashout "c1" of 50000 COP to "ana-savings"
    When 59 seconds of simulated time pass
    Then cashout "c1" is "pending"
    When 1 second of simulated time passes
    Then cashout "c1" is "processing"
    When 1799 seconds of simulated time pass
    Then cashout "c1" is "processing"
    When 1 second of simulated time passes
    Then cashout "c1" is "processed"
    And cashout "c1" has no remarks

  Scenario: An ACH cashout is processed one business day after it starts processing
    Given it is Tuesday on OnePay's simulated clock
    And an ACH cashout "c1" of 50000 COP to "ana-savings"
    When 599 seconds of simulated time pass
    Then cashout "c1" is "pending"
    When 1 second of simulated time passes
    Then cashout "c1" is "processing"
    When 23 hours of simulated time pass
    Then cashout "c1" is "processing"
    When 1 hour of simulated time passes
    Then cashout "c1" is "processed"

  Scenario: An ACH cashout started on a Friday is processed on Monday
    Given it is Friday on OnePay's simulated clock
    And an ACH cashout "c1" of 50000 COP to "ana-savings"
    When 600 seconds of simulated time pass
    Then cashout "c1" is "processing"
    When 2 days of simulated time pass
    Then cashout "c1" is "processing"
    When 1 day of simulated time passes
    Then cashout "c1" is "processed"

  Scenario Outline: Magic account numbers make a cashout fail with remarks
    Given a SAVINGS account "doomed" for "ana" with number "<number>"
    And a <method> cashout "c1" of 50000 COP to "doomed"
    When 3 days of simulated time pass
    Then cashout "c1" failed with remarks "<code>"

    Examples:
      | number     | method | code              |
      | 1111111110 | TURBO  | ACCOUNT_CLOSED    |
      | 1111111111 | TURBO  | ACCOUNT_NOT_FOUND |
      | 1111111112 | TURBO  | ACCOUNT_BLOCKED   |
      | 1111111110 | ACH    | ACCOUNT_CLOSED    |

  Scenario: An amount of exactly 666 is rejected by the bank
    Given a TURBO cashout "c1" of 666 COP to "ana-savings"
    When 1860 seconds of simulated time pass
    Then cashout "c1" failed with remarks "BANK_REJECTED"

  Scenario: A cashout to the stuck account stays processing forever
    Given a SAVINGS account "stuck" for "ana" with number "1111111113"
    And a TURBO cashout "c1" of 50000 COP to "stuck"
    When 60 seconds of simulated time pass
    Then cashout "c1" is "processing"
    When 30 days of simulated time pass
    Then cashout "c1" is "processing"

  Scenario: A cashout is stamped with the tenant's simulated time
    When 2 hours of simulated time pass
    And I create a TURBO cashout "c1" of 50000 COP to "ana-savings"
    Then the response status is 201
    And the response field "created_at" is OnePay's simulated time
