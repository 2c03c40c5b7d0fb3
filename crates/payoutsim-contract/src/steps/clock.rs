//! Simulated time (`@sim`): `When 60 seconds of simulated time pass`. Time moves for the
//! scenario's own tenants only (every tenant it made, at every provider), through `POST /__admin/clock/advance`, which applies every due
//! transition and sends every due webhook before it answers: no real sleeps.

use chrono::{DateTime, Datelike, Utc};
use cucumber::{given, then, when};

use super::field_text;
use crate::params::{ProviderName, SimDuration, Weekday};
use crate::world::ContractWorld;

#[given(expr = "{duration} of simulated time pass(es)")]
#[when(expr = "{duration} of simulated time pass(es)")]
async fn time_passes(w: &mut ContractWorld, duration: SimDuration) {
    w.advance(duration.0).await;
}

/// The simulated now of `provider`'s tenant in use (each tenant has its own clock).
async fn now(w: &ContractWorld, provider: ProviderName) -> DateTime<Utc> {
    let tenant = w.state(provider).tenant();
    let clock = w
        .admin("GET", &format!("/__admin/clock?tenant={tenant}"), None)
        .await;
    let text = clock["now"].as_str().unwrap_or_default();
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("clock `now` {text:?} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// Moves to the next `weekday` at the same time of day (no move if it is that day already).
#[given(expr = "it is {weekday} on {provider}'(s) simulated clock")]
async fn it_is(w: &mut ContractWorld, weekday: Weekday, provider: ProviderName) {
    let today = now(w, provider).await.weekday().num_days_from_monday();
    let days = (weekday.0 + 7 - today) % 7;
    if days > 0 {
        w.advance(u64::from(days) * 86_400).await;
    }
}

#[then(expr = "the response field {string} is {provider}'(s) simulated time")]
async fn field_is_now(w: &mut ContractWorld, path: String, provider: ProviderName) {
    let expected = now(w, provider).await;
    let text = field_text(w, &path);
    let actual = DateTime::parse_from_rfc3339(&text)
        .unwrap_or_else(|e| panic!("field {path:?} = {text:?} is not a timestamp: {e}"));
    assert_eq!(actual, expected, "field {path:?} of {:?}", w.last());
}
