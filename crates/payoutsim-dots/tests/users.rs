//! Users: create (201, every field as the document declares it, the uniqueness rules of each
//! environment), get, list with `status`, update (PATCH), delete, send-verification-token and
//! verify through the back office's SMS outbox on the simulated clock, and payout methods.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::*;

const UNKNOWN: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

fn path(id: &str) -> String {
    format!("/v2/users/{id}")
}

fn methods(id: &str) -> String {
    format!("/v2/users/{id}/payout-methods")
}

// --- create ---------------------------------------------------------------------------------

#[tokio::test]
async fn creating_a_user_answers_201_with_the_documented_fields() {
    let sim = sim(1);

    let r = sim.create_user(&sandbox(), user_body(1)).await;

    let user = r.ok(201);
    assert!(is_uuid(user["id"].as_str().unwrap()), "{user}");
    let compliance = &user["compliance"];
    let expected = json!({
        "id": user["id"],
        "first_name": "Bob1",
        "last_name": "Loblaw",
        "email": "bob1@bobloblaw.com",
        "phone_number": {"country_code": "1", "phone_number": "4154300001"},
        "wallet": {"amount": 0, "withdrawable_amount": 0, "credit_balance": 0},
        "status": "unverified",
        "verified": false,
        "compliance": compliance,
        "metadata": {"internal_id": "user_1"},
        "payout_options_exclude_list": [],
    });
    assert_eq!(user, &expected);
    assert_eq!(compliance["tax_id_verification"], "unsubmitted");
    assert_eq!(compliance["date_of_birth_collected"], false);
    assert_eq!(compliance["flags"]["ofac_status"], "unflagged");
}

#[tokio::test]
async fn each_missing_required_field_is_400_naming_it() {
    let sim = sim(1);

    for field in [
        "first_name",
        "last_name",
        "email",
        "country_code",
        "phone_number",
    ] {
        let r = sim
            .create_user(&sandbox(), with(user_body(1), field, Value::Null))
            .await;

        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), format!("{field}: is required"));
    }
}

#[tokio::test]
async fn names_have_1_to_50_characters() {
    let sim = sim(1);
    let keys = sandbox();

    let empty = sim
        .create_user(&keys, with(user_body(1), "first_name", json!("")))
        .await;
    let long = sim
        .create_user(
            &keys,
            with(user_body(1), "last_name", json!("x".repeat(51))),
        )
        .await;
    let fifty = sim
        .create_user(
            &keys,
            with(user_body(1), "last_name", json!("é".repeat(50))),
        )
        .await;

    empty.assert_envelope(400, "invalid-input");
    assert_eq!(empty.message(), "first_name: must have 1 to 50 characters");
    long.assert_envelope(400, "invalid-input");
    assert_eq!(long.message(), "last_name: must have 1 to 50 characters");
    assert_eq!(
        fifty.ok(201)["last_name"],
        "é".repeat(50),
        "characters, not bytes"
    );
}

#[tokio::test]
async fn a_malformed_email_is_400_invalid_email() {
    let sim = sim(1);

    for email in [
        json!("bob"),
        json!("bob@localhost"),
        json!("b ob@x.com"),
        json!(42),
    ] {
        let r = sim
            .create_user(&sandbox(), with(user_body(1), "email", email.clone()))
            .await;

        r.assert_envelope(400, "invalid-email");
        assert!(r.message().starts_with("email: "), "{email}: {}", r.json);
    }
}

#[tokio::test]
async fn a_phone_number_or_country_code_that_is_not_its_digits_is_400_invalid_phone_number() {
    let sim = sim(1);
    let cases = [
        ("phone_number", json!("415-433-2334")),
        ("phone_number", json!("1".repeat(21))),
        ("phone_number", json!(4154332334_u64)),
        ("country_code", json!("+1")),
        ("country_code", json!("1234")),
    ];

    for (field, value) in cases {
        let r = sim
            .create_user(&sandbox(), with(user_body(1), field, value.clone()))
            .await;

        r.assert_envelope(400, "invalid-phone-number");
        assert!(
            r.message().starts_with(&format!("{field}: ")),
            "{value}: {}",
            r.json
        );
    }
}

#[tokio::test]
async fn the_optional_fields_are_kept_and_shown() {
    let sim = sim(1);
    let adjustment = json!({"year": 2025, "form": "1099-NEC", "amount": 1500});
    let body = json!({
        "first_name": "Ana", "last_name": "Gómez", "email": "ana@example.com",
        "country_code": "52", "phone_number": "5512345678",
        "username": "ana.gomez", "date_of_birth": "1990-04-01",
        "1099_adjustment": adjustment, "metadata": "vip",
        "payout_options_exclude_list": ["crypto", "airtm"],
    });

    let r = sim.create_user(&sandbox(), body).await;

    let user = r.ok(201);
    assert_eq!(user["username"], "ana.gomez");
    assert_eq!(user["1099_adjustment"], adjustment);
    assert_eq!(user["metadata"], "vip");
    assert_eq!(
        user["payout_options_exclude_list"],
        json!(["crypto", "airtm"])
    );
    assert_eq!(user["compliance"]["date_of_birth_collected"], true);
    assert!(
        user.get("date_of_birth").is_none(),
        "not a field of `user`: {user}"
    );
}

#[tokio::test]
async fn malformed_optional_fields_are_400_naming_them() {
    let sim = sim(1);
    let cases = [
        (
            "date_of_birth",
            json!("01/04/1990"),
            "date_of_birth: must be a date (YYYY-MM-DD)",
        ),
        (
            "date_of_birth",
            json!("1990-02-30"),
            "date_of_birth: must be a date (YYYY-MM-DD)",
        ),
        (
            "metadata",
            json!([1, 2]),
            "metadata: must be a string or an object",
        ),
        (
            "username",
            json!(""),
            "username: must have 1 to 50 characters",
        ),
        (
            "payout_options_exclude_list",
            json!(["paypal", "paypal"]),
            "payout_options_exclude_list: must not repeat an item",
        ),
    ];

    for (field, value, message) in cases {
        let r = sim
            .create_user(&sandbox(), with(user_body(1), field, value))
            .await;

        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), message);
    }
}

#[tokio::test]
async fn a_1099_adjustment_must_be_one_of_the_two_documented_forms() {
    let sim = sim(1);
    let month_names = "january february march april may june july august september october \
                       november december";
    let months: serde_json::Map<String, Value> = month_names
        .split_whitespace()
        .map(|m| (m.to_owned(), json!(100)))
        .collect();
    let numbered: serde_json::Map<String, Value> =
        (1..=12).map(|m| (format!("{m}"), json!(100))).collect();
    let k = json!({"year": 2025, "form": "1099-K", "monthly_amounts": months});

    let accepted = sim
        .create_user(&sandbox(), with(user_body(1), "1099_adjustment", k))
        .await;
    for bad in [
        json!({"year": 2025, "form": "1099-NEC", "amount": 0}),
        json!({"year": 2025, "form": "1099-K", "monthly_amounts": {"january": 100}}),
        json!({"year": 2025, "form": "1099-K", "monthly_amounts": numbered}),
        json!({"year": "2025", "form": "1099-NEC", "amount": 10}),
        json!({"year": 2025, "form": "W-2", "amount": 10}),
    ] {
        let r = sim
            .create_user(&sandbox(), with(user_body(2), "1099_adjustment", bad))
            .await;
        r.assert_envelope(400, "invalid-input");
        assert!(r.message().starts_with("1099_adjustment: "), "{}", r.json);
    }

    assert_eq!(accepted.ok(201)["1099_adjustment"]["form"], "1099-K");
}

#[tokio::test]
async fn a_duplicate_username_is_400_auth_username_already_exists_whatever_its_case() {
    let sim = sim(1);
    let keys = sandbox();
    sim.create_user(&keys, with(user_body(1), "username", json!("bobl")))
        .await
        .ok(201);

    let r = sim
        .create_user(&keys, with(user_body(2), "username", json!("BOBL")))
        .await;

    r.assert_envelope(400, "auth-username-already-exists");
    assert_eq!(r.message(), "A user with the username BOBL already exists");
}

// --- sandbox and production -----------------------------------------------------------------

#[tokio::test]
async fn a_duplicate_email_is_refused_in_sandbox_and_in_production_whatever_its_case() {
    let sim = sim(1);

    for keys in [sandbox(), production()] {
        sim.user(&keys, 1).await;
        let again = with(user_body(2), "email", json!("BOB1@BobLoblaw.com"));

        let r = sim.create_user(&keys, again).await;

        r.assert_envelope(400, "auth-email-already-exists");
        assert_eq!(
            r.message(),
            "A user with the email BOB1@BobLoblaw.com already exists"
        );
    }
}

#[tokio::test]
async fn sandbox_allows_two_users_with_the_same_phone_number() {
    let sim = sim(1);
    let keys = sandbox();
    let first = sim.user(&keys, 1).await;

    let same_phone = with(user_body(2), "phone_number", json!("4154300001"));
    let r = sim.create_user(&keys, same_phone).await;

    assert_eq!(r.ok(201)["phone_number"]["phone_number"], "4154300001");
    assert_ne!(r.id(), first);
}

#[tokio::test]
async fn production_refuses_a_second_user_with_the_same_phone_number() {
    let sim = sim(1);
    let keys = production();
    sim.user(&keys, 1).await;

    let same_phone = with(user_body(2), "phone_number", json!("4154300001"));
    let refused = sim.create_user(&keys, same_phone).await;
    let other_country = json!({"phone_number": "4154300001", "country_code": "44"});
    let mut elsewhere = user_body(3);
    elsewhere
        .as_object_mut()
        .unwrap()
        .extend(other_country.as_object().unwrap().clone());
    let accepted = sim.create_user(&keys, elsewhere).await;

    refused.assert_envelope(400, "invalid-phone-number");
    assert_eq!(
        refused.message(),
        "phone_number: a user with this phone number already exists"
    );
    assert_eq!(accepted.ok(201)["phone_number"]["country_code"], "44");
}

#[tokio::test]
async fn a_deleted_users_email_and_phone_number_can_be_used_again_in_production() {
    let sim = sim(1);
    let keys = production();
    let id = sim.user(&keys, 1).await;
    sim.delete(&keys, &path(&id)).await.ok(200);

    let r = sim.create_user(&keys, user_body(1)).await;

    assert_eq!(r.ok(201)["email"], "bob1@bobloblaw.com");
    assert_ne!(r.id(), id);
}

// --- get and list ---------------------------------------------------------------------------

#[tokio::test]
async fn getting_a_user_answers_the_object_its_creation_answered() {
    let sim = sim(1);
    let keys = sandbox();
    let created = sim.create_user(&keys, user_body(1)).await;

    let r = sim.get(&keys, &path(&created.id())).await;

    assert_eq!(r.ok(200), &created.json);
}

#[tokio::test]
async fn an_unknown_user_is_404_not_found_on_every_user_route() {
    let sim = sim(1);
    let keys = sandbox();
    let answers = [
        sim.get(&keys, &path(UNKNOWN)).await,
        sim.patch(&keys, &path(UNKNOWN), json!({"metadata": {}}))
            .await,
        sim.delete(&keys, &path(UNKNOWN)).await,
        sim.send_token(&keys, UNKNOWN).await,
        sim.verify(&keys, UNKNOWN, "123456").await,
        sim.get(&keys, &methods(UNKNOWN)).await,
        sim.put(
            &keys,
            &methods(UNKNOWN),
            json!({"platform": "paypal", "email": "a@b.co"}),
        )
        .await,
    ];

    for r in answers {
        r.assert_envelope(404, "not-found");
        assert_eq!(r.message(), format!("User not found: {UNKNOWN}"));
    }
}

#[tokio::test]
async fn listing_users_answers_data_newest_first() {
    let sim = sim(1);
    let keys = sandbox();
    let mut ids = sim.users(&keys, 1, 3).await;
    ids.reverse();

    let r = sim.get(&keys, "/v2/users").await;

    assert_eq!(r.ok(200)["has_more"], false);
    assert_eq!(r.ids(), ids);
    assert_eq!(r.json["data"][0]["first_name"], "Bob3");
}

#[tokio::test]
async fn the_status_filter_keeps_only_users_of_that_status_and_must_be_one_of_them() {
    let sim = sim(1);
    let keys = sandbox();
    let unverified = sim.users(&keys, 1, 2).await;
    let verified = sim.verified_user(&keys, 3).await;

    let only_verified = sim.get(&keys, "/v2/users?status=verified").await;
    let only_unverified = sim.get(&keys, "/v2/users?status=unverified").await;
    let none = sim.get(&keys, "/v2/users?status=disabled").await;
    let unknown = sim.get(&keys, "/v2/users?status=active").await;

    assert_eq!(only_verified.ids(), [verified]);
    assert_eq!(only_verified.json["data"][0]["status"], "verified");
    assert_eq!(
        only_unverified.ids(),
        [unverified[1].clone(), unverified[0].clone()]
    );
    assert_eq!(none.ok(200), &json!({"data": [], "has_more": false}));
    unknown.assert_envelope(400, "invalid-input");
    assert_eq!(
        unknown.message(),
        "status: must be one of verified, unverified, in_review, disabled"
    );
}

// --- update ---------------------------------------------------------------------------------

#[tokio::test]
async fn a_patch_changes_the_fields_it_names_and_replaces_metadata_whole() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let adjustment = json!({"year": 2024, "form": "1099-NEC", "amount": 99});

    let body = json!({
        "metadata": {"tier": "gold"}, "payout_options_exclude_list": ["venmo"],
        "date_of_birth": "1985-12-31", "1099_adjustment": adjustment,
        "auto_payout_enabled": true,
    });
    let r = sim.patch(&keys, &path(&id), body).await;
    let shown = sim.get(&keys, &path(&id)).await;

    let user = r.ok(200);
    assert_eq!(
        user["metadata"],
        json!({"tier": "gold"}),
        "internal_id is gone"
    );
    assert_eq!(user["payout_options_exclude_list"], json!(["venmo"]));
    assert_eq!(user["compliance"]["date_of_birth_collected"], true);
    assert_eq!(user["1099_adjustment"], adjustment);
    assert_eq!(&shown.json, user);
    assert_eq!(shown.json["email"], "bob1@bobloblaw.com");
}

#[tokio::test]
async fn a_patch_with_a_malformed_field_is_400_and_changes_nothing() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let cases = [
        (
            json!({"auto_payout_enabled": "yes"}),
            "auto_payout_enabled: must be a boolean",
        ),
        (
            json!({"date_of_birth": "yesterday", "metadata": {}}),
            "date_of_birth: must be a date (YYYY-MM-DD)",
        ),
        (
            json!({"default_payout_method": "cheque"}),
            "default_payout_method: must be one of ach, paypal, venmo, cash_app, intl_bank, airtm, payoneer, crypto",
        ),
    ];

    for (body, message) in cases {
        let r = sim.patch(&keys, &path(&id), body).await;
        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), message);
    }

    let shown = sim.get(&keys, &path(&id)).await;
    assert_eq!(shown.json["metadata"], json!({"internal_id": "user_1"}));
}

#[tokio::test]
async fn a_default_payout_method_needs_a_method_of_that_platform() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;

    let refused = sim
        .patch(&keys, &path(&id), json!({"default_payout_method": "venmo"}))
        .await;
    sim.put(
        &keys,
        &methods(&id),
        json!({"platform": "paypal", "email": "bob@pay.pal"}),
    )
    .await
    .ok(200);
    sim.put(
        &keys,
        &methods(&id),
        json!({"platform": "venmo", "handle": "@bob"}),
    )
    .await
    .ok(200);
    let moved = sim
        .patch(&keys, &path(&id), json!({"default_payout_method": "venmo"}))
        .await;

    refused.assert_envelope(400, "user-info-missing");
    assert_eq!(
        refused.message(),
        "default_payout_method: the user has no venmo payout method"
    );
    let user = moved.ok(200);
    assert_eq!(user["default_payout_method"], "venmo");
    assert_eq!(user["default_payout_method_details"]["platform"], "venmo");
}

// --- delete ---------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_user_answers_it_and_afterwards_it_is_404_and_unlisted() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;

    let deleted = sim.delete(&keys, &path(&id)).await;
    let after = sim.get(&keys, &path(&id)).await;
    let again = sim.delete(&keys, &path(&id)).await;
    let listed = sim.get(&keys, "/v2/users").await;

    assert_eq!(deleted.ok(200)["id"], id.as_str());
    assert_eq!(deleted.json["email"], "bob1@bobloblaw.com");
    after.assert_envelope(404, "not-found");
    again.assert_envelope(404, "not-found");
    assert_eq!(listed.json["data"], json!([]));
}

#[tokio::test]
async fn a_user_with_money_in_their_wallet_cannot_be_deleted_until_it_goes_back() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    sim.transfer(&keys, &id, -500).await;

    let refused = sim.delete(&keys, &path(&id)).await;
    sim.transfer(&keys, &id, 500).await;
    let deleted = sim.delete(&keys, &path(&id)).await;

    refused.assert_envelope(400, "invalid-input");
    assert!(refused.message().contains("500 cents"), "{}", refused.json);
    assert_eq!(deleted.ok(200)["wallet"]["amount"], 0);
    assert_eq!(sim.app_wallet(&keys), SANDBOX_FUNDING);
}

// --- verification ---------------------------------------------------------------------------

#[tokio::test]
async fn send_verification_token_answers_202_and_puts_a_six_digit_code_in_the_outbox() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;

    let r = sim.send_token(&keys, &id).await;
    let outbox = sim.sms(&keys, &id).await;

    assert_eq!(r.ok(202), &json!({"success": true}));
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let sms = &outbox[0];
    let token = sms["token"].as_str().unwrap();
    assert!(
        token.len() == 6 && token.bytes().all(|b| b.is_ascii_digit()),
        "{sms}"
    );
    let expected = json!({
        "tenant": "dots:pk_dev_alpha", "user_id": id, "phone_number": "+14154300001",
        "token": token, "channel": "sms", "at": sms["at"],
    });
    assert_eq!(sms, &expected);
    let at = sms["at"].as_str().unwrap();
    let sent = chrono::DateTime::parse_from_rfc3339(at).unwrap();
    assert_eq!(sent.timestamp(), sim.engine.clock().now().timestamp());
}

#[tokio::test]
async fn use_voice_sends_the_code_by_voice() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;

    let path = format!("/v2/users/{id}/send-verification-token");
    let r = sim.post(&keys, &path, json!({"use_voice": true})).await;
    let refused = sim.post(&keys, &path, json!({"use_voice": "yes"})).await;

    r.ok(202);
    let outbox = sim.sms(&keys, &id).await;
    assert_eq!(outbox.len(), 1, "the refused request sent nothing");
    assert_eq!(outbox[0]["channel"], "voice");
    refused.assert_envelope(400, "invalid-input");
}

#[tokio::test]
async fn send_verification_token_accepts_no_body_with_a_form_content_type_as_the_sdk_sends_it() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("content-length", "0"),
    ];

    let path = format!("/api/v2/users/{id}/send-verification-token");
    let r = sim.call_as(Some(&keys), "POST", &path, &form, None).await;

    assert_eq!(r.ok(202)["success"], true);
    assert_eq!(sim.sms(&keys, &id).await[0]["channel"], "sms");
}

#[tokio::test]
async fn the_right_code_verifies_the_user_once() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let never_asked = sim.verify(&keys, &id, "123456").await;
    let token = sim.token_sent(&keys, &id).await;

    let r = sim.verify(&keys, &id, &token).await;
    let user = sim.get(&keys, &path(&id)).await;
    let again = sim.verify(&keys, &id, &token).await;

    assert_eq!(r.ok(200), &json!({"success": true}));
    assert_eq!(
        (&user.json["status"], &user.json["verified"]),
        (&json!("verified"), &json!(true))
    );
    for refused in [never_asked, again] {
        refused.assert_envelope(400, "invalid-input");
        assert_eq!(refused.message(), "Incorrect token");
    }
}

#[tokio::test]
async fn a_wrong_code_is_400_incorrect_token_and_the_right_one_still_works() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let token = sim.token_sent(&keys, &id).await;
    let wrong = if token == "000000" {
        "000001"
    } else {
        "000000"
    };

    let refused = sim.verify(&keys, &id, wrong).await;
    let still = sim.get(&keys, &path(&id)).await;
    let right = sim.verify(&keys, &id, &token).await;

    refused.assert_envelope(400, "invalid-input");
    assert_eq!(refused.message(), "Incorrect token");
    assert_eq!(still.json["status"], "unverified");
    right.ok(200);
}

#[tokio::test]
async fn a_code_is_valid_for_ten_simulated_minutes() {
    let sim = sim(1);
    let keys = sandbox();
    let (early, late) = (sim.user(&keys, 1).await, sim.user(&keys, 2).await);
    let early_token = sim.token_sent(&keys, &early).await;
    let late_token = sim.token_sent(&keys, &late).await;

    sim.advance(599.0).await;
    let in_time = sim.verify(&keys, &early, &early_token).await;
    sim.advance(1.0).await;
    let expired = sim.verify(&keys, &late, &late_token).await;

    in_time.ok(200);
    expired.assert_envelope(400, "invalid-input");
    assert_eq!(expired.message(), "Incorrect token");
}

#[tokio::test]
async fn a_new_code_replaces_the_one_sent_before() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let old = sim.token_sent(&keys, &id).await;
    let new = sim.token_sent(&keys, &id).await;
    assert_ne!(old, new, "seed 1 draws two different codes");

    let stale = sim.verify(&keys, &id, &old).await;
    let fresh = sim.verify(&keys, &id, &new).await;

    assert_eq!(sim.sms(&keys, &id).await.len(), 2, "both were sent");
    stale.assert_envelope(400, "invalid-input");
    fresh.ok(200);
}

#[tokio::test]
async fn a_token_is_required_and_has_at_least_6_characters() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let verify = format!("/v2/users/{id}/verify");

    let missing = sim.post(&keys, &verify, json!({})).await;
    let short = sim.verify(&keys, &id, "12345").await;
    let number = sim.post(&keys, &verify, json!({"token": 123456})).await;

    missing.assert_envelope(400, "invalid-input");
    assert_eq!(missing.message(), "token: is required");
    short.assert_envelope(400, "invalid-input");
    assert_eq!(short.message(), "token: must have 6 to 64 characters");
    number.assert_envelope(400, "invalid-input");
    assert_eq!(number.message(), "token: must be a string");
}

#[tokio::test]
async fn the_outbox_keeps_each_apps_codes_apart() {
    let sim = sim(1);
    let (alpha, beta) = (sandbox(), Keys::sandbox("beta"));
    let a = sim.user(&alpha, 1).await;
    let b = sim.user(&beta, 1).await;
    sim.send_token(&alpha, &a).await.ok(202);
    sim.send_token(&beta, &b).await.ok(202);

    let alphas = sim.sms(&alpha, &a).await;
    let crossed = sim.sms(&alpha, &b).await;

    assert_eq!(alphas.len(), 1);
    assert_eq!(alphas[0]["tenant"], "dots:pk_dev_alpha");
    assert!(crossed.is_empty(), "{crossed:?}");
}

// --- payout methods -------------------------------------------------------------------------

#[tokio::test]
async fn adding_a_paypal_method_answers_it_lists_it_and_makes_it_the_default() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;

    let none = sim.get(&keys, &methods(&id)).await;
    let body = json!({"platform": "paypal", "email": "bob@pay.pal"});
    let added = sim.put(&keys, &methods(&id), body).await;
    let listed = sim.get(&keys, &methods(&id)).await;
    let user = sim.get(&keys, &path(&id)).await;

    let method = added.ok(200);
    let expected = json!({
        "id": method["id"], "platform": "paypal", "email": "bob@pay.pal", "rtp_enabled": false,
    });
    assert_eq!(none.ok(200), &json!([]));
    assert_eq!(method, &expected);
    assert_eq!(listed.ok(200), &json!([expected]));
    assert_eq!(user.json["default_payout_method"], "paypal");
    assert_eq!(user.json["default_payout_method_details"], expected);
}

#[tokio::test]
async fn an_ach_method_shows_only_the_last_four_digits_of_its_account() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;

    let body =
        json!({"platform": "ach", "routing_number": "011000015", "account_number": "000123456789"});
    let added = sim.put(&keys, &methods(&id), body).await;
    let listed = sim.get(&keys, &methods(&id)).await;

    let method = added.ok(200);
    assert_eq!(method["account_number"], "6789");
    assert_eq!(method["routing_number"], "011000015");
    assert_eq!(method["account_type"], "checking", "the default type");
    assert_eq!(listed.json[0]["mask"], "6789");
    assert!(
        !listed.bytes.windows(8).any(|w| w == b"00012345"),
        "{}",
        listed.json
    );
}

#[tokio::test]
async fn each_platform_requires_its_own_fields() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let cases = [
        (
            json!({"platform": "ach", "account_number": "123456789"}),
            "routing_number: is required for ach",
        ),
        (
            json!({"platform": "ach", "routing_number": "011000015"}),
            "account_number: is required for ach",
        ),
        (
            json!({"platform": "ach", "routing_number": "01100001x", "account_number": "1234"}),
            "routing_number: must be 9 digits",
        ),
        (
            json!({"platform": "paypal"}),
            "email: is required for paypal",
        ),
        (
            json!({"platform": "venmo"}),
            "phone_number: a phone_number or handle is required for venmo",
        ),
        (
            json!({"platform": "cash_app"}),
            "cash_tag: is required for cash_app",
        ),
        (
            json!({"platform": "crypto"}),
            "platform: must be one of paypal, venmo, cash_app, ach",
        ),
        (json!({}), "platform: is required"),
    ];

    for (body, message) in cases {
        let r = sim.put(&keys, &methods(&id), body).await;
        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), message);
    }

    assert_eq!(sim.get(&keys, &methods(&id)).await.json, json!([]));
}

#[tokio::test]
async fn a_second_method_of_a_platform_replaces_the_first() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    sim.put(
        &keys,
        &methods(&id),
        json!({"platform": "cash_app", "cash_tag": "$bob"}),
    )
    .await
    .ok(200);

    let r = sim
        .put(
            &keys,
            &methods(&id),
            json!({"platform": "cash_app", "cash_tag": "$bobby"}),
        )
        .await;
    let listed = sim.get(&keys, &methods(&id)).await;

    assert_eq!(r.ok(200)["cash_tag"], "$bobby");
    assert_eq!(listed.ids(), [r.id()]);
    assert_eq!(listed.json[0]["cash_tag"], "$bobby");
}

#[tokio::test]
async fn is_default_says_whether_a_later_method_becomes_the_default() {
    let sim = sim(1);
    let keys = sandbox();
    let id = sim.user(&keys, 1).await;
    let list = methods(&id);
    let put = |body: Value| sim.put(&keys, &list, body);
    put(json!({"platform": "paypal", "email": "bob@pay.pal"}))
        .await
        .ok(200);

    put(json!({"platform": "venmo", "phone_number": "4154300001"}))
        .await
        .ok(200);
    let kept = sim.get(&keys, &path(&id)).await;
    put(json!({"platform": "cash_app", "cash_tag": "$bob", "is_default": true}))
        .await
        .ok(200);
    let moved = sim.get(&keys, &path(&id)).await;

    assert_eq!(kept.json["default_payout_method"], "paypal");
    assert_eq!(moved.json["default_payout_method"], "cash_app");
    assert_eq!(sim.get(&keys, &methods(&id)).await.ids().len(), 3);
}
