Feature: Tupay reconciliation
  A team reconciles by reading every page of deposits and cashouts for a range, then the daily
  balance report for the same range, and checking that the numbers agree with each other: a
  day's depositTotal and depositFeeTotal are its COMPLETED deposits' amounts and fees, its
  cashoutTotal its COMPLETED cashouts' amounts, netAmount what they leave, totalBalance the
  balance at the day's end; /v1/balance is each currency's balance now.

  Background:
    Given a Tupay API user
    And I am logged in to Tupay

  Scenario: The report agrees with the lists to the cent
    When I read every page of Tupay deposits for the last 60 days
    And I read every page of Tupay cashouts for the last 60 days
    And I read every page of the Tupay balance report for the last 60 days
    Then every Tupay report row equals the sums of that day's listed deposits and cashouts
    And every Tupay report row's net amount is its deposits less fees and cashouts, plus notes, less settlements
    And the Tupay balance of each currency is its newest report row's total balance

  @sim
  Scenario: The same range reads the same two simulated days later
    Given the Tupay range is the last 60 days
    When I read every page of Tupay deposits for that range
    And I read every page of Tupay cashouts for that range
    And I read every page of the Tupay balance report for that range
    And I note the Tupay reconciliation
    And 2 days of simulated time pass
    And I log in to Tupay again
    And I read every page of Tupay deposits for that range
    And I read every page of Tupay cashouts for that range
    And I read every page of the Tupay balance report for that range
    Then the Tupay reconciliation reads exactly as noted

  @sim
  Scenario: Two API users reconcile two merchants that share nothing
    When I read every page of Tupay deposits for the last 60 days
    And I note the Tupay reconciliation
    And a second Tupay API user, logged in
    And I read every page of Tupay deposits for the last 60 days
    Then the Tupay deposits read share no idDeposit nor idMerchant with those noted
