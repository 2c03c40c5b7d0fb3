//! Issue 13, finding 10: amounts are read from the digits sent, never through `f64`. A cashout
//! amount with digits past the cent (`1000.0000000000001`, which a float reads as 1000, and
//! `999.99999999999999999`, which it rounds up to 1000) is refused as written, and the
//! tenant's available balance is untouched.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn an_amount_with_digits_past_the_cent_is_refused_and_nothing_is_debited() {
    let sim = sim(3);
    let (customer, account) = sim.payee(TEST_KEY, "0012345678").await;
    let before = sim.available_cents(TEST_KEY).await;

    for (n, written) in ["1000.0000000000001", "999.99999999999999999"]
        .iter()
        .enumerate()
    {
        let body = cashout_body(&customer, &account, json!(424_242), "ACH").to_string();
        let body = body.replace("424242", written);
        let key = format!("exact-{n}");
        let headers = [("x-idempotency", key.as_str())];
        let r = sim
            .call_as(
                "POST",
                "/v1/cashouts",
                Some(TEST_KEY),
                &headers,
                Some(body.as_bytes()),
            )
            .await;

        assert_eq!(r.status, 422, "{written}: {}", r.json);
        assert!(r.bytes.windows(6).any(|w| w == b"amount"), "{}", r.json);
    }
    assert_eq!(sim.available_cents(TEST_KEY).await, before);
}
