//! Flows: `POST /v2/flows` (200), `GET /v2/flows/{id}`, `GET /v2/flows` (cursor pages, newest
//! first): steps as names or `{name, …options}`, an optional user, and the page's link on the
//! environment's host.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::*;

async fn flow(sim: &Sim, keys: &Keys, steps: serde_json::Value) -> String {
    let r = sim.post(keys, "/v2/flows", json!({ "steps": steps })).await;
    r.ok(200);
    r.id()
}

#[tokio::test]
async fn creating_a_flow_answers_200_with_its_steps_and_a_sandbox_link() {
    let sim = sim(1);

    let body = json!({"steps": ["compliance", "payout"], "metadata": {"batch": "july"}});
    let r = sim.post(&sandbox(), "/v2/flows", body).await;

    let flow = r.ok(200);
    let id = flow["id"].as_str().unwrap();
    assert!(is_uuid(id), "{flow}");
    let expected = json!({
        "id": id,
        "created": flow["created"],
        "user_id": null,
        "steps": ["compliance", "payout"],
        "completed_steps": [],
        "link": format!("https://my-sandbox.dots.dev/flow/{id}"),
        "metadata": {"batch": "july"},
        "payout_link_id": null,
    });
    assert_eq!(flow, &expected);
    let created = chrono::DateTime::parse_from_rfc3339(flow["created"].as_str().unwrap());
    assert_eq!(
        created.unwrap().timestamp(),
        sim.engine.clock().now().timestamp()
    );
}

#[tokio::test]
async fn a_production_flow_links_to_my_dots_dev() {
    let sim = sim(1);

    let r = sim
        .post(
            &production(),
            "/v2/flows",
            json!({"steps": ["manage-payouts"]}),
        )
        .await;

    let id = r.id();
    assert_eq!(r.ok(200)["link"], format!("https://my.dots.dev/flow/{id}"));
}

#[tokio::test]
async fn steps_may_be_objects_with_a_name_and_options_and_every_documented_one_is_accepted() {
    let sim = sim(1);
    let steps = json!([
        {"name": "payout", "auto_payout_enabled": false},
        {"name": "redirect", "redirect_url": "https://example.com/done"},
        {"name": "pdf-form-fill", "template_id": "tpl_1", "hide_continue_button": true},
        "background-check",
    ]);
    // The request enum's order in the OpenAPI document.
    let all = json!([
        "compliance",
        "id-verification",
        "manage-payouts",
        "manage-payments",
        "payout",
        "background-check",
        "redirect",
        "pdf-form-fill",
    ]);

    let objects = sim
        .post(&sandbox(), "/v2/flows", json!({ "steps": steps }))
        .await;
    let every = sim
        .post(&sandbox(), "/v2/flows", json!({ "steps": all }))
        .await;

    let names = json!(["payout", "redirect", "pdf-form-fill", "background-check"]);
    assert_eq!(objects.ok(200)["steps"], names);
    assert_eq!(every.ok(200)["steps"], all);
}

#[tokio::test]
async fn steps_are_required_and_a_flow_has_at_least_one() {
    let sim = sim(1);
    let keys = sandbox();

    let missing = sim.post(&keys, "/v2/flows", json!({})).await;
    let empty = sim.post(&keys, "/v2/flows", json!({"steps": []})).await;
    let not_a_list = sim
        .post(&keys, "/v2/flows", json!({"steps": "payout"}))
        .await;

    missing.assert_envelope(400, "invalid-input");
    assert_eq!(missing.message(), "steps: is required");
    empty.assert_envelope(400, "invalid-input");
    assert_eq!(empty.message(), "steps: must have 1 to 8 items");
    not_a_list.assert_envelope(400, "invalid-input");
    assert_eq!(not_a_list.message(), "steps: must be an array");
}

#[tokio::test]
async fn an_unknown_or_repeated_step_is_400() {
    let sim = sim(1);
    let keys = sandbox();

    let unknown = sim
        .post(&keys, "/v2/flows", json!({"steps": ["payout", "kyc"]}))
        .await;
    let nameless = sim
        .post(
            &keys,
            "/v2/flows",
            json!({"steps": [{"redirect_url": "https://a.co"}]}),
        )
        .await;
    let repeated = sim
        .post(
            &keys,
            "/v2/flows",
            json!({"steps": ["payout", {"name": "payout"}]}),
        )
        .await;

    unknown.assert_envelope(400, "invalid-input");
    assert!(
        unknown
            .message()
            .starts_with("steps[1]: items must be one of compliance"),
        "{}",
        unknown.json
    );
    nameless.assert_envelope(400, "invalid-input");
    assert!(
        nameless.message().starts_with("steps[0]: "),
        "{}",
        nameless.json
    );
    repeated.assert_envelope(400, "invalid-input");
    assert_eq!(repeated.message(), "steps: must not repeat a step");
}

#[tokio::test]
async fn a_redirect_url_must_be_an_http_url() {
    let sim = sim(1);

    for url in [json!("ftp://example.com"), json!("example.com"), json!(7)] {
        let steps = json!([{"name": "redirect", "redirect_url": url}]);
        let r = sim
            .post(&sandbox(), "/v2/flows", json!({ "steps": steps }))
            .await;

        r.assert_envelope(400, "invalid-input");
        assert_eq!(
            r.message(),
            "steps[0].redirect_url: must be an http(s) URL",
            "{url}"
        );
    }
}

#[tokio::test]
async fn a_flow_for_a_user_names_them_and_the_user_must_exist_in_the_app() {
    let sim = sim(1);
    let keys = sandbox();
    let user = sim.user(&keys, 1).await;
    let foreign = sim.user(&Keys::sandbox("beta"), 1).await;

    let body = |u: &str| json!({"steps": ["compliance"], "user_id": u, "require_auth": true});
    let own = sim.post(&keys, "/v2/flows", body(&user)).await;
    let other = sim.post(&keys, "/v2/flows", body(&foreign)).await;
    let malformed = sim.post(&keys, "/v2/flows", body("user-1")).await;

    assert_eq!(own.ok(200)["user_id"], user.as_str());
    other.assert_envelope(404, "not-found");
    assert_eq!(other.message(), format!("User not found: {foreign}"));
    malformed.assert_envelope(400, "invalid-input");
    assert_eq!(malformed.message(), "user_id: must be a UUID");
}

#[tokio::test]
async fn the_flow_options_must_have_their_types() {
    let sim = sim(1);
    let cases = [
        (
            "require_auth",
            json!("true"),
            "require_auth: must be a boolean",
        ),
        (
            "hide_go_to_dashboard_on_complete",
            json!(1),
            "hide_go_to_dashboard_on_complete: must be a boolean",
        ),
        (
            "metadata",
            json!(3.5),
            "metadata: must be a string or an object",
        ),
    ];

    for (field, value, message) in cases {
        let body = with(json!({"steps": ["payout"]}), field, value);
        let r = sim.post(&sandbox(), "/v2/flows", body).await;

        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), message);
    }
}

#[tokio::test]
async fn getting_a_flow_answers_it_and_an_unknown_or_foreign_one_is_404() {
    let sim = sim(1);
    let keys = sandbox();
    let created = sim
        .post(&keys, "/v2/flows", json!({"steps": ["payout"]}))
        .await;
    let id = created.id();
    sim.advance(3600.0).await;

    let shown = sim.get(&keys, &format!("/v2/flows/{id}")).await;
    let foreign = sim
        .get(&Keys::sandbox("beta"), &format!("/v2/flows/{id}"))
        .await;

    assert_eq!(
        shown.ok(200),
        &created.json,
        "nothing happens to a flow by itself"
    );
    foreign.assert_envelope(404, "not-found");
    assert_eq!(foreign.message(), format!("Flow not found: {id}"));
}

#[tokio::test]
async fn listing_flows_is_newest_first_in_pages() {
    let sim = sim(1);
    let keys = sandbox();
    let mut ids = Vec::new();
    for step in ["compliance", "payout", "redirect"] {
        ids.push(flow(&sim, &keys, json!([step])).await);
    }
    ids.reverse();

    let all = sim.get(&keys, "/v2/flows").await;
    let pages = sim.walk(&keys, "/v2/flows", 2).await;

    assert_eq!(all.ok(200)["has_more"], false);
    assert_eq!(all.ids(), ids);
    assert_eq!(all.json["data"][2]["steps"], json!(["compliance"]));
    assert_eq!(
        pages,
        [(ids[..2].to_vec(), true), (ids[2..].to_vec(), false)]
    );
}

#[tokio::test]
async fn the_guides_trailing_slash_creates_and_lists_flows_too() {
    let sim = sim(1);

    let r = sim
        .post(&sandbox(), "/v2/flows/", json!({"steps": ["payout"]}))
        .await;

    let created = r.ok(200)["id"].as_str().unwrap().to_string();
    let listed = sim.get(&sandbox(), "/v2/flows/").await;
    assert_eq!(listed.ok(200)["data"][0]["id"], created.as_str());
}
