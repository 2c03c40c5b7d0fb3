//! Memory in proportion to input: the default bounds hold RSS down whatever a client sends.
//!
//! One test in its own binary, so no other test's allocations blur what `/proc/self/statm`
//! reads. It fills the inboxes (2 MiB messages whose parsed JSON would be far larger than their
//! bytes) and the journal (256 KiB of headers per request) well past their bounds with the
//! default configuration, reads them back page by page, and measures the growth in RSS.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::testkit::{self, Sim, manual_config, request};
use payoutsim_core::{Engine, page};
use support::ToySpec;

/// Resident set size in bytes, from `/proc/self/statm` (Linux); `None` elsewhere.
fn rss() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// A JSON body of about `len` bytes whose parsed form costs the most per byte: `[[],[],…]`.
fn dense_json(len: usize) -> Vec<u8> {
    let mut body = b"[[]".to_vec();
    while body.len() + 4 < len {
        body.extend_from_slice(b",[]");
    }
    body.push(b']');
    body
}

#[tokio::test]
async fn inbox_and_journal_keep_memory_in_proportion_to_their_bounds_not_their_input() {
    let Some(before) = rss() else {
        eprintln!("no /proc/self/statm: nothing to measure on this system");
        return;
    };
    let sim = Sim::<ToySpec>::with_engine(Engine::new(manual_config(1)), ());
    let json = [("content-type", "application/json")];

    // 60 messages of 2 MiB less a little (the admin body limit): 120 MiB sent, 32 MiB kept.
    let body = dense_json(2_000_000);
    for _ in 0..60 {
        let req = request("POST", "/__admin/inbox/big", &json, Some(&body));
        assert_eq!(testkit::send(&sim.admin, req).await.status, 200);
    }
    let mut after = 0;
    let mut read = 0;
    loop {
        let path = format!("/__admin/inbox/big?after={after}");
        let page = testkit::send(&sim.admin, request("GET", &path, &[], None)).await;
        assert_eq!(page.status, 200);
        let messages = page.json["messages"].as_array().unwrap().len();
        assert!(messages >= 1);
        read += messages;
        match page.json["next_after"].as_u64() {
            Some(next) => after = next,
            None => break,
        }
    }
    assert!((10..=16).contains(&read), "{read} messages kept of 60");

    // 1,500 requests with 256 KiB of headers each: 375 MiB sent.
    let huge = "h".repeat(256 * 1024);
    for i in 0..1500 {
        let path = format!("/orders/{i}");
        let req = request("GET", &path, &[("x-tenant", "a"), ("x-huge", &huge)], None);
        sim.send(req).await;
    }
    let (entries, bytes) = sim.engine.journal().usage();
    assert_eq!(entries, 1000, "the entry cap still holds");
    assert!(bytes <= 32 << 20, "{bytes} bytes in the journal");
    let journal = sim.admin("GET", "/__admin/requests", None).await;
    let page = journal.json["requests"].as_array().unwrap();
    assert_eq!(page.len(), page::DEFAULT_LIMIT);
    assert_eq!(page[0]["truncated"], true);

    let grown = rss().unwrap().saturating_sub(before);
    eprintln!("RSS grew by {} MiB", grown >> 20);
    assert!(
        grown < 160 << 20,
        "RSS grew by {} MiB, past what the bounds allow",
        grown >> 20
    );
}
