//! Every refusal in `{"success": false, "message", "error_code"}` as JSON, never plain text:
//! malformed JSON and JSON that is not an object (400), another content type (415), a body past
//! the limit (413), unknown paths (404) and methods (405); and how fields are read (the first
//! failing one answers, undeclared ones are ignored, `null` is absent).

#![allow(clippy::unwrap_used)]

mod support;

use payoutsim_core::testkit::request;
use payoutsim_dots::DotsConfig;
use serde_json::json;
use support::*;

/// `POST /api/v2/users` as `sandbox()` with `body` and exactly `content_type` (none: no header).
async fn post_typed(sim: &Sim, content_type: Option<&str>, body: &[u8]) -> Resp {
    let auth = sandbox().authorization();
    let mut headers = vec![("authorization", auth.as_str())];
    headers.extend(content_type.map(|t| ("content-type", t)));
    sim.send(request("POST", "/api/v2/users", &headers, Some(body)))
        .await
}

/// A create-user body padded (in `metadata`) to exactly `size` bytes, and its padding's length.
fn body_of_size(size: usize) -> (Vec<u8>, usize) {
    let bare = with(user_body(1), "metadata", json!("")).to_string();
    let pad = size - bare.len();
    let padded = with(user_body(1), "metadata", json!("x".repeat(pad)));
    let bytes = padded.to_string().into_bytes();
    assert_eq!(bytes.len(), size);
    (bytes, pad)
}

#[tokio::test]
async fn malformed_json_is_400_invalid_input() {
    let sim = sim(1);

    for body in [
        &b"{\"first_name\":"[..],
        b"{first_name: 'Bob'}",
        b"\xff\xfe",
        b"{} {}",
    ] {
        let r = post_typed(&sim, Some("application/json"), body).await;

        r.assert_envelope(400, "invalid-input");
        assert_eq!(
            r.message(),
            "The request body is not valid JSON.",
            "{body:?}"
        );
    }
}

#[tokio::test]
async fn json_that_is_not_an_object_is_400_invalid_input() {
    let sim = sim(1);

    for body in [
        "[]",
        "[{\"first_name\":\"Bob\"}]",
        "\"Bob\"",
        "42",
        "null",
        "true",
    ] {
        let r = post_typed(&sim, Some("application/json"), body.as_bytes()).await;

        r.assert_envelope(400, "invalid-input");
        assert_eq!(
            r.message(),
            "The request body must be a JSON object.",
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_body_of_another_content_type_or_none_is_415() {
    let sim = sim(1);
    let body = user_body(1).to_string();

    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let r = post_typed(&sim, content_type, body.as_bytes()).await;

        r.assert_envelope(415, "invalid-input");
        assert_eq!(
            r.message(),
            "The request body must be sent as application/json."
        );
    }
    assert_eq!(
        sim.get(&sandbox(), "/v2/users").await.json["data"],
        json!([])
    );
}

#[tokio::test]
async fn json_content_types_with_parameters_a_json_suffix_or_capitals_are_accepted() {
    let sim = sim(1);
    let types = [
        "application/json; charset=utf-8",
        "application/vnd.api+json",
        "Application/JSON",
    ];

    for (n, content_type) in (1..).zip(types) {
        let body = user_body(n).to_string();
        let r = post_typed(&sim, Some(content_type), body.as_bytes()).await;

        assert_eq!(r.ok(201)["first_name"], format!("Bob{n}"), "{content_type}");
    }
}

#[tokio::test]
async fn a_blank_body_reads_as_an_empty_object_whatever_its_type() {
    let sim = sim(1);

    let json_blank = post_typed(&sim, Some("application/json"), b"  \n").await;
    let text_empty = post_typed(&sim, Some("text/plain"), b"").await;

    for r in [json_blank, text_empty] {
        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), "first_name: is required");
    }
}

#[tokio::test]
async fn a_body_of_exactly_1_mib_is_read_and_one_byte_more_is_413() {
    let sim = sim(1);
    let limit = payoutsim_dots::DEFAULT_MAX_BODY_BYTES;
    assert_eq!(limit, 1 << 20);

    let (exact, pad) = body_of_size(limit);
    let fits = post_typed(&sim, Some("application/json"), &exact).await;
    let over = post_typed(&sim, Some("application/json"), &body_of_size(limit + 1).0).await;

    assert_eq!(fits.ok(201)["metadata"].as_str().unwrap().len(), pad);
    over.assert_envelope(413, "invalid-input");
    assert!(over.message().contains("1048576 bytes"), "{}", over.json);
}

#[tokio::test]
async fn a_smaller_configured_body_limit_is_enforced_in_the_envelope() {
    let config = DotsConfig {
        max_body_bytes: 1_000,
        ..DotsConfig::default()
    };
    let sim = sim_with(1, config);

    let fits = post_typed(&sim, Some("application/json"), &body_of_size(1_000).0).await;
    let over = post_typed(&sim, Some("application/json"), &body_of_size(1_001).0).await;

    fits.ok(201);
    over.assert_envelope(413, "invalid-input");
    assert_eq!(
        over.message(),
        "The request body is too large (at most 1000 bytes)."
    );
}

#[tokio::test]
async fn an_unknown_path_is_404_not_found_with_or_without_credentials() {
    let sim = sim(1);
    let paths = [
        "/api/v2/nope",
        "/v2/users",
        "/api/v1/users",
        "/api/v2/users/a/b",
        "/api/v2/payouts/x",
        "/",
    ];

    for path in paths {
        for keys in [Some(sandbox()), None] {
            let r = sim.call_as(keys.as_ref(), "GET", path, &[], None).await;

            r.assert_envelope(404, "not-found");
            assert_eq!(r.message(), "Not found", "{path}");
        }
    }
}

#[tokio::test]
async fn a_method_a_path_does_not_take_is_405_in_the_envelope() {
    let sim = sim(1);
    let user = sim.user(&sandbox(), 1).await;
    let cases = [
        ("PUT", "/api/v2/users".to_string()),
        ("POST", format!("/api/v2/users/{user}")),
        ("GET", format!("/api/v2/users/{user}/verify")),
        ("DELETE", "/api/v2/flows".to_string()),
        ("PATCH", "/api/v2/apps".to_string()),
        ("GET", "/api/v2/payouts".to_string()),
    ];

    for (method, path) in cases {
        for keys in [Some(sandbox()), None] {
            let r = sim.call_as(keys.as_ref(), method, &path, &[], None).await;

            r.assert_envelope(405, "invalid-input");
            assert_eq!(r.message(), "Method not allowed", "{method} {path}");
        }
    }
}

#[tokio::test]
async fn every_refusal_is_the_json_envelope_never_plain_text() {
    let sim = sim(1);
    let keys = sandbox();
    let (big, _) = body_of_size((1 << 20) + 10);
    let answers = [
        (400, post_typed(&sim, Some("application/json"), b"{").await),
        (400, sim.get(&keys, "/v2/users?limit=0").await),
        (
            401,
            sim.call_as(None, "GET", "/api/v2/users", &[], None).await,
        ),
        (403, sim.get(&keys.for_app("nope"), "/v2/users").await),
        (404, sim.get(&keys, "/v2/users/nope").await),
        (404, sim.get(&keys, "/v3/users").await),
        (
            405,
            sim.call_as(Some(&keys), "PUT", "/api/v2/flows", &[], None)
                .await,
        ),
        (413, post_typed(&sim, Some("application/json"), &big).await),
        (
            415,
            post_typed(&sim, Some("text/plain"), b"first_name=Bob").await,
        ),
    ];

    for (status, r) in answers {
        assert_eq!(r.status, status, "{}", r.json);
        let code = r.json["error_code"].as_str().unwrap().to_string();
        r.assert_envelope(status, &code);
        assert!(["invalid-input", "unauthorized", "not-found"].contains(&code.as_str()));
    }
}

#[tokio::test]
async fn the_first_failing_field_in_the_documents_order_answers() {
    let sim = sim(1);

    let bad_email_and_phone = json!({
        "first_name": "Bob", "last_name": "Loblaw", "email": "nope",
        "country_code": "1", "phone_number": "12a",
    });
    let r = sim.create_user(&sandbox(), bad_email_and_phone).await;
    let missing_name = with(
        with(user_body(1), "email", json!("nope")),
        "first_name",
        json!(null),
    );
    let first = sim.create_user(&sandbox(), missing_name).await;

    r.assert_envelope(400, "invalid-email");
    first.assert_envelope(400, "invalid-input");
    assert_eq!(first.message(), "first_name: is required");
}

#[tokio::test]
async fn fields_the_document_does_not_declare_are_ignored_and_null_is_absent() {
    let sim = sim(1);
    let lenient = with(
        with(user_body(1), "nickname", json!("B")),
        "username",
        json!(null),
    );
    let mut body = lenient;
    body["metadata"] = json!(null);

    let r = sim.create_user(&sandbox(), body).await;

    let user = r.ok(201);
    assert!(
        user.get("nickname").is_none() && user.get("username").is_none(),
        "{user}"
    );
    assert_eq!(user["metadata"], json!(null));
}
