@sim @client
Feature: Tupay client resilience: reconciling through failures
  Tupay's API is read-only reconciliation (login and a BEARER_TOKEN session, lists of 50 rows a
  page, at most 60 days a request, a daily balance report), so its client lists: every cashout
  of a range, walking the windows and pages itself, and the balance report. A read is safe to
  send again, so what it must survive is a session that expires, a 429 and a 503 window.
  No @lost-answer or @timeout-reconcile scenarios: Tupay takes no payouts, so no create can be
  lost or repeated. No webhook scenarios: Tupay sends none.

  Background:
    Given the client is configured for a fresh Tupay tenant

  @needs:cashout.list
  Scenario: Every cashout of a 90-day range is listed once, across windows and pages
    When the client lists the Tupay cashouts of the last 90 days
    Then the client's list holds every cashout Tupay holds for those days, once

  @session-expiry @needs:cashout.list
  Scenario: The sliding session expires between two lists and the client logs in again once
    When the client lists the Tupay cashouts of the last 10 days
    And 15 minutes of simulated time pass
    And the client lists the Tupay cashouts of the last 10 days
    Then the client's list holds every cashout Tupay holds for those days, once
    And the client sent 2 POST "/v1/auth/login"

  @retry-after @needs:cashout.list
  Scenario: A 429 with Retry-After is waited out and the list completes
    Given a fault rule for Tupay:
      """
      {"match": {"method": "GET", "path": "/v1/cashout", "tenant": "{tenant}"},
       "fault": {"kind": "rate_limit", "retry_after_s": 30}, "times": 1}
      """
    When the client lists the Tupay cashouts of the last 90 days
    Then the client waited at least 30 seconds before retrying GET "/v1/cashout"
    And the client's list holds every cashout Tupay holds for those days, once

  @outage @needs:balance.report
  Scenario: A 503 outage is backed off and the balance report completes, adding up day by day
    Given a fault rule for Tupay:
      """
      {"match": {"method": "GET", "path": "/v1/balance/report", "tenant": "{tenant}"},
       "fault": {"kind": "status", "status": 503}, "window": {"from_s": 0, "for_s": 3}}
      """
    When the client reads the Tupay balance report of the last 75 days
    Then the client's report adds up day by day: each balance is the last one plus the day's net
