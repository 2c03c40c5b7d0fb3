//! The dashboard through the admin router, without a browser: the page and every asset it loads
//! are served with their content types, and behind `--admin-token` the page is served but no
//! data is. (`crates/payoutsim/tests/dashboard/` drives the page in Chromium.)
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::admin::{self, AdminOptions};
use payoutsim_core::testkit::{self, Resp, Sim, request};
use support::{ToySpec, order};

const TOKEN: &str = "t0k";

/// `GET path` on `sim`'s admin router, with `Authorization: Bearer <token>` when given one.
async fn get(sim: &Sim<ToySpec>, path: &str, token: Option<&str>) -> Resp {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|b| ("authorization", b.as_str()))
        .collect();
    testkit::send(&sim.admin, request("GET", path, &headers, None)).await
}

/// The toy with its admin API behind [`TOKEN`].
fn guarded() -> Sim<ToySpec> {
    let mut sim = Sim::new(1, ());
    let options = AdminOptions {
        token: Some(TOKEN.into()),
        ..AdminOptions::default()
    };
    sim.admin = admin::router(sim.engine.clone(), options);
    sim
}

fn content_type(resp: &Resp) -> &str {
    resp.headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn text(resp: &Resp) -> &str {
    std::str::from_utf8(&resp.bytes).unwrap()
}

/// The paths under `/__admin/dashboard/` that `source` names in `src="…"`, `href="…"` or, for a
/// module, `from "./…"`.
fn referenced_assets(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for opening in [
        "src=\"/__admin/dashboard/",
        "href=\"/__admin/dashboard/",
        "from \"./",
    ] {
        let mut rest = source;
        while let Some(at) = rest.find(opening) {
            rest = &rest[at + opening.len()..];
            let end = rest.find('"').unwrap();
            found.push(format!("/__admin/dashboard/{}", &rest[..end]));
        }
    }
    found
}

#[tokio::test]
async fn the_page_is_served_as_html_at_the_admin_root_and_at_its_own_path() {
    let sim = Sim::<ToySpec>::new(1, ());

    for path in ["/", "/__admin/dashboard"] {
        let page = get(&sim, path, None).await;

        assert_eq!(page.status, 200, "{path}");
        assert_eq!(content_type(&page), "text/html; charset=utf-8", "{path}");
        assert!(text(&page).starts_with("<!doctype html>"), "{path}");
        assert!(text(&page).contains("id=\"clock-now\""), "{path}");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("connect-src 'self'"), "{csp}");
    }
}

#[tokio::test]
async fn every_asset_the_page_and_its_scripts_load_is_served_with_its_content_type() {
    let sim = Sim::<ToySpec>::new(1, ());
    let page = get(&sim, "/", None).await;
    let mut pending = referenced_assets(text(&page));
    let mut seen = Vec::new();

    while let Some(path) = pending.pop() {
        if seen.contains(&path) {
            continue;
        }
        let asset = get(&sim, &path, None).await;

        assert_eq!(asset.status, 200, "{path}");
        let wanted = if path.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else if path.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            panic!("an asset of an unexpected type: {path}")
        };
        assert_eq!(content_type(&asset), wanted, "{path}");
        assert_eq!(asset.headers["x-content-type-options"], "nosniff", "{path}");
        assert!(!asset.bytes.is_empty(), "{path}");
        if path.ends_with(".js") {
            pending.extend(referenced_assets(text(&asset)));
        }
        seen.push(path);
    }

    seen.sort();
    assert_eq!(
        seen,
        [
            "/__admin/dashboard/app.js",
            "/__admin/dashboard/dom.js",
            "/__admin/dashboard/style.css",
            "/__admin/dashboard/views.js",
        ]
    );
}

#[tokio::test]
async fn an_unknown_asset_is_a_404_in_the_admin_error_shape() {
    let sim = Sim::<ToySpec>::new(1, ());

    let missing = get(&sim, "/__admin/dashboard/nope.js", None).await;

    assert_eq!(missing.status, 404);
    assert!(missing.json["error"].as_str().unwrap().contains("nope.js"));
}

#[tokio::test]
async fn behind_a_token_the_page_and_its_assets_are_served_without_it() {
    let sim = guarded();

    for path in [
        "/",
        "/__admin/dashboard",
        "/__admin/dashboard/app.js",
        "/__admin/dashboard/style.css",
    ] {
        assert_eq!(get(&sim, path, None).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn behind_a_token_every_call_the_page_makes_for_data_is_refused_without_it() {
    let sim = guarded();
    order(&sim, "a").await;
    let data = [
        "/__admin/health",
        "/__admin/tenants",
        "/__admin/providers/toy/objects?tenant=toy:a",
        "/__admin/transitions?provider=toy",
        "/__admin/timeline?provider=toy",
        "/__admin/requests?provider=toy&limit=100",
        "/__admin/webhooks?provider=toy",
        "/__admin/webhooks/deliveries?provider=toy",
    ];

    for path in data {
        let refused = get(&sim, path, None).await;
        let wrong = get(&sim, path, Some("not-it")).await;
        let allowed = get(&sim, path, Some(TOKEN)).await;

        assert_eq!(refused.status, 401, "{path}");
        assert!(
            refused.json["error"].as_str().unwrap().contains("token"),
            "{path}"
        );
        assert_eq!(wrong.status, 401, "{path}");
        assert_eq!(allowed.status, 200, "{path}");
    }
    let json = [("content-type", "application/json")];
    let advance = request(
        "POST",
        "/__admin/clock/advance",
        &json,
        Some(br#"{"seconds":60}"#),
    );
    assert_eq!(testkit::send(&sim.admin, advance).await.status, 401);
}
