@sim
Feature: Tupay back office
  The back office (/__admin/providers/tupay/) inserts a deposit or a cashout with chosen fields,
  moves a transaction's status, and records notes and settlements. Every change shows at once in
  the lists, the report and the balance; an inserted pending transaction moves on the simulated
  clock: a deposit is approved after 10 minutes and completed within the hour, a cashout is
  delivered after an hour and completed one business day later.

  Background:
    Given a Tupay API user
    And I am logged in to Tupay

  Scenario: An inserted completed deposit shows at once in the list and the balance
    When I note the Tupay balance in PEN
    And the back office inserts a Tupay deposit:
      """
      {"status": "COMPLETED", "country": "PE", "paymentMethod": "XAQR", "amount": "250.00", "fee": "6.50"}
      """
    Then the newest Tupay item listed is the inserted one, "COMPLETED"
    And the Tupay balance in PEN has moved by 243.50

  Scenario: An inserted pending deposit is approved, then completed within the hour
    When the back office inserts a Tupay deposit:
      """
      {"country": "BR", "amount": 100}
      """
    Then the newest Tupay item listed is the inserted one, "PENDING"
    When 10 minutes of simulated time pass
    And I log in to Tupay again
    Then the newest Tupay item listed is the inserted one, "APPROVED"
    When 50 minutes of simulated time pass
    And I log in to Tupay again
    Then the newest Tupay item listed is the inserted one, "COMPLETED"

  Scenario: An inserted cashout is delivered after an hour and completed a business day later
    Given it is Tuesday on Tupay's simulated clock
    When I log in to Tupay again
    And I note the Tupay balance in USD
    And the back office inserts a Tupay cashout:
      """
      {"country": "MX", "amount": 300}
      """
    And 1 hour of simulated time passes
    And I log in to Tupay again
    Then the newest Tupay item listed is the inserted one, "DELIVERED"
    And the Tupay balance in USD has moved by 0
    When 1 day of simulated time passes
    And I log in to Tupay again
    Then the newest Tupay item listed is the inserted one, "COMPLETED"
    And the Tupay balance in USD has moved by -300

  Scenario: Moving a transaction's status changes what it counts for
    When the back office inserts a Tupay deposit:
      """
      {"status": "COMPLETED", "country": "PE", "amount": 80, "fee": 2}
      """
    And I note the Tupay balance in PEN
    And the back office moves the inserted Tupay transaction to "CANCELLED"
    Then the newest Tupay item listed is the inserted one, "CANCELLED"
    And the Tupay balance in PEN has moved by -78

  Scenario: Notes and settlements show in the report's own columns
    When I note the Tupay balance in USD
    And the back office records a Tupay note of 100 USD
    And the back office records a Tupay settlement of 5000 USD
    And the back office records a Tupay cancelled_settlement of 1000 USD
    Then today's Tupay report row in USD has "noteTotal" 100
    And today's Tupay report row in USD has "settlementTotal" 5000
    And today's Tupay report row in USD has "cancelledSettlementTotal" 1000
    And the Tupay balance in USD has moved by -3900
