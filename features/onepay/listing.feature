Feature: Listing cashouts
  `GET /v1/cashouts` answers a Laravel page `{data, current_page, from, last_page, per_page, to,
  total}` (20 per page by default), newest first, filtered by `filter[status]`,
  `filter[method]` and `filter[external_id]`.

  Background:
    Given a OnePay test key
    And a customer "ana"
    And a SAVINGS account "ana-savings" for "ana" with number "1234567890"

  Scenario: A cashout can be found by its external id
    Given a TURBO cashout "c1" of 50000 COP to "ana-savings"
    And a TURBO cashout "c2" of 60000 COP to "ana-savings"
    When I list cashouts with "filter[external_id]={external_id:c2}"
    Then the response status is 200
    And the listed cashouts are "c2"
    And the response field "total" is 1

  @sim
  Scenario: Pages split the list
    Given 25 TURBO cashouts of 1000 COP to "ana-savings"
    When I list cashouts
    Then the response status is 200
    And the page holds 20 cashouts
    And the response field "per_page" is 20
    And the response field "total" is 25
    And the response field "last_page" is 2
    When I list cashouts with "per_page=10&page=3"
    Then the page holds 5 cashouts
    And the response field "current_page" is 3
    And the response field "per_page" is 10
    And the response field "from" is 21
    And the response field "to" is 25
    And the response field "last_page" is 3
    And the response field "total" is 25

  @sim
  Scenario: The newest cashout comes first
    Given a TURBO cashout "first" of 1000 COP to "ana-savings"
    And 1 second of simulated time passes
    And a TURBO cashout "second" of 1000 COP to "ana-savings"
    And 1 second of simulated time passes
    And a TURBO cashout "third" of 1000 COP to "ana-savings"
    When I list cashouts with "sort=-created_at"
    Then the listed cashouts are "third, second, first"

  @sim
  Scenario: Filtering by method and by status
    Given 3 ACH cashouts of 1000 COP to "ana-savings"
    And 2 TURBO cashouts of 1000 COP to "ana-savings"
    When I list cashouts with "filter[method]=ACH"
    Then the response field "total" is 3
    And every listed cashout has method "ACH"
    When 60 seconds of simulated time pass
    And I list cashouts with "filter[status]=processing"
    Then the response field "total" is 2
    And every listed cashout has method "TURBO"
    And every listed cashout has status "processing"

  @sim
  Scenario: A page past the end is empty
    Given 2 TURBO cashouts of 1000 COP to "ana-savings"
    When I list cashouts with "page=5"
    Then the response status is 200
    And the page holds 0 cashouts
    And the response field "total" is 2
