//! Payout links and send-payout: 201 or 202 `funds_pending` and the funding that releases it,
//! delivery lifecycles, cancel and its refund, the redelivery limit, the back office's claim,
//! and a seen idempotency key returning the existing link.

mod common;

use common::{
    DotsSim, Keys, NOBODY, PRODUCTION, Resp, SANDBOX, SANDBOX_FUNDING, Sim, assert_error, key, sim,
};
use serde_json::{Value, json};

async fn link(sim: &Sim, keys: Keys, body: Value) -> Resp {
    sim.post(keys, "/v2/payout-links", &body).await
}

async fn send(sim: &Sim, keys: Keys, body: Value) -> Resp {
    sim.post(keys, "/v2/payouts/send-payout", &body).await
}

fn id_of(r: &Resp) -> String {
    r.json["id"].as_str().expect("an id").to_string()
}

/// `POST /__admin/providers/dots/payout-links/{id}/status`.
async fn force(sim: &Sim, link: &str, body: Value) -> Resp {
    let path = format!("/payout-links/{link}/status");
    sim.back_office("POST", &path, Some(body)).await
}

#[tokio::test]
async fn a_link_the_app_wallet_covers_is_201_and_holds_its_amount() {
    let sim = sim(50);

    let body = json!({"amount": 2500, "payee": {"first_name": "Ana", "email": "ana@example.com"}, "memo": "May", "metadata": {"job": 4}});
    let r = link(&sim, SANDBOX, body).await;

    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["status"], "created");
    assert_eq!(r.json["amount"], 2500);
    assert_eq!(r.json["delivery"], json!({"method": "link"}));
    assert_eq!(
        r.json["payee"],
        json!({"first_name": "Ana", "email": "ana@example.com"})
    );
    assert_eq!(r.json["memo"], "May");
    assert_eq!(r.json["metadata"], json!({"job": 4}));
    assert_eq!(r.json["funding_source"], "dots_balance");
    let flow = r.json["flow_id"].as_str().unwrap();
    let expected = format!("https://my-sandbox.dots.dev/flow/{flow}");
    assert_eq!(r.json["link"], expected.as_str());
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 2500);
    let got = sim
        .get(SANDBOX, &format!("/v2/payout-links/{}", id_of(&r)))
        .await;
    assert_eq!(got.json, r.json);
}

#[tokio::test]
async fn a_link_the_wallet_cannot_cover_is_202_funds_pending_and_holds_nothing() {
    let sim = sim(51);

    let r = link(&sim, PRODUCTION, json!({"amount": 500})).await;

    assert_eq!(r.status, 202, "{}", r.json);
    assert_eq!(r.json["status"], "funds_pending");
    assert!(
        r.json["link"]
            .as_str()
            .unwrap()
            .starts_with("https://my.dots.dev/flow/")
    );
    assert_eq!(sim.app_wallet(PRODUCTION).await, 0);
    sim.advance(3600.0).await;
    assert_eq!(
        sim.link_status(PRODUCTION, &id_of(&r)).await,
        "funds_pending"
    );
}

#[tokio::test]
async fn funding_the_app_wallet_funds_waiting_links_in_creation_order_while_it_covers_them() {
    let sim = sim(52);
    let tenant = PRODUCTION.tenant();
    let big = id_of(&link(&sim, PRODUCTION, json!({"amount": 5000})).await);
    let mid = id_of(&link(&sim, PRODUCTION, json!({"amount": 1500})).await);
    let small = id_of(&link(&sim, PRODUCTION, json!({"amount": 1000})).await);

    let first = sim.fund(&tenant, json!(20)).await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(first.json["links_funded"], 1);
    assert_eq!(first.json["wallet_cents"], 500);
    assert_eq!(sim.link_status(PRODUCTION, &big).await, "funds_pending");
    assert_eq!(sim.link_status(PRODUCTION, &mid).await, "created");
    assert_eq!(sim.link_status(PRODUCTION, &small).await, "funds_pending");

    let second = sim.fund(&tenant, json!(55.00)).await;
    assert_eq!(second.json["links_funded"], 2);
    assert_eq!(second.json["wallet_cents"], 0);
    assert_eq!(second.json["wallet"], "0.00");
    sim.advance(1.0).await;
    for id in [&big, &mid, &small] {
        assert_eq!(sim.link_status(PRODUCTION, id).await, "delivered");
    }
}

#[tokio::test]
async fn the_back_office_refuses_a_funding_that_is_not_a_positive_dollar_amount() {
    let sim = sim(53);
    let tenant = PRODUCTION.tenant();

    let zero = sim.fund(&tenant, json!(0)).await;
    let cents = sim.fund(&tenant, json!(1.005)).await;
    let bad_tenant = sim.fund("dots:someone", json!(5)).await;

    assert_eq!(zero.status, 400, "{}", zero.json);
    assert_eq!(cents.status, 400, "{}", cents.json);
    assert_eq!(bad_tenant.status, 400, "{}", bad_tenant.json);
    assert!(zero.json["error"].as_str().unwrap().contains("amount"));
    assert!(
        bad_tenant.json["error"]
            .as_str()
            .unwrap()
            .contains("tenant")
    );
}

#[tokio::test]
async fn a_link_delivered_by_link_is_delivered_after_1_s_and_then_waits_for_its_payee() {
    let sim = sim(54);
    let id = id_of(
        &link(
            &sim,
            SANDBOX,
            json!({"amount": 100, "delivery": {"method": "link"}}),
        )
        .await,
    );

    assert_eq!(sim.link_status(SANDBOX, &id).await, "created");
    sim.advance(1.0).await;
    assert_eq!(sim.link_status(SANDBOX, &id).await, "delivered");
    sim.advance(40.0 * 86_400.0).await;
    assert_eq!(sim.link_status(SANDBOX, &id).await, "delivered");
}

#[tokio::test]
async fn a_link_sent_by_sms_goes_delivery_pending_then_sent_5_s_later() {
    let sim = sim(55);
    let body = json!({"amount": 100, "delivery": {"method": "sms"}, "payee": {"country_code": "1", "phone_number": "5550100"}});
    let r = link(&sim, SANDBOX, body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        r.json["delivery"],
        json!({"method": "sms", "country_code": "1", "phone_number": "5550100"})
    );
    let id = id_of(&r);

    sim.advance(1.0).await;
    assert_eq!(sim.link_status(SANDBOX, &id).await, "delivery_pending");
    sim.advance(4.0).await;
    assert_eq!(sim.link_status(SANDBOX, &id).await, "delivery_pending");
    sim.advance(1.0).await;
    assert_eq!(sim.link_status(SANDBOX, &id).await, "sent");
}

#[tokio::test]
async fn a_link_for_a_user_takes_the_users_contact_details() {
    let sim = sim(56);
    let ana = sim.user(SANDBOX, "ana").await;

    let body = json!({"amount": 300, "user_id": ana, "delivery": {"method": "all"}});
    let r = link(&sim, SANDBOX, body).await;

    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["payee"]["email"], "ana@example.com");
    assert_eq!(r.json["payee"]["first_name"], "ana");
    assert_eq!(r.json["delivery"]["method"], "all");
    assert_eq!(r.json["delivery"]["email"], "ana@example.com");
    assert_eq!(r.json["delivery"]["country_code"], "1");
}

#[tokio::test]
async fn a_delivery_without_the_contact_it_needs_is_refused_and_holds_nothing() {
    let sim = sim(57);

    let sms = link(
        &sim,
        SANDBOX,
        json!({"amount": 100, "delivery": {"method": "sms"}}),
    )
    .await;
    let email = link(
        &sim,
        SANDBOX,
        json!({"amount": 100, "delivery": {"method": "email"}}),
    )
    .await;
    let fax = link(
        &sim,
        SANDBOX,
        json!({"amount": 100, "delivery": {"method": "fax"}}),
    )
    .await;
    let nobody = link(&sim, SANDBOX, json!({"amount": 100, "user_id": NOBODY})).await;

    assert!(assert_error(&sms, 400, "invalid-input").contains("phone_number"));
    assert!(assert_error(&email, 400, "invalid-input").contains("email"));
    assert!(assert_error(&fax, 400, "invalid-input").starts_with("delivery"));
    assert_error(&nobody, 404, "not-found");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
    let list = sim.get(SANDBOX, "/v2/payout-links").await;
    assert_eq!(list.json["data"], json!([]));
}

#[tokio::test]
async fn canceling_a_funded_link_gives_its_amount_back_to_the_app_wallet() {
    let sim = sim(58);
    let id = id_of(&link(&sim, SANDBOX, json!({"amount": 4000})).await);
    sim.advance(1.0).await;

    let r = sim
        .dots(SANDBOX, "DELETE", &format!("/v2/payout-links/{id}"), None)
        .await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["id"], id.as_str());
    assert_eq!(r.json["status"], "canceled");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
    sim.advance(3600.0).await;
    assert_eq!(sim.link_status(SANDBOX, &id).await, "canceled");
}

#[tokio::test]
async fn a_link_canceled_while_it_waits_for_funds_is_never_funded() {
    let sim = sim(59);
    let tenant = PRODUCTION.tenant();
    let id = id_of(&link(&sim, PRODUCTION, json!({"amount": 700})).await);

    let r = sim
        .dots(
            PRODUCTION,
            "DELETE",
            &format!("/v2/payout-links/{id}"),
            None,
        )
        .await;
    let funded = sim.fund(&tenant, json!(10)).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "canceled");
    assert_eq!(funded.json["links_funded"], 0);
    assert_eq!(sim.app_wallet(PRODUCTION).await, 1000);
    assert_eq!(sim.link_status(PRODUCTION, &id).await, "canceled");
}

#[tokio::test]
async fn a_canceled_link_cannot_be_canceled_again_nor_redelivered() {
    let sim = sim(60);
    let id = id_of(&link(&sim, SANDBOX, json!({"amount": 100})).await);
    let path = format!("/v2/payout-links/{id}");
    sim.dots(SANDBOX, "DELETE", &path, None).await;

    let again = sim.dots(SANDBOX, "DELETE", &path, None).await;
    let redeliver = sim
        .post(SANDBOX, &format!("{path}/redeliver"), &json!({}))
        .await;
    let unknown = sim
        .dots(
            SANDBOX,
            "DELETE",
            &format!("/v2/payout-links/{NOBODY}"),
            None,
        )
        .await;

    assert!(assert_error(&again, 400, "invalid-input").contains("canceled"));
    assert!(assert_error(&redeliver, 400, "invalid-input").contains("canceled"));
    assert_error(&unknown, 404, "not-found");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
}

#[tokio::test]
async fn a_link_is_delivered_five_times_at_most_counting_the_first() {
    let sim = sim(61);
    let id = id_of(&link(&sim, SANDBOX, json!({"amount": 100})).await);
    sim.advance(1.0).await;
    let path = format!("/v2/payout-links/{id}/redeliver");

    for n in 2..=5 {
        let r = sim.post(SANDBOX, &path, &json!({})).await;
        assert_eq!(r.status, 200, "delivery {n}: {}", r.json);
        assert_eq!(r.keys(), ["payout_link", "redelivered"]);
        assert_eq!(r.json["redelivered"], true);
        assert_eq!(r.json["payout_link"]["id"], id.as_str());
        assert_eq!(r.json["payout_link"]["status"], "delivered");
    }
    let sixth = sim.post(SANDBOX, &path, &json!({})).await;

    assert!(assert_error(&sixth, 400, "invalid-input").contains("5 times"));
}

#[tokio::test]
async fn a_link_waiting_for_funds_cannot_be_redelivered() {
    let sim = sim(62);
    let id = id_of(&link(&sim, PRODUCTION, json!({"amount": 100})).await);

    let r = sim
        .post(
            PRODUCTION,
            &format!("/v2/payout-links/{id}/redeliver"),
            &json!({}),
        )
        .await;

    assert!(assert_error(&r, 400, "invalid-input").contains("funds_pending"));
}

#[tokio::test]
async fn the_back_office_claims_a_link_for_a_user_and_pays_it_out() {
    let sim = sim(63);
    let ana = sim.user(SANDBOX, "ana").await;
    let id = id_of(&link(&sim, SANDBOX, json!({"amount": 1200})).await);
    sim.advance(1.0).await;

    let r = force(&sim, &id, json!({"status": "claimed", "user_id": ana})).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "claimed");
    assert_eq!(r.json["claimed_user_id"], ana.as_str());
    let view = sim.app_view(SANDBOX).await;
    assert_eq!(view["money_out"], 1200);
    assert_eq!(view["wallet"], SANDBOX_FUNDING - 1200);
    let cancel = sim
        .dots(SANDBOX, "DELETE", &format!("/v2/payout-links/{id}"), None)
        .await;
    assert!(assert_error(&cancel, 400, "invalid-input").contains("claimed"));
}

#[tokio::test]
async fn a_link_forced_to_expire_gives_its_money_back_and_an_unknown_status_is_refused() {
    let sim = sim(64);
    let id = id_of(&link(&sim, SANDBOX, json!({"amount": 900})).await);

    let bad = force(&sim, &id, json!({"status": "paid"})).await;
    let expired = force(&sim, &id, json!({"status": "expired"})).await;
    let unknown = force(&sim, NOBODY, json!({"status": "expired"})).await;

    assert_eq!(bad.status, 400, "{}", bad.json);
    assert!(bad.json["error"].as_str().unwrap().contains("paid"));
    assert_eq!(expired.status, 200, "{}", expired.json);
    assert_eq!(expired.json["status"], "expired");
    assert_eq!(unknown.status, 404, "{}", unknown.json);
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
}

#[tokio::test]
async fn a_seen_link_idempotency_key_returns_the_existing_link_whatever_the_body() {
    let sim = sim(65);
    let k = key(20);

    let first = link(&sim, SANDBOX, json!({"amount": 1000, "idempotency_key": k})).await;
    let again = link(&sim, SANDBOX, json!({"amount": 3000, "idempotency_key": k})).await;

    assert_eq!(first.status, 201, "{}", first.json);
    assert_eq!(again.status, 201, "{}", again.json);
    assert_eq!(again.json, first.json);
    assert_eq!(again.json["amount"], 1000);
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 1000);
    let list = sim.get(SANDBOX, "/v2/payout-links").await;
    assert_eq!(list.json["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn send_payout_delivers_a_link_by_sms_to_a_users_phone() {
    let sim = sim(66);
    let ana = sim.user(SANDBOX, "ana").await;

    let body = json!({"amount": 800, "user_id": ana, "delivery": {"message": "Thanks!", "method": "link"}});
    let r = send(&sim, SANDBOX, body).await;

    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["status"], "created");
    assert_eq!(r.json["delivery"]["method"], "sms");
    assert_eq!(r.json["delivery"]["country_code"], "1");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 800);
    sim.advance(6.0).await;
    assert_eq!(sim.link_status(SANDBOX, &id_of(&r)).await, "sent");
}

#[tokio::test]
async fn send_payout_needs_a_user_or_a_phone_and_a_wallet_that_covers_it() {
    let sim = sim(67);
    let ana = sim.user(PRODUCTION, "ana").await;

    let nobody = send(&sim, PRODUCTION, json!({"amount": 100})).await;
    let short = send(&sim, PRODUCTION, json!({"amount": 100, "user_id": ana})).await;

    let message = assert_error(&nobody, 400, "invalid-input");
    assert!(
        message.starts_with("user_id: a user_id or a payee"),
        "{message}"
    );
    let message = assert_error(&short, 400, "transaction-insufficient-funds");
    assert!(message.contains("app wallet"), "{message}");
    let list = sim.get(PRODUCTION, "/v2/payout-links").await;
    assert_eq!(list.json["data"], json!([]));
}

#[tokio::test]
async fn a_seen_send_payout_key_returns_the_existing_link() {
    let sim = sim(68);
    let k = key(21);
    let payee = json!({"country_code": "52", "phone_number": "5512345678"});

    let first = send(
        &sim,
        SANDBOX,
        json!({"amount": 600, "payee": payee, "idempotency_key": k}),
    )
    .await;
    let again = send(
        &sim,
        SANDBOX,
        json!({"amount": 10, "payee": payee, "idempotency_key": k}),
    )
    .await;

    assert_eq!(first.status, 201, "{}", first.json);
    assert_eq!(again.status, 201);
    assert_eq!(again.json["id"], first.json["id"]);
    assert_eq!(again.json["amount"], 600);
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 600);
}

#[tokio::test]
async fn payout_links_are_listed_newest_first() {
    let sim = sim(69);
    let mut made = Vec::new();
    for amount in [100, 200, 300] {
        made.push(id_of(&link(&sim, SANDBOX, json!({"amount": amount})).await));
    }

    let r = sim.get(SANDBOX, "/v2/payout-links?limit=2").await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["has_more"], true);
    let ids: Vec<&str> = (r.json["data"].as_array().unwrap().iter())
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [made[2].as_str(), made[1].as_str()]);
}
