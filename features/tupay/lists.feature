Feature: Tupay deposits and cashouts
  GET /v1/deposits and GET /v1/cashout (D24 spells it /v1/cashouts) list what was created between
  from and to (Unix seconds, inclusive, at most 60 days apart), newest first, 50 a page from
  page 0: a client asks for the next page while rows equals maxRows. Each documented filter keeps
  only what it names. The history behind them is the merchant's last 90 days.

  Background:
    Given a Tupay API user
    And I am logged in to Tupay

  Scenario: Sixty days of deposits span several full pages and a short last one
    When I read every page of Tupay deposits for the last 60 days
    Then Tupay answered at least 5 pages, each of 50 rows but the last, which had fewer
    And the Tupay items listed are newest first, none twice

  Scenario: Cashouts span pages too, and D24's spelling of the path answers the same
    When I read every page of Tupay cashouts for the last 60 days
    Then Tupay answered at least 2 pages, each of 50 rows but the last, which had fewer
    When I list Tupay cashouts for the last 60 days
    And I list Tupay D24-cashouts for the last 60 days
    Then the response is identical to the previous one

  @sim
  Scenario: A page past the end is an empty page
    When I list page 99 of Tupay deposits for the last 60 days
    Then the response status is 200
    And the Tupay list is an empty page 99

  Scenario Outline: Each deposit filter keeps only what it names
    When I read every page of Tupay deposits for the last 60 days
    And I read every page of Tupay deposits for the last 60 days with "<filter>"
    Then the Tupay deposits read with "<filter>" are those of the full read whose "<field>" is "<value>"

    Examples:
      | filter               | field             | value     |
      | country=PE           | country           | PE        |
      | paymentMethod=XAQR   | paymentMethodCode | XAQR      |
      | paymentMethod=XA     | paymentMethodCode | XA        |
      | status=COMPLETED     | status            | COMPLETED |
      | status=DECLINED      | status            | DECLINED  |

  Scenario Outline: Both spellings of the document filter keep one client's transactions
    When I read every page of Tupay <list> for the last 60 days
    And I read every page of Tupay <list> for the last 60 days by the "<parameter>" of the first listed client
    Then the Tupay <list> read by "<parameter>" are those of the full read of that client

    Examples:
      | list     | parameter       |
      | deposits | clienteDocument |
      | deposits | clientDocument  |
      | cashouts | clienteDocument |

  Scenario Outline: Each cashout filter keeps only what it names
    When I read every page of Tupay cashouts for the last 60 days
    And I read every page of Tupay cashouts for the last 60 days with "<filter>"
    Then the Tupay cashouts read with "<filter>" are those of the full read whose "<field>" is "<value>"

    Examples:
      | filter           | field   | value     |
      | country=PE       | country | PE        |
      | status=COMPLETED | status  | COMPLETED |

  @sim
  Scenario: A range of more than 60 days is refused
    When I list Tupay deposits for the last 61 days
    Then the response status is 400
    And the Tupay error is code 103
    When I list Tupay deposits for the last 60 days
    Then the response status is 200

  @sim
  Scenario: From after to is refused with D24's code 17
    When I list Tupay deposits with from after to
    Then the response status is 400
    And the Tupay error is code 17
    And the Tupay error description is "Date from must be before date to"

  @sim
  Scenario Outline: Unknown filter values are refused in the envelope
    When I list Tupay <list> for the last 7 days with "<filter>"
    Then the response status is 400
    And the Tupay error is code <code>

    Examples:
      | list     | filter            | code |
      | deposits | country=XX        | 19   |
      | deposits | status=DELIVERED  | 104  |
      | cashouts | status=APPROVED   | 104  |
      | deposits | paymentMethod=ZZ  | 104  |
      | deposits | page=first        | 102  |
