@sim
Feature: Tupay under injected faults
  Fault rules match Tupay's requests by tenant (the session's, or the login body's accessKey) and
  answer in Tupay's own words: an outage is a 503 in {code, description}, an injected token
  expiry is exactly a real one, so a client that logs in again on 401 and asks for the same page
  reads the whole range; a page cut short on the wire is read again.

  Background:
    Given a Tupay API user
    And I am logged in to Tupay

  Scenario: An outage answers 503 in Tupay's envelope, then Tupay is back
    Given a fault rule for Tupay:
      """
      {"match": {"provider": "tupay", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "times": 2}
      """
    When I list Tupay deposits for the last 7 days
    Then the response status is 503
    And the Tupay error is code 503
    When I read the Tupay balance
    Then the response status is 503
    When I list Tupay deposits for the last 7 days
    Then the response status is 200

  Scenario: A session that expires mid-pagination is renewed and the read goes on
    When I read every page of Tupay deposits for the last 60 days
    And I note the Tupay reconciliation
    Given a fault rule for Tupay:
      """
      {"match": {"provider": "tupay", "path": "/v1/deposits", "tenant": "{tenant}"},
       "fault": {"kind": "token_expired"}, "after": 2, "times": 1}
      """
    When I read every page of Tupay deposits for the last 60 days, logging in again when the session expires
    Then Tupay answered 1 page with an expired session
    And the Tupay reconciliation reads exactly as noted

  Scenario: An injected token expiry answers exactly as an expired session
    Given a fault rule for Tupay:
      """
      {"match": {"provider": "tupay", "path": "/v1/balance", "tenant": "{tenant}"},
       "fault": {"kind": "token_expired"}, "times": 1}
      """
    When I read the Tupay balance
    Then the response status is 401
    And the Tupay error is code 22
    And the Tupay error description is "The session has expired: log in again"

  Scenario: A page cut short on the wire is read whole on the next try
    Given a fault rule for Tupay:
      """
      {"match": {"provider": "tupay", "path": "/v1/cashout", "tenant": "{tenant}"},
       "fault": {"kind": "truncate", "stage": "after"}, "times": 1}
      """
    When I try to list Tupay cashouts for the last 30 days
    Then the response body is cut short
    When I list Tupay cashouts for the last 30 days
    Then the response status is 200
    And the response field "maxRows" is 50

  Scenario: A login matched by its body's accessKey is refused as the provider refuses it
    Given a fault rule for Tupay:
      """
      {"match": {"provider": "tupay", "path": "/v1/auth/login", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 403}, "times": 1}
      """
    When I log in to Tupay
    Then the response status is 403
    And the Tupay error is code 403
