Feature: Dots authentication
  Every request carries `Authorization: Basic base64(client_id:api_key)`. A `pk_dev_` client id
  with an `sk_dev_` key is a sandbox app's pair; a `pk_<env>_` id with an `sk_<env>_` key of any
  other environment a production app's. Missing, malformed or wrong credentials, the
  client-side form `base64(client_id:)` and a mixed pair are 401 `unauthorized` in Dots'
  envelope `{"success": false, "message", "error_code"}`. An organisation acts for one of its
  apps with `Api-App-Id`; an id it has no app of is 403.

  Background:
    Given a Dots sandbox key pair

  Scenario: The key pair reads its app's users
    When I send Dots a GET to "/api/v2/users"
    Then the response status is 200
    And the response has the fields "data, has_more"

  Scenario: A request without credentials is refused with 401
    When I send Dots a GET to "/api/v2/users" without credentials
    Then the Dots error is 401 "unauthorized"

  Scenario: A Bearer token is refused: Dots takes Basic credentials only
    When I send Dots a GET to "/api/v2/users" with the Authorization header "Bearer {client_id}"
    Then the Dots error is 401 "unauthorized"

  Scenario: Basic credentials that are not base64 are refused
    When I send Dots a GET to "/api/v2/users" with the Authorization header "Basic ***"
    Then the Dots error is 401 "unauthorized"

  Scenario: Another API key for the client id is refused once the app exists
    When I send Dots a GET to "/api/v2/users"
    Then the response status is 200
    When I send Dots a GET to "/api/v2/users" as "{client_id}:sk_dev_notthekeyofthisclient00000000"
    Then the Dots error is 401 "unauthorized"

  Scenario: The client-side form, the client id alone, is refused
    When I send Dots a GET to "/api/v2/users" as "{client_id}:"
    Then the Dots error is 401 "unauthorized"

  Scenario: A sandbox client id with a production key is refused
    When I send Dots a GET to "/api/v2/users" as "{client_id}:sk_prod_abcdefghijklmnopqrstuvwxyz012"
    Then the Dots error is 401 "unauthorized"

  Scenario: An Api-App-Id the organisation has no app of is refused with 403
    When I send Dots a GET to "/api/v2/users" with the Api-App-Id "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    Then the Dots error is 403 "unauthorized"
    And the Dots error message mentions "3c90c3cc-0d44-4b50-8888-8dd25736052a"

  @sim
  Scenario: An app the organisation makes has its own users and its own $100
    Given a Dots user "ana"
    And a Dots app "shop"
    When I act for the Dots app "shop"
    And I send Dots a GET to "/api/v2/users"
    Then the Dots page holds 0 users, and has_more is false
    And the Dots app wallet holds 10000 cents
    When I create a Dots user "bob"
    And I act for the Dots key pair's own app
    And I send Dots a GET to "/api/v2/users"
    Then the Dots page lists the users "ana", and has_more is false

  @sim
  Scenario: An app made by another organisation is not this one's
    Given a Dots app "shop"
    And a Dots sandbox key pair "other"
    When I send Dots a GET to "/api/v2/apps/{app:shop}"
    Then the Dots error is 404 "not-found"
    When I send Dots a GET to "/api/v2/users" with the Api-App-Id "{app:shop}"
    Then the Dots error is 403 "unauthorized"
