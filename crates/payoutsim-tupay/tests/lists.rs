//! `GET /v1/deposits`, `GET /v1/cashout` (and `/v1/cashouts`): pages of 50 from page 0, newest
//! first, inclusive bounds, every documented filter, the 60-day rule and each refusal.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::*;

async fn signed_in(seed: u64) -> (Sim, String, i64, i64) {
    let sim = sim(seed);
    let token = sim.token().await;
    let to = now(&sim);
    (sim, token, to - 60 * DAY, to)
}

#[tokio::test]
async fn a_sixty_day_list_spans_several_full_pages_then_a_short_one_then_nothing() {
    let (sim, token, from, to) = signed_in(1).await;

    let all = sim.all_pages("/v1/deposits", &token, (from, to), "").await;
    let pages = all.len().div_ceil(50);
    let past = sim
        .get(
            &format!("/v1/deposits?from={from}&to={to}&page={pages}"),
            &token,
        )
        .await;

    assert!(pages >= 5, "{} deposits", all.len());
    let ids: BTreeSet<u64> = all
        .iter()
        .map(|d| d["idDeposit"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), all.len(), "no deposit twice across pages");
    let dates: Vec<&str> = all
        .iter()
        .map(|d| d["creationDate"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert_eq!(past.json["rows"], 0);
    assert_eq!(past.json["data"], serde_json::json!([]));
    assert_eq!(past.json["page"], pages);
}

#[tokio::test]
async fn page_defaults_to_zero_and_a_huge_page_is_empty() {
    let (sim, token, from, to) = signed_in(1).await;

    let first = sim
        .get(&format!("/v1/deposits?from={from}&to={to}"), &token)
        .await;
    let zero = sim
        .get(&format!("/v1/deposits?from={from}&to={to}&page=0"), &token)
        .await;
    let huge = sim
        .get(
            &format!("/v1/deposits?from={from}&to={to}&page=18446744073709551615"),
            &token,
        )
        .await;

    assert_eq!(first.bytes, zero.bytes);
    assert_eq!(first.json["rows"], 50);
    assert_eq!(huge.json["rows"], 0);
}

#[tokio::test]
async fn from_and_to_are_inclusive_unix_seconds() {
    let (sim, token, from, to) = signed_in(1).await;
    let any = &sim
        .get(&format!("/v1/deposits?from={from}&to={to}&page=1"), &token)
        .await
        .json["data"][7];
    let at = chrono::DateTime::parse_from_rfc3339(any["creationDate"].as_str().unwrap())
        .unwrap()
        .timestamp();

    let exact = sim
        .get(&format!("/v1/deposits?from={at}&to={at}"), &token)
        .await;

    let ids: Vec<&Value> = exact.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["idDeposit"])
        .collect();
    assert!(ids.contains(&&any["idDeposit"]), "{}", exact.json);
}

#[tokio::test]
async fn the_d24_spelling_of_cashouts_answers_exactly_as_tupays() {
    let (sim, token, from, to) = signed_in(1).await;

    let tupay = sim
        .get(&format!("/v1/cashout?from={from}&to={to}&page=1"), &token)
        .await;
    let d24 = sim
        .get(&format!("/v1/cashouts?from={from}&to={to}&page=1"), &token)
        .await;

    assert_eq!(tupay.status, 200);
    assert_eq!(tupay.bytes, d24.bytes);
}

/// Every page with `filter`, and whether each item has `field == value`.
async fn filtered(
    sim: &Sim,
    token: &str,
    list: &str,
    range: (i64, i64),
    filter: &str,
) -> Vec<Value> {
    sim.all_pages(list, token, range, filter).await
}

#[tokio::test]
async fn each_deposit_filter_keeps_only_what_it_names() {
    let (sim, token, from, to) = signed_in(1).await;
    let all = sim.all_pages("/v1/deposits", &token, (from, to), "").await;
    let document = all[3]["clientDocument"].as_str().unwrap().to_string();

    for (filter, field, value) in [
        ("&country=PE", "country", "PE"),
        ("&country=br", "country", "BR"),
        ("&paymentMethod=XAQR", "paymentMethodCode", "XAQR"),
        ("&paymentMethod=XA", "paymentMethodCode", "XA"),
        ("&status=COMPLETED", "status", "COMPLETED"),
        ("&status=declined", "status", "DECLINED"),
        (
            &format!("&clienteDocument={document}"),
            "clientDocument",
            document.as_str(),
        ),
        (
            &format!("&clientDocument={document}"),
            "clientDocument",
            document.as_str(),
        ),
    ] {
        let kept = filtered(&sim, &token, "/v1/deposits", (from, to), filter).await;
        let expected = all.iter().filter(|d| d[field] == value).count();
        assert!(expected > 0, "{filter} matches something");
        assert_eq!(kept.len(), expected, "{filter}");
        assert!(kept.iter().all(|d| d[field] == value), "{filter}");
    }
}

#[tokio::test]
async fn filters_combine_and_an_iso_country_without_transactions_is_an_empty_list() {
    let (sim, token, from, to) = signed_in(1).await;

    let both = filtered(
        &sim,
        &token,
        "/v1/deposits",
        (from, to),
        "&country=PE&status=COMPLETED&paymentMethod=EF",
    )
    .await;
    let none = sim
        .get(
            &format!("/v1/deposits?from={from}&to={to}&country=AR"),
            &token,
        )
        .await;

    assert!(!both.is_empty());
    assert!(both.iter().all(|d| d["country"] == "PE"
        && d["status"] == "COMPLETED"
        && d["paymentMethodCode"] == "EF"));
    assert_eq!((none.status, none.json["rows"].as_u64()), (200, Some(0)));
}

#[tokio::test]
async fn each_cashout_filter_keeps_only_what_it_names() {
    let (sim, token, from, to) = signed_in(1).await;
    let all = sim.all_pages("/v1/cashout", &token, (from, to), "").await;
    let document = all[0]["clientDocument"].as_str().unwrap().to_string();

    for (filter, field, value) in [
        ("&country=PE", "country", "PE"),
        ("&status=COMPLETED", "status", "COMPLETED"),
        (
            &format!("&clienteDocument={document}"),
            "clientDocument",
            document.as_str(),
        ),
    ] {
        let kept = filtered(&sim, &token, "/v1/cashout", (from, to), filter).await;
        let expected = all.iter().filter(|c| c[field] == value).count();
        assert!(
            expected > 0 && kept.len() == expected,
            "{filter}: {} of {expected}",
            kept.len()
        );
    }
    let peru_rail = filtered(&sim, &token, "/v1/cashout", (from, to), "&paymentMethod=XA").await;
    let peru = all.iter().filter(|c| c["country"] == "PE").count();
    assert_eq!(peru_rail.len(), peru, "Peru's cashouts are paid on XA");
}

#[tokio::test]
async fn bad_parameters_are_refused_each_with_its_code() {
    let (sim, token, from, to) = signed_in(1).await;
    let long = from - 1;

    for (query, status, code) in [
        (format!("to={to}"), 400, 101),
        (format!("from={from}"), 400, 101),
        (format!("from=&to={to}"), 400, 101),
        (format!("from=abc&to={to}"), 400, 102),
        (format!("from={from}.5&to={to}"), 400, 102),
        (format!("from=-1&to={to}"), 400, 102),
        (format!("from={to}&to={from}"), 400, 17),
        (format!("from={long}&to={to}"), 400, 103),
        (format!("from={from}&to={to}&page=-1"), 400, 102),
        (format!("from={from}&to={to}&page=one"), 400, 102),
        (format!("from={from}&to={to}&country=XX"), 400, 19),
        (format!("from={from}&to={to}&country=PER"), 400, 19),
        (format!("from={from}&to={to}&status=SETTLED"), 400, 104),
        (format!("from={from}&to={to}&paymentMethod=ZZZZ"), 400, 104),
        (format!("from=%ZZ&to={to}"), 400, 102),
    ] {
        let r = sim.get(&format!("/v1/deposits?{query}"), &token).await;
        r.assert_error(status, code);
    }
    sim.get(
        &format!("/v1/cashout?from={from}&to={to}&status=APPROVED"),
        &token,
    )
    .await
    .assert_error(400, 104);
    sim.get(&format!("/v1/balance/report?from={long}&to={to}"), &token)
        .await
        .assert_error(400, 103);
}

#[tokio::test]
async fn a_range_of_exactly_sixty_days_is_accepted() {
    let (sim, token, from, to) = signed_in(1).await;

    let r = sim
        .get(&format!("/v1/deposits?from={from}&to={to}"), &token)
        .await;

    assert_eq!(to - from, 60 * DAY);
    assert_eq!(r.status, 200);
}
