//! Tupay lists: `GET /v1/deposits` and `GET /v1/cashout` (D24's `/v1/cashouts` too) for "the
//! last N days", one page or every page (`page` from 0 while `rows == maxRows`), with filters,
//! and what the pages held.

use std::collections::BTreeSet;

use cucumber::{given, then, when};
use serde_json::Value;

use super::{last_days, signed};
use crate::steps::field;
use crate::world::ContractWorld;

/// The path of a list by the name a step gives it: Tupay's spelling (`cashouts` is
/// `/v1/cashout`), or D24's (`cashouts as D24 spells them`).
fn path_of(list: &str) -> &'static str {
    match list {
        "deposits" => "/v1/deposits",
        "cashouts" => "/v1/cashout",
        "D24-cashouts" => "/v1/cashouts",
        other => panic!("unknown Tupay list {other:?} (deposits, cashouts, D24-cashouts)"),
    }
}

fn keep_items(w: &mut ContractWorld) {
    let body = w.last_json();
    w.tupay.items = body["data"].as_array().cloned().unwrap_or_default();
}

async fn list_page(w: &mut ContractWorld, list: &str, days: i64, page: u64, extra: &str) {
    let range = last_days(w, days).await;
    let path = format!("{}?{range}&page={page}{}", path_of(list), with(extra));
    let request = signed(w, "GET", &path);
    w.exchange(request).await;
    keep_items(w);
}

fn with(extra: &str) -> String {
    if extra.is_empty() {
        String::new()
    } else {
        format!("&{extra}")
    }
}

#[when(expr = "I list Tupay {word} for the last {int} days")]
async fn list_first(w: &mut ContractWorld, list: String, days: i64) {
    list_page(w, &list, days, 0, "").await;
}

#[when(expr = "I list Tupay {word} for the last {int} days with {string}")]
async fn list_with(w: &mut ContractWorld, list: String, days: i64, extra: String) {
    list_page(w, &list, days, 0, &extra).await;
}

#[when(expr = "I list page {int} of Tupay {word} for the last {int} days")]
async fn list_nth(w: &mut ContractWorld, page: u64, list: String, days: i64) {
    list_page(w, &list, days, page, "").await;
}

#[when(expr = "I list Tupay {word} with from after to")]
async fn list_reversed(w: &mut ContractWorld, list: String) {
    let to = super::now(w).await;
    let path = format!("{}?from={to}&to={}", path_of(&list), to - 86_400);
    let request = signed(w, "GET", &path);
    w.exchange(request).await;
}

/// A page that may be cut off by a fault: its transport error is the outcome.
#[when(expr = "I try to list Tupay {word} for the last {int} days")]
async fn try_list(w: &mut ContractWorld, list: String, days: i64) {
    let range = last_days(w, days).await;
    let request = signed(w, "GET", &format!("{}?{range}", path_of(&list)));
    w.try_exchange(request).await;
}

/// Reads page 0, 1, … of `list` for `range` (`from=…&to=…`) while `rows == maxRows`; on a 401,
/// logs in again (when `relogin`) and asks for the same page.
async fn read_all(w: &mut ContractWorld, list: &str, range: &str, extra: &str, relogin: bool) {
    let (mut items, mut rows, mut expired) = (Vec::new(), Vec::new(), 0);
    let mut page = 0u64;
    while page < 1_000 {
        let path = format!("{}?{range}&page={page}{}", path_of(list), with(extra));
        let request = signed(w, "GET", &path);
        let status = w.exchange(request).await.status;
        if status == 401 && relogin && expired < 10 {
            expired += 1;
            super::sessions::relogin(w).await;
            continue;
        }
        let body = w.last_json();
        assert_eq!(status, 200, "page {page}: {:?}", w.last());
        assert_eq!(body["page"], page, "{body}");
        let data = body["data"].as_array().cloned().unwrap_or_default();
        let full = data.len() as u64 == body["maxRows"].as_u64().unwrap_or(50);
        rows.push(data.len() as u64);
        items.extend(data);
        if !full {
            break;
        }
        page += 1;
    }
    w.tupay.items = items.clone();
    w.tupay.rows = rows;
    w.tupay.expired_pages = expired;
    w.tupay.read.insert(format!("{list}{}", with(extra)), items);
}

#[given(expr = "the Tupay range is the last {int} days")]
async fn fix_range(w: &mut ContractWorld, days: i64) {
    w.tupay.range = Some(last_days(w, days).await);
}

/// The range fixed by `Given the Tupay range is …`.
pub(super) fn that_range(w: &ContractWorld) -> String {
    (w.tupay.range.clone())
        .unwrap_or_else(|| panic!("fix it first: `Given the Tupay range is the last N days`"))
}

#[when(expr = "I read every page of Tupay {word} for the last {int} days")]
async fn read_every_page(w: &mut ContractWorld, list: String, days: i64) {
    let range = last_days(w, days).await;
    read_all(w, &list, &range, "", false).await;
}

#[when(expr = "I read every page of Tupay {word} for that range")]
async fn read_every_page_of_range(w: &mut ContractWorld, list: String) {
    let range = that_range(w);
    read_all(w, &list, &range, "", false).await;
}

#[when(expr = "I read every page of Tupay {word} for the last {int} days with {string}")]
async fn read_every_page_with(w: &mut ContractWorld, list: String, days: i64, extra: String) {
    let range = last_days(w, days).await;
    read_all(w, &list, &range, &extra, false).await;
}

#[when(
    expr = "I read every page of Tupay {word} for the last {int} days, logging in again when the session expires"
)]
async fn read_every_page_relogging(w: &mut ContractWorld, list: String, days: i64) {
    let range = last_days(w, days).await;
    read_all(w, &list, &range, "", true).await;
}

#[then(expr = "Tupay answered at least {int} pages, each of 50 rows but the last, which had fewer")]
fn pages_were_full(w: &mut ContractWorld, pages: usize) {
    let rows = &w.tupay.rows;
    assert!(rows.len() >= pages, "{rows:?}");
    let (last, full) = rows.split_last().unwrap_or((&0, &[]));
    assert!(full.iter().all(|r| *r == 50) && *last < 50, "{rows:?}");
}

#[then(expr = "Tupay answered {int} page(s) with an expired session")]
fn expired_pages(w: &mut ContractWorld, n: usize) {
    assert_eq!(w.tupay.expired_pages, n);
}

#[then(expr = "every Tupay item listed has {string} {string}")]
fn every_item_has(w: &mut ContractWorld, path: String, value: String) {
    let items = &w.tupay.items;
    assert!(!items.is_empty(), "nothing was listed");
    for item in items {
        let actual = field(item, &path).and_then(Value::as_str);
        assert_eq!(actual, Some(value.as_str()), "{item}");
    }
}

#[then("the Tupay items listed are newest first, none twice")]
fn newest_first(w: &mut ContractWorld) {
    let items = &w.tupay.items;
    let dates: Vec<&str> = (items.iter())
        .map(|i| i["creationDate"].as_str().unwrap_or_default())
        .collect();
    assert!(dates.windows(2).all(|d| d[0] >= d[1]), "{dates:?}");
    let ids: BTreeSet<String> = (items.iter())
        .map(|i| format!("{}{}", i["idDeposit"], i["idCashout"]))
        .collect();
    assert_eq!(ids.len(), items.len(), "an item listed twice");
}

#[then(
    expr = "the Tupay {word} read with {string} are those of the full read whose {string} is {string}"
)]
fn filtered_read(w: &mut ContractWorld, list: String, extra: String, path: String, value: String) {
    let full = (w.tupay.read.get(&list))
        .unwrap_or_else(|| panic!("read every page of Tupay {list} without a filter first"));
    let filtered = &w.tupay.read[&format!("{list}&{extra}")];
    let expected: Vec<&Value> = (full.iter())
        .filter(|i| field(i, &path).and_then(Value::as_str) == Some(value.as_str()))
        .collect();
    assert!(!expected.is_empty(), "the full read has no {path} {value}");
    assert_eq!(filtered.iter().collect::<Vec<_>>(), expected);
}

/// The first item of the last full read of `list`, its client's document.
fn first_client(w: &ContractWorld, list: &str) -> String {
    let full = (w.tupay.read.get(list))
        .unwrap_or_else(|| panic!("read every page of Tupay {list} without a filter first"));
    let first = full
        .first()
        .unwrap_or_else(|| panic!("no {list} were listed"));
    first["clientDocument"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[when(
    expr = "I read every page of Tupay {word} for the last {int} days by the {string} of the first listed client"
)]
async fn read_one_client(w: &mut ContractWorld, list: String, days: i64, parameter: String) {
    let document = first_client(w, &list);
    let range = last_days(w, days).await;
    read_all(w, &list, &range, &format!("{parameter}={document}"), false).await;
}

#[then(expr = "the Tupay {word} read by {string} are those of the full read of that client")]
fn one_client(w: &mut ContractWorld, list: String, parameter: String) {
    let document = first_client(w, &list);
    let filter = format!("{parameter}={document}");
    filtered_read(w, list, filter, "clientDocument".into(), document);
}

#[then(expr = "the Tupay list is an empty page {int}")]
fn empty_page(w: &mut ContractWorld, page: u64) {
    let body = w.last_json();
    assert_eq!(body["page"], page, "{body}");
    assert_eq!(
        (body["rows"].as_u64(), body["maxRows"].as_u64()),
        (Some(0), Some(50)),
        "{body}"
    );
    assert_eq!(body["data"], serde_json::json!([]));
}

#[then("the Tupay deposits read share no idDeposit nor idMerchant with those noted")]
fn disjoint(w: &mut ContractWorld) {
    let noted = (w.tupay.noted.as_ref())
        .and_then(|n| n.get("deposits"))
        .unwrap_or_else(|| panic!("note the first user's reconciliation first"));
    let ids = |items: &[Value], key: &str| -> BTreeSet<String> {
        items.iter().map(|i| i[key].to_string()).collect()
    };
    let now = &w.tupay.items;
    assert!(!now.is_empty() && !noted.is_empty());
    assert!(ids(now, "idDeposit").is_disjoint(&ids(noted, "idDeposit")));
    assert!(ids(now, "idMerchant").is_disjoint(&ids(noted, "idMerchant")));
}
