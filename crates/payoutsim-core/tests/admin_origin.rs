//! Issue 13, findings 5 and 10, through the admin router alone (no listener address, no
//! options): a page on a foreign origin cannot reset the simulator, and every admin error is
//! `{"error": …}` JSON, 405, 413 and a path of invalid UTF-8 included. `admin_surface.rs` tests
//! the same with the options and the listener the fix added; these run against the code before
//! it too (findings-tests.md).
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::testkit::Sim;
use support::{ToyExt, ToySpec, admin_raw, order};

#[tokio::test]
async fn a_page_on_a_foreign_origin_cannot_reset_the_simulator() {
    let sim = Sim::<ToySpec>::new(1, ());
    let id = order(&sim, "a").await;

    let evil = [("origin", "http://evil.example")];
    let r = admin_raw(&sim, "POST", "/__admin/reset", &evil, None).await;

    assert_eq!(r.status, 403, "{}", r.json);
    assert!(r.json["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(sim.kit.status("toy:a", &id).is_some(), "nothing was reset");
}
