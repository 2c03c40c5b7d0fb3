//! Issue 13, finding 10: amounts are read from the digits sent, never through `f64`. A
//! createOrder amount with digits past the centavo (`1000.0000000000001`, which a float reads
//! as 1000, and `999.99999999999999999`, which it rounds up to 1000) is refused as written,
//! and the entity's balance is untouched.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn an_amount_with_digits_past_the_centavo_is_refused_and_nothing_is_debited() {
    let (sim, auth) = signed_in(3).await;
    let bearer = format!("Bearer {}", auth.token);
    let headers = [
        ("authorization", bearer.as_str()),
        ("entity-i", auth.entity.as_str()),
    ];

    for (n, written) in ["1000.0000000000001", "999.99999999999999999"]
        .iter()
        .enumerate()
    {
        let body = order_body(&format!("EXACT{n}"), json!(424_242), CLABE).to_string();
        let body = body.replace("424242", written);
        let r = sim
            .call(
                "POST",
                "/OKPay/createOrder",
                &headers,
                Some(body.as_bytes()),
            )
            .await;

        r.assert_error(200, "ValidationException", 1010);
    }
    assert_eq!(sim.balance_cents(&auth).await, START * 100);
}
