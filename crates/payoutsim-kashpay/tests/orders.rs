//! Router tests of `POST /OKPay/createOrder` and `POST /OKPay/searchReference`: the documented
//! envelopes, validation, balance debit, duplicates, and searching.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn an_order_answers_the_seed_s_envelope_with_status_25_and_a_debit() {
    // Arrange
    let (sim, auth) = signed_in(7).await;

    // Act
    let r = sim
        .order(&auth, order_body("PROVV0011712091", json!(250), CLABE))
        .await;

    // Assert
    assert_eq!(r.status, 200, "{}", r.json);
    let text = String::from_utf8_lossy(&r.bytes);
    assert!(
        text.starts_with(r#"{"success":true,"orderEntityResponse":{"createdAt":""#),
        "{text}"
    );
    assert!(
        text.ends_with(r#"},"totalItems":0,"totalPages":0,"currentPage":0}"#),
        "{text}"
    );
    assert_eq!(r.keys().len(), 5);
    let o = &r.json["orderEntityResponse"];
    assert_eq!(o["createdAt"], "2026-01-05T14:00:00.000+0000");
    assert_eq!(o["uptadedAt"], o["createdAt"]);
    assert!(
        o["id"].as_str().is_some_and(|id| id.parse::<u64>().is_ok()),
        "{o}"
    );
    assert_eq!(o["numericReference"], "4322312");
    assert_eq!(o["alphanumericReference"], "PROVV0011712091");
    let payment = o["referenceCreatedPayment"].as_str().unwrap();
    assert!(
        payment.starts_with("on") && payment.len() == 14,
        "{payment}"
    );
    assert_eq!(o["status"], 25);
    assert_eq!(o["initialBalance"], START);
    assert_eq!(o["finalBalance"], START - 250);
    assert_eq!(sim.balance_cents(&auth).await, (START - 250) * 100);
}

#[tokio::test]
async fn cents_and_numbers_sent_as_strings_are_accepted() {
    let (sim, auth) = signed_in(7).await;
    let body = with(
        order_body("REF1", json!("10.5"), CLABE),
        json!({"numericReference": "12", "beneficiaryAcount": CLABE, "currency": "484"}),
    );

    let r = sim.order(&auth, body).await;

    assert_eq!(r.json["success"], true, "{}", r.json);
    assert_eq!(
        r.json["orderEntityResponse"]["finalBalance"],
        json!(999_989.5)
    );
}

#[tokio::test]
async fn a_card_and_a_phone_are_accepted_when_the_account_type_says_so() {
    let (sim, auth) = signed_in(7).await;
    let card = with(
        order_body("CARD1", json!(10), CLABE),
        json!({"beneficiaryAcount": "4152313412341234", "beneficiaryAcountSPEI": null, "beneficiaryTypeAcount": "3"}),
    );
    let phone = with(
        order_body("PHONE1", json!(10), CLABE),
        json!({"beneficiaryAcount": 5512345678i64, "beneficiaryAcountSPEI": null, "beneficiaryTypeAcount": "phone"}),
    );

    let (card, phone) = (sim.order(&auth, card).await, sim.order(&auth, phone).await);

    assert_eq!(card.json["success"], true, "{}", card.json);
    assert_eq!(phone.json["success"], true, "{}", phone.json);
}

#[tokio::test]
async fn refuses_an_order_to_a_clabe_with_a_wrong_check_digit() {
    let (sim, auth) = signed_in(7).await;

    let r = sim
        .order(&auth, order_body("BAD1", json!(10), "002028650641359745"))
        .await;

    r.assert_error(200, "ValidationException", 1010);
    assert!(r.message().contains("beneficiaryAcount"), "{}", r.json);
    assert_eq!(sim.balance_cents(&auth).await, START * 100);
}

#[tokio::test]
async fn refuses_a_clabe_whose_bank_prefix_is_not_code_institute_bank() {
    let (sim, auth) = signed_in(7).await;
    let body = with(
        order_body("BAD2", json!(10), CLABE),
        json!({"codeInstituteBank": "012"}),
    );

    let r = sim.order(&auth, body).await;

    r.assert_error(200, "ValidationException", 1010);
    assert!(r.message().contains("012"), "{}", r.json);
}

#[tokio::test]
async fn every_failing_field_is_named_in_one_validation_error() {
    let (sim, auth) = signed_in(7).await;
    let body = with(
        order_body("BAD3", json!(-1), CLABE),
        json!({"concept": "c".repeat(40), "beneficiaryName": null, "numericReference": 0,
               "currency": 840, "typeTransaction": 20, "email": "nope", "rfc": "X"}),
    );

    let r = sim.order(&auth, body).await;

    r.assert_error(200, "ValidationException", 1010);
    let message = r.message();
    for key in [
        "amount",
        "concept",
        "beneficiaryName",
        "numericReference",
        "currency",
        "typeTransaction",
        "email",
        "rfc",
    ] {
        assert!(message.contains(key), "{key} missing: {message}");
    }
}

#[tokio::test]
async fn an_empty_body_names_every_required_field_and_an_array_is_malformed() {
    let (sim, auth) = signed_in(7).await;
    let bearer = format!("Bearer {}", auth.token);
    let headers = [("authorization", bearer.as_str()), ("entity-i", ENTITY)];

    let empty = sim.call("POST", "/OKPay/createOrder", &headers, None).await;
    let array = sim
        .call("POST", "/OKPay/createOrder", &headers, Some(b"[1,2]"))
        .await;

    empty.assert_error(200, "ValidationException", 1010);
    assert!(
        empty
            .message()
            .contains("alphanumericReference: es requerido"),
        "{}",
        empty.json
    );
    array.assert_error(400, "RequestException", 1000);
    assert_eq!(sim.balance_cents(&auth).await, START * 100);
}

#[tokio::test]
async fn not_enough_balance_is_the_documented_1022() {
    let (sim, auth) = signed_in_with(7, starting_with(100)).await;

    let r = sim
        .order(&auth, order_body("BIG1", json!(100.01), CLABE))
        .await;

    r.assert_error(200, "EntityException", 1022);
    assert_eq!(r.message(), "No se pudo procesar el pago");
    assert_eq!(sim.balance_cents(&auth).await, 10_000);
}

#[tokio::test]
async fn a_repeated_alphanumeric_reference_is_refused_for_the_same_entity_only() {
    let (sim, auth) = signed_in(7).await;
    let other = sim.session(OTHER_ENTITY).await;
    sim.order(&auth, order_body("DUP1", json!(10), CLABE)).await;

    let again = sim.order(&auth, order_body("DUP1", json!(20), CLABE)).await;
    let elsewhere = sim
        .order(&other, order_body("DUP1", json!(10), CLABE))
        .await;

    again.assert_error(200, "EntityException", 1023);
    assert_eq!(sim.balance_cents(&auth).await, (START - 10) * 100);
    assert_eq!(elsewhere.json["success"], true, "{}", elsewhere.json);
}

#[tokio::test]
async fn search_reference_finds_an_order_by_either_reference_and_its_date() {
    let (sim, auth) = signed_in(7).await;
    let created = sim
        .order(&auth, order_body("FIND1", json!(75.25), CLABE))
        .await;
    let payment = created.json["orderEntityResponse"]["referenceCreatedPayment"].clone();

    let by_alpha = sim
        .search(
            &auth,
            json!({"alphanumericReference": "FIND1", "dateTransaction": "20260105"}),
        )
        .await;
    let by_payment = sim
        .search(&auth, json!({"referenceCreatedPayment": payment}))
        .await;
    let wrong_day = sim
        .search(
            &auth,
            json!({"alphanumericReference": "FIND1", "dateTransaction": "20250101"}),
        )
        .await;
    let nothing = sim.search(&auth, json!({})).await;

    assert_eq!(by_alpha.json["success"], true, "{}", by_alpha.json);
    let o = &by_alpha.json["orderEntityResponse"];
    assert_eq!(o["id"], created.json["orderEntityResponse"]["id"]);
    assert_eq!(o["amount"], json!(75.25));
    assert_eq!(o["beneficiaryAccountNumber"], CLABE);
    assert_eq!(
        by_payment.json["orderEntityResponse"]["alphanumericReference"],
        "FIND1"
    );
    wrong_day.assert_error(200, "OrderException", 1030);
    nothing.assert_error(200, "ValidationException", 1010);
}

#[tokio::test]
async fn search_reference_finds_each_of_many_orders_by_either_reference() {
    let (sim, auth) = signed_in(7).await;
    let mut made = Vec::new();
    for i in 0..40 {
        let r = sim
            .order(&auth, order_body(&format!("MANY{i}"), json!(1), CLABE))
            .await;
        assert_eq!(r.json["success"], true, "{}", r.json);
        made.push(r.json["orderEntityResponse"].clone());
    }

    for (i, o) in made.iter().enumerate().rev() {
        let alpha = format!("MANY{i}");
        let by_alpha = sim
            .search(&auth, json!({"alphanumericReference": alpha}))
            .await;
        let payment = &o["referenceCreatedPayment"];
        let by_payment = sim
            .search(&auth, json!({"referenceCreatedPayment": payment}))
            .await;
        let both_of_others = sim
            .search(
                &auth,
                json!({"alphanumericReference": alpha,
                       "referenceCreatedPayment": made[(i + 1) % made.len()]["referenceCreatedPayment"]}),
            )
            .await;

        assert_eq!(by_alpha.json["orderEntityResponse"]["id"], o["id"]);
        assert_eq!(by_payment.json["orderEntityResponse"]["id"], o["id"]);
        assert_eq!(
            by_payment.json["orderEntityResponse"]["alphanumericReference"],
            alpha.as_str()
        );
        both_of_others.assert_error(200, "OrderException", 1030);
    }
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_answer_in_the_envelope() {
    let sim = sim(7);

    let unknown = sim.call("GET", "/OKPay/nothing", &[], None).await;
    let method = sim.call("GET", "/OKPay/createOrder", &[], None).await;
    let post_balance = sim
        .call("POST", "/EntitiesServices/getBalance", &[], Some(b"{}"))
        .await;

    unknown.assert_error(404, "NotFoundException", 404);
    method.assert_error(405, "MethodNotAllowedException", 405);
    post_balance.assert_error(405, "MethodNotAllowedException", 405);
}

#[tokio::test]
async fn an_oversized_body_is_a_413_in_the_envelope() {
    let sim = sim(7);
    let body = format!("{{\"concept\":\"{}\"}}", "x".repeat(1024 * 1024 + 1));

    let r = sim
        .call("POST", "/OKPay/createOrder", &[], Some(body.as_bytes()))
        .await;

    r.assert_error(413, "PayloadTooLargeException", 413);
}
