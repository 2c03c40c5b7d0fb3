//! What a shutdown says about the webhook messages it leaves unsent.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use payoutsim::ServeConfig;
use payoutsim_core::webhooks::WebhookTarget;

/// Log lines written by the code under test, as JSON.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<serde_json::Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn target(id: &str, url: &str) -> WebhookTarget {
    WebhookTarget {
        id: id.into(),
        provider: "onepay".into(),
        tenant: "onepay:t".into(),
        url: url.into(),
        events: vec![],
        secret: "s".into(),
        extra: BTreeMap::new(),
        created_at: String::new(),
    }
}

#[tokio::test]
async fn pending_deliveries_are_logged_at_shutdown_with_each_targets_count() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let running = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
    // Two receivers that accept and never answer.
    let hang_a = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_b = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let engine = &running.app.engine;
    engine
        .add_webhook_target(target(
            "wh_a",
            &format!("http://{}/", hang_a.local_addr().unwrap()),
        ))
        .unwrap();
    engine
        .add_webhook_target(target(
            "wh_b",
            &format!("http://{}/", hang_b.local_addr().unwrap()),
        ))
        .unwrap();
    let now = engine.now_for("onepay:t");
    for n in 0..3 {
        let body = Bytes::from(format!("{{\"n\":{n}}}"));
        engine.emit_webhook("onepay", "onepay:t", "cashout.processed", &body, now);
    }

    running.shutdown().await.unwrap();

    let lines = logs.lines();
    let said = |message: &str| -> Vec<&serde_json::Value> {
        (lines.iter())
            .filter(|l| l["fields"]["message"] == message)
            .map(|l| &l["fields"])
            .collect()
    };
    let total = said("webhook messages left unsent at shutdown (they are not kept)");
    assert_eq!(total.len(), 1, "{lines:?}");
    assert_eq!(total[0]["unsent"], 6, "{lines:?}");
    let mut per_target: Vec<(String, u64)> = said("unsent webhook messages of a target")
        .iter()
        .map(|f| {
            (
                f["target_id"].as_str().unwrap().to_string(),
                f["unsent"].as_u64().unwrap(),
            )
        })
        .collect();
    per_target.sort();
    assert_eq!(
        per_target,
        [("wh_a".to_string(), 3), ("wh_b".to_string(), 3)]
    );
}
