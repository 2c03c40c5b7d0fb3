//! The OpenAPI documents as `payoutsim serve` serves them on the admin port:
//! `GET /__admin/openapi.json` and `GET /__admin/providers/{p}/openapi.json` for every provider,
//! each JSON of OpenAPI 3.1 that `payoutsim-openapi` loads, behind `--admin-token` like every
//! admin GET; an unknown provider is the admin 404.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

use payoutsim::{App, ServeConfig};
use payoutsim_core::testkit::{Resp, request, send};
use payoutsim_openapi::Document;

const PROVIDERS: [&str; 5] = ["onspot", "onepay", "kashpay", "tupay", "dots"];

async fn get(app: &App, path: &str, headers: &[(&str, &str)]) -> Resp {
    send(&app.admin_router(), request("GET", path, headers, None)).await
}

/// Asserts `resp` is a 200 JSON OpenAPI 3.1 document that loads; answers it loaded.
fn served_document(path: &str, resp: &Resp) -> Document {
    assert_eq!(resp.status, 200, "{path}: {}", resp.json);
    let content_type = resp.headers.get("content-type").unwrap().to_str().unwrap();
    assert_eq!(content_type, "application/json", "{path}");
    let version = resp.json["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1."), "{path}: openapi {version:?}");
    let document = Document::from_json(resp.json.clone()).unwrap();
    assert!(
        document.schema_problems().is_empty(),
        "{path}: {:?}",
        document.schema_problems()
    );
    document
}

#[tokio::test]
async fn the_admin_document_is_served_as_openapi_3_1_json_and_describes_itself() {
    let app = App::new(&ServeConfig::for_tests());
    let resp = get(&app, "/__admin/openapi.json", &[]).await;

    let document = served_document("/__admin/openapi.json", &resp);

    assert!(document.operation("GET", "/__admin/openapi.json").is_some());
    assert!(
        document
            .operation("GET", "/__admin/providers/dots/openapi.json")
            .is_some()
    );
    assert!(
        document
            .operation("POST", "/__admin/clock/advance")
            .is_some()
    );
    let ok = document.check_response(
        "GET",
        "/__admin/openapi.json",
        200,
        Some("application/json"),
        &resp.bytes,
    );
    assert!(ok.is_empty(), "{ok:?}");
}

#[tokio::test]
async fn every_provider_serves_its_document_with_its_listener_as_server() {
    let app = App::new(&ServeConfig::for_tests());
    for (port, name) in (4701..).zip(PROVIDERS) {
        let path = format!("/__admin/providers/{name}/openapi.json");
        let resp = get(&app, &path, &[]).await;

        let document = served_document(&path, &resp);

        assert!(document.operations().count() >= 4, "{name}: {document:?}");
        let server = resp.json["servers"][0]["url"].as_str().unwrap();
        assert!(
            server.starts_with(&format!("http://127.0.0.1:{port}")),
            "{name}: {server}"
        );
    }
}

#[tokio::test]
async fn an_unknown_provider_has_no_document_and_gets_the_admin_404() {
    let app = App::new(&ServeConfig::for_tests());
    let resp = get(&app, "/__admin/providers/acme/openapi.json", &[]).await;

    assert_eq!(resp.status, 404);
    assert_eq!(resp.keys(), ["error"]);
    assert!(
        resp.json["error"]
            .as_str()
            .unwrap()
            .contains("/__admin/providers/acme/openapi.json")
    );
}

#[tokio::test]
async fn the_documents_need_the_admin_token_when_one_is_set() {
    let mut config = ServeConfig::for_tests();
    config.admin_token = Some("s3cret".into());
    let app = App::new(&config);
    for path in [
        "/__admin/openapi.json",
        "/__admin/providers/onepay/openapi.json",
    ] {
        let refused = get(&app, path, &[]).await;
        let wrong = get(&app, path, &[("authorization", "Bearer nope")]).await;
        let allowed = get(&app, path, &[("authorization", "Bearer s3cret")]).await;

        assert_eq!(refused.status, 401, "{path}: {}", refused.json);
        assert_eq!(refused.keys(), ["error"]);
        assert_eq!(wrong.status, 401, "{path}");
        served_document(path, &allowed);
    }
}
