Feature: Dots cursor pagination
  Lists are pages of `limit` objects (1 to 100, default 10), newest first, answered
  `{"data": […], "has_more": …}`: `starting_after` an object's id gives the page after it,
  `ending_before` the page before it. Both at once, an id the list does not hold, or a `limit`
  outside 1..100 is 400 `invalid-input`, never clamped. Transfers take `reverse_order=true` for
  oldest first. The transfers listed here are one user's (`user_id`), the scenario's own.

  Background:
    Given a Dots sandbox key pair
    And a Dots user "ana"
    And Dots transfers "t1, t2, t3, t4, t5" of 1 cent each from the app to "ana"

  Scenario: The first page holds the newest transfers, with more to come
    When I list the Dots transfers of "ana" with "limit=2"
    Then the Dots page lists the transfers "t5, t4", and has_more is true

  Scenario: starting_after gives the page after an object
    When I list the Dots transfers of "ana" with "limit=2&starting_after={transfer:t4}"
    Then the Dots page lists the transfers "t3, t2", and has_more is true

  Scenario: The last page says there is no more
    When I list the Dots transfers of "ana" with "limit=2&starting_after={transfer:t2}"
    Then the Dots page lists the transfers "t1", and has_more is false

  Scenario: ending_before gives the page before an object
    When I list the Dots transfers of "ana" with "limit=2&ending_before={transfer:t2}"
    Then the Dots page lists the transfers "t4, t3", and has_more is true

  Scenario: reverse_order lists the oldest first
    When I list the Dots transfers of "ana" with "limit=3&reverse_order=true"
    Then the Dots page lists the transfers "t1, t2, t3", and has_more is true

  Scenario: Reading every page lists each transfer once, in order
    Then reading every page of the Dots transfers of "ana", 2 at a time, lists "t5, t4, t3, t2, t1" in pages of "2, 2, 1"
    And reading every page of the Dots transfers of "ana" oldest first, 2 at a time, lists "t1, t2, t3, t4, t5"

  Scenario: Without a limit a page holds 10
    Given Dots transfers "t6, t7, t8, t9, t10, t11" of 1 cent each from the app to "ana"
    When I list the Dots transfers of "ana" with ""
    Then the Dots page lists the transfers "t11, t10, t9, t8, t7, t6, t5, t4, t3, t2", and has_more is true

  Scenario: A page of 100 is the largest
    When I list the Dots transfers of "ana" with "limit=100"
    Then the Dots page holds 5 transfers, and has_more is false

  Scenario Outline: A limit of <limit> is refused, not clamped
    When I list the Dots transfers of "ana" with "limit=<limit>"
    Then the Dots error is 400 "invalid-input"
    And the Dots error message mentions "limit"

    Examples:
      | limit |
      | 0     |
      | 101   |
      | ten   |

  Scenario: Both cursors at once are refused
    When I list the Dots transfers of "ana" with "starting_after={transfer:t4}&ending_before={transfer:t2}"
    Then the Dots error is 400 "invalid-input"

  Scenario: A cursor the list does not hold is refused
    When I list the Dots transfers of "ana" with "starting_after=3c90c3cc-0d44-4b50-8888-8dd25736052a"
    Then the Dots error is 400 "invalid-input"

  @sim
  Scenario: A new app's users are listed newest first, page by page
    Given a Dots user "bob"
    And a Dots user "cy"
    When I send Dots a GET to "/api/v2/users?limit=2"
    Then the Dots page lists the users "cy, bob", and has_more is true
    When I send Dots a GET to "/api/v2/users?limit=2&starting_after={user:bob}"
    Then the Dots page lists the users "ana", and has_more is false
