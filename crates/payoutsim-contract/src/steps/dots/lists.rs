//! Dots' cursor pages: `limit` (1 to 100, default 10), `starting_after` / `ending_before` (an
//! object id), answered `{"data": […], "has_more": …}`. A user's transfers (`user_id=…`) are the
//! scenario's own even on a shared sandbox app, so most list scenarios read those.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{make, read, request, resolve};
use crate::params::Names;
use crate::world::ContractWorld;

/// Transfers of `cents` from the app to `user`, one per name, made in the order named.
#[given(expr = "Dots transfers {names} of {int} cent(s) each from the app to {string}")]
async fn transfers(
    w: &mut ContractWorld,
    step: &cucumber::gherkin::Step,
    names: Names,
    cents: i64,
    user: String,
) {
    let body = json!({"amount": -cents, "user_id": w.dots.id("user", &user)});
    for name in names.0 {
        let at = ("POST", "/api/v2/transfers");
        make(w, step, at, &body, ("transfer", &name), &[200]).await;
    }
}

#[when(expr = "I list the Dots transfers of {string} with {string}")]
async fn list_transfers(w: &mut ContractWorld, user: String, query: String) {
    let id = w.dots.id("user", &user);
    let query = resolve(w, &query);
    let sep = if query.is_empty() { "" } else { "&" };
    let path = format!("/api/v2/transfers?user_id={id}{sep}{query}");
    request(w, "GET", &path, None).await;
}

/// The names the scenario gave the listed objects of `kind`, in the order listed (an object it
/// did not name shows as `?<id>`).
fn listed(w: &ContractWorld, kind: &str, data: &[Value]) -> Vec<String> {
    (data.iter())
        .map(|o| {
            let id = o["id"].as_str().unwrap_or_default();
            w.dots.name_of(kind, id).unwrap_or_else(|| format!("?{id}"))
        })
        .collect()
}

/// The object kind of a list's plural (`transfers`, `users`, `links`, `batches`).
fn kind_of(plural: &str) -> &'static str {
    match plural {
        "transfers" => "transfer",
        "payouts" => "payout",
        "users" => "user",
        "links" => "link",
        "batches" => "batch",
        other => panic!("Dots lists transfers, payouts, users, links or batches, not {other:?}"),
    }
}

#[then(expr = "the Dots page lists the {word} {names}, and has_more is {word}")]
fn page_lists(w: &mut ContractWorld, plural: String, names: Names, more: String) {
    let body = w.last_json();
    assert_eq!(w.last().status, 200, "{:?}", w.last());
    let data = body["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(listed(w, kind_of(&plural), &data), names.0, "{body}");
    let more: bool = more
        .parse()
        .unwrap_or_else(|_| panic!("has_more is true or false"));
    assert_eq!(body["has_more"], json!(more), "{body}");
}

#[then(expr = "the Dots page holds {int} {word}, and has_more is {word}")]
fn page_holds(w: &mut ContractWorld, n: usize, _plural: String, more: String) {
    let body = w.last_json();
    assert_eq!(w.last().status, 200, "{:?}", w.last());
    let len = body["data"].as_array().map(Vec::len);
    assert_eq!(len, Some(n), "{body}");
    let more: bool = more
        .parse()
        .unwrap_or_else(|_| panic!("has_more is true or false"));
    assert_eq!(body["has_more"], json!(more), "{body}");
}

/// Reads every page of the user's transfers, `limit` at a time, from the newest (following
/// `starting_after`) or, with `backwards`, from the oldest page back (`ending_before`); the
/// names in the order read, and the size of each page.
async fn every_page(
    w: &ContractWorld,
    user: &str,
    limit: usize,
    backwards: bool,
) -> (Vec<String>, Vec<usize>) {
    let id = w.dots.id("user", user);
    let base = format!("/api/v2/transfers?user_id={id}&limit={limit}");
    let (mut names, mut sizes, mut cursor): (Vec<String>, Vec<usize>, Option<String>) =
        (Vec::new(), Vec::new(), None);
    for _ in 0..1000 {
        let path = match (&cursor, backwards) {
            (None, false) => base.clone(),
            (None, true) => format!("{base}&reverse_order=true"),
            (Some(c), false) => format!("{base}&starting_after={c}"),
            (Some(c), true) => format!("{base}&reverse_order=true&starting_after={c}"),
        };
        let page = read(w, &path).await;
        let data = page["data"].as_array().cloned().unwrap_or_default();
        sizes.push(data.len());
        names.extend(listed(w, "transfer", &data));
        cursor = data
            .last()
            .and_then(|t| t["id"].as_str())
            .map(str::to_string);
        if page["has_more"] != json!(true) {
            return (names, sizes);
        }
    }
    panic!("more than 1000 pages of transfers: {names:?}");
}

#[then(
    expr = "reading every page of the Dots transfers of {string}, {int} at a time, lists {names} in pages of {names}"
)]
async fn every_page_lists(
    w: &mut ContractWorld,
    user: String,
    limit: usize,
    names: Names,
    sizes: Names,
) {
    let (read, got) = every_page(w, &user, limit, false).await;
    assert_eq!(read, names.0, "transfers read, newest first");
    let got: Vec<String> = got.iter().map(usize::to_string).collect();
    assert_eq!(got, sizes.0, "page sizes");
}

#[then(
    expr = "reading every page of the Dots transfers of {string} oldest first, {int} at a time, lists {names}"
)]
async fn every_page_oldest_first(w: &mut ContractWorld, user: String, limit: usize, names: Names) {
    let (read, _) = every_page(w, &user, limit, true).await;
    assert_eq!(read, names.0, "transfers read, oldest first");
}
