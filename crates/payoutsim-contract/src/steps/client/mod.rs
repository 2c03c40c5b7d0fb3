//! The client steps (`@client` scenarios): the suite asks the client under test (the built-in
//! client or a team's adapter, `client_under_test.rs`) to perform operations, never HTTP, and
//! checks both what the client answered and what the provider ended with (through the admin API
//! and the journal, `@sim`).
//!
//! Generic over the provider; what differs (a fresh tenant and its credentials, a beneficiary,
//! where the provider keeps payouts and money) is in one small module per provider (`onepay`,
//! `kashpay`), chosen by the functions at the end of this file. A provider joins by adding its
//! module and an arm to each of them.
//!
//! The scenario's references are scoped like its idempotency keys (`"k1"` is this scenario's
//! `k1`, sent as `k1x<scope>`), so scenarios never meet on a shared simulator.

mod dots;
mod kashpay;
mod onepay;
mod onspot;
mod tupay;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::DateTime;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use crate::adapter::{ClientError, ErrorKind, Outcome, SleepMode};
use crate::client_under_test::{ClientUnderTest, Clock, run_client};
use crate::params::{Names, ProviderName, Verb};
use crate::steps::journal;
use crate::steps::webhooks::delivered;
use crate::world::ContractWorld;

/// Where a fresh tenant is and who the client is there.
pub struct Tenant {
    pub base_url: String,
    pub credentials: Value,
    pub webhook_secret: Option<String>,
}

/// What a client scenario holds: the client, the provider it was configured for, the
/// beneficiaries arranged, what the client answered, and the webhook deliveries handed to it.
#[derive(Default)]
pub struct ClientState {
    client: Option<ClientUnderTest>,
    provider: Option<ProviderName>,
    waits: Arc<Mutex<Vec<f64>>>,
    beneficiaries: BTreeMap<String, Value>,
    /// The result of each create that succeeded, by the reference's name in the scenario.
    created: BTreeMap<String, Value>,
    last: Option<Outcome>,
    /// Wall time the last operation took.
    elapsed: Duration,
    /// Deliveries of the receiver already handed to the client.
    handed: usize,
    verdicts: Vec<String>,
    /// The provider's balance (minor units) when the first beneficiary was arranged.
    pub noted_balance: Option<i128>,
    /// The days (`YYYY-MM-DD`, both included) the client's last list covered (Tupay).
    list_range: Option<(String, String)>,
}

impl std::fmt::Debug for ClientState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientState")
            .field("provider", &self.provider)
            .field("created", &self.created)
            .field("last", &self.last)
            .field("verdicts", &self.verdicts)
            .finish_non_exhaustive()
    }
}

impl ClientState {
    /// Gives the client back (an adapter goes to the next scenario).
    pub fn release(&mut self) {
        self.client = None;
    }
}

fn provider(w: &ContractWorld) -> ProviderName {
    w.under_test.provider.unwrap_or_else(|| {
        panic!("no client yet: start with `Given the client is configured for a fresh <provider> tenant`")
    })
}

/// The clock the client's waits move: every tenant of the scenario, on a simulator.
fn clock(w: &ContractWorld) -> Clock {
    let tenants = ProviderName::ALL
        .into_iter()
        .flat_map(|p| w.state(p).tenants())
        .collect();
    Clock {
        admin: w.admin_url.clone().filter(|_| w.target.is_simulator()),
        admin_token: w.target.admin_token().map(str::to_string),
        tenants,
        waits: Arc::clone(&w.under_test.waits),
    }
}

/// The reference sent for the scenario's reference `name`: for Dots a UUID (as its
/// `idempotency_key` must be); for the others its letters and digits and the scenario's scope
/// (letters and digits only, as Kashpay's `alphanumericReference` must be).
fn reference(w: &ContractWorld, name: &str) -> String {
    match w.under_test.provider {
        Some(ProviderName::Dots) => w.dots.idempotency_key(name),
        _ => {
            let plain: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
            format!("{plain}x{}", w.scope)
        }
    }
}

/// Performs `op` with the scenario's client; its outcome is kept as the client's answer. A
/// broken adapter fails the scenario with what it did wrong.
async fn perform(w: &mut ContractWorld, op: &str, params: Value) -> Outcome {
    let p = provider(w);
    assert!(
        run_client().supports(p.id(), op),
        "the client does not support {op} for {p}: tag the scenario @needs:{op}"
    );
    let clock = clock(w);
    let client = (w.under_test.client.as_mut()).unwrap_or_else(|| panic!("no client yet"));
    let started = Instant::now();
    let outcome = client
        .perform(p.id(), op, params, &clock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    w.under_test.elapsed = started.elapsed();
    w.under_test.last = Some(outcome.clone());
    outcome
}

/// [`perform`], for a step whose outcome is checked by the steps after it.
async fn ask(w: &mut ContractWorld, op: &str, params: Value) {
    let _kept_as_the_answer = perform(w, op, params).await;
}

fn answer(w: &ContractWorld) -> &Outcome {
    (w.under_test.last.as_ref()).unwrap_or_else(|| panic!("the client performed nothing yet"))
}

fn result(w: &ContractWorld) -> &Value {
    match answer(w) {
        Ok(v) => v,
        Err(e) => panic!("the client answered an error: {e:?}"),
    }
}

fn error(w: &ContractWorld) -> &ClientError {
    match answer(w) {
        Err(e) => e,
        Ok(v) => panic!("the client answered a result, not an error: {v}"),
    }
}

fn created_id(w: &ContractWorld, name: &str) -> String {
    let created = w.under_test.created.get(name);
    let id = created.and_then(|c| c["id"].as_str());
    id.unwrap_or_else(|| panic!("the client created no payout under reference {name:?}"))
        .to_string()
}

// ---- arranging ------------------------------------------------------------------------------

#[given(expr = "the client is configured for a fresh {provider} tenant")]
async fn configured(w: &mut ContractWorld, p: ProviderName) {
    if w.under_test.client.is_none() {
        let client = ClientUnderTest::take(&run_client()).await;
        w.under_test.client = Some(client.unwrap_or_else(|e| panic!("{e}")));
    }
    let tenant = fresh_tenant(w, p).await;
    w.under_test.provider = Some(p);
    let client = (w.under_test.client.as_mut()).unwrap_or_else(|| panic!("no client"));
    let configured = client
        .configure(
            p.id(),
            &tenant.base_url,
            tenant.credentials,
            tenant.webhook_secret.as_deref(),
        )
        .await;
    configured.unwrap_or_else(|e| panic!("{e}"));
}

#[given(expr = "a beneficiary {string}")]
async fn a_beneficiary(w: &mut ContractWorld, name: String) {
    let p = provider(w);
    let beneficiary = arrange_beneficiary(w, p, &name).await;
    w.under_test.beneficiaries.insert(name, beneficiary);
    if w.under_test.noted_balance.is_none() {
        w.under_test.noted_balance = balance(w, p).await;
    }
}

// ---- operations -----------------------------------------------------------------------------

#[when(expr = "the client creates a payout of {word} to {string} with reference {string}")]
async fn creates(w: &mut ContractWorld, amount: String, beneficiary: String, name: String) {
    let p = provider(w);
    let to = (w.under_test.beneficiaries.get(&beneficiary).cloned())
        .unwrap_or_else(|| panic!("no beneficiary {beneficiary:?}: `Given a beneficiary`"));
    let params = json!({"reference": reference(w, &name), "amount": amount,
        "currency": currency(p), "beneficiary": to});
    if let Ok(created) = perform(w, "payout.create", params).await {
        w.under_test.created.insert(name, created);
    }
}

#[when(expr = "the client reads the payout with reference {string}")]
async fn reads(w: &mut ContractWorld, name: String) {
    let id = created_id(w, &name);
    ask(w, "payout.get", json!({ "id": id })).await;
}

/// A payout id `p` never issued (a fresh random one).
#[when(expr = "the client reads a payout {provider} does not know")]
async fn reads_unknown(w: &mut ContractWorld, _p: ProviderName) {
    let id = format!("unknown-{}", crate::world::unique(12));
    ask(w, "payout.get", json!({ "id": id })).await;
}

#[when(expr = "the client finds the payout with reference {string}")]
async fn finds(w: &mut ContractWorld, name: String) {
    let reference = reference(w, &name);
    ask(w, "payout.find", json!({ "reference": reference })).await;
}

#[when("the client reads the balance")]
async fn reads_balance(w: &mut ContractWorld) {
    ask(w, "balance.get", json!({})).await;
}

/// Hands a delivery to the client (`webhook.receive`) and keeps its verdict.
async fn hand(w: &mut ContractWorld, headers: &BTreeMap<String, String>, body: String) {
    let params = json!({"headers": headers, "body": body});
    let verdict = perform(w, "webhook.receive", params).await;
    let verdict = verdict.unwrap_or_else(|e| panic!("webhook.receive failed: {e:?}"));
    let text = verdict["verdict"].as_str().unwrap_or_default().to_string();
    w.under_test.verdicts.push(text);
}

#[when("the webhook deliveries are handed to the client")]
async fn hand_deliveries(w: &mut ContractWorld) {
    let got = delivered(w).await;
    let fresh: Vec<_> = got.into_iter().skip(w.under_test.handed).collect();
    w.under_test.handed += fresh.len();
    for delivery in fresh {
        let body = String::from_utf8_lossy(&delivery.body).into_owned();
        hand(w, &delivery.headers, body).await;
    }
}

/// The last delivery with its payout's status changed to `failed`, under its own signature: a
/// forgery a client that checks signatures refuses.
#[when("a forged copy of the last webhook delivery is handed to the client")]
async fn hand_forgery(w: &mut ContractWorld) {
    let got = delivered(w).await;
    let last = got.last().cloned().unwrap_or_else(|| panic!("no delivery"));
    let mut body = last.json();
    body["data"]["status"] = json!("failed");
    hand(w, &last.headers, body.to_string()).await;
}

// ---- the client's answer --------------------------------------------------------------------

#[then(expr = "the client's answer is a payout with status {string}")]
fn answer_is_payout(w: &mut ContractWorld, status: String) {
    let r = result(w);
    assert!(
        r["id"].as_str().is_some_and(|id| !id.is_empty()),
        "no id: {r}"
    );
    assert_eq!(r["status"], json!(status), "{r}");
}

#[then(expr = "the client's answer field {string} is {string}")]
fn answer_field(w: &mut ContractWorld, field: String, value: String) {
    let r = result(w);
    let got = super::field(r, &field).unwrap_or_else(|| panic!("no field {field:?}: {r}"));
    assert_eq!(got, &json!(value), "{r}");
}

#[then("the client's answer says no payout was found")]
fn answer_not_found(w: &mut ContractWorld) {
    let r = result(w);
    assert_eq!(r["found"], json!(false), "{r}");
}

#[then(expr = "the client's answer is a(n) {word} error")]
fn answer_is_error(w: &mut ContractWorld, kind: String) {
    let e = error(w);
    assert_eq!(format!("{:?}", e.kind).to_lowercase(), kind, "{e:?}");
}

/// The client got no answer it could read, and says so: `connection`, `timeout` or `unknown`
/// are all honest reports of a create whose outcome it cannot know (the protocol's taxonomy
/// leaves the choice to the client); a result or a rejection is not.
#[then("the client's answer leaves the outcome unknown")]
fn answer_leaves_outcome_unknown(w: &mut ContractWorld) {
    let e = error(w);
    assert!(
        matches!(
            e.kind,
            ErrorKind::Connection | ErrorKind::Timeout | ErrorKind::Unknown
        ),
        "the outcome is unknown to the client, which answered {e:?}"
    );
}

#[then(expr = "the client's answer is a rejection with status {int} and code {string}")]
fn answer_is_rejection(w: &mut ContractWorld, status: u16, code: String) {
    let e = error(w);
    assert_eq!(format!("{:?}", e.kind), "Rejected", "{e:?}");
    assert_eq!(e.status, Some(status), "{e:?}");
    let got = match &e.code {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    assert_eq!(got, code, "{e:?}");
}

#[then(expr = "the client's verdicts are {names}")]
fn verdicts_are(w: &mut ContractWorld, verdicts: Names) {
    assert_eq!(w.under_test.verdicts, verdicts.0, "the client's verdicts");
}

#[then(expr = "the client knows the payout with reference {string} as {string}")]
async fn knows(w: &mut ContractWorld, name: String, status: String) {
    let id = created_id(w, &name);
    let known = perform(w, "payout.known_status", json!({ "id": id })).await;
    let known = known.unwrap_or_else(|e| panic!("payout.known_status failed: {e:?}"));
    assert_eq!(known["status"], json!(status), "what the client knows");
}

// ---- the provider's end state ---------------------------------------------------------------

#[then(expr = "{provider} holds {int} payout(s) under reference {string}")]
async fn holds(w: &mut ContractWorld, p: ProviderName, n: usize, name: String) {
    let reference = reference(w, &name);
    let found = payouts_under(w, p, &reference).await;
    assert_eq!(found.len(), n, "{p}'s payouts under {reference}: {found:?}");
}

#[then(expr = "{provider} has the payout with reference {string} as {string}")]
async fn provider_has(w: &mut ContractWorld, p: ProviderName, name: String, status: String) {
    let reference = reference(w, &name);
    let found = payouts_under(w, p, &reference).await;
    let [payout] = found.as_slice() else {
        panic!("not exactly one payout under {reference}: {found:?}");
    };
    assert_eq!(payout_status(payout), status, "{payout}");
}

#[then(expr = "{provider}'(s) balance has gone down by exactly {word}")]
async fn gone_down(w: &mut ContractWorld, p: ProviderName, amount: String) {
    let debited = debited(w, p).await;
    assert_eq!(
        debited,
        minor_units(&amount),
        "{p} debited {debited} hundredths"
    );
}

// ---- what the client did, from the journal --------------------------------------------------

/// The journal's entries of the client's provider and tenant, `verb path` (any when `None`).
async fn sent(w: &ContractWorld, only: Option<(&Verb, &str)>) -> Vec<Value> {
    let p = provider(w);
    match only {
        Some((verb, path)) => journal::entries(w, p, verb, path).await,
        None => {
            let query = format!(
                "/__admin/requests?provider={}&tenant={}&limit=1000",
                p.id(),
                w.state(p).tenant()
            );
            let journal = w.admin("GET", &query, None).await;
            journal["requests"].as_array().cloned().unwrap_or_default()
        }
    }
}

#[then(expr = "the client sent {int} {verb} {string}")]
async fn sent_n(w: &mut ContractWorld, n: usize, verb: Verb, path: String) {
    let entries = sent(w, Some((&verb, &path))).await;
    assert_eq!(
        entries.len(),
        n,
        "{} {path} in the journal: {entries:?}",
        verb.0
    );
}

/// Simulated seconds from one journal entry to another.
fn seconds_between(a: &Value, b: &Value) -> f64 {
    let at = |e: &Value| {
        let text = e["at"].as_str().unwrap_or_default();
        DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|err| panic!("journal `at` {text:?}: {err}"))
    };
    let gap = at(b) - at(a);
    gap.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6
}

/// On the simulated clock when the client lets the suite drive it (the journal's times), in wall
/// time otherwise (the whole operation's).
#[then(expr = "the client waited at least {int} seconds before retrying {verb} {string}")]
async fn waited(w: &mut ContractWorld, seconds: u32, verb: Verb, path: String) {
    let entries = sent(w, Some((&verb, &path))).await;
    let refused = (entries.iter()).position(|e| e["fault"].is_string() || e["status"] == 429);
    let refused = refused.unwrap_or_else(|| panic!("no refused {} {path}: {entries:?}", verb.0));
    let retry = (entries.get(refused + 1))
        .unwrap_or_else(|| panic!("the client did not retry {} {path}: {entries:?}", verb.0));
    let waited = match run_client().sleep_mode() {
        SleepMode::Suite => seconds_between(&entries[refused], retry),
        SleepMode::Wall => w.under_test.elapsed.as_secs_f64(),
    };
    assert!(
        waited >= f64::from(seconds),
        "the client retried {} {path} after {waited} s, not {seconds} s (it asked to wait {:?})",
        verb.0,
        clock(w).waits()
    );
}

/// After the first `verb path` (the one whose answer was lost), the client read with `read_verb
/// read_path` before it sent `verb path` again, if it ever did.
#[then(expr = "the client read back with {verb} {string} before sending {verb} {string} again")]
async fn read_back(
    w: &mut ContractWorld,
    read_verb: Verb,
    read_path: String,
    verb: Verb,
    path: String,
) {
    let entries = sent(w, None).await;
    let is = |e: &Value, v: &Verb, p: &str| e["method"] == json!(v.0) && e["path"] == json!(p);
    let first = (entries.iter()).position(|e| is(e, &verb, &path));
    let first = first.unwrap_or_else(|| panic!("no {} {path}: {entries:?}", verb.0));
    let after = &entries[first + 1..];
    let read = after.iter().position(|e| is(e, &read_verb, &read_path));
    let again = after.iter().position(|e| is(e, &verb, &path));
    match (read, again) {
        (Some(r), Some(a)) => assert!(
            r < a,
            "{} {path} was sent again before the read back",
            verb.0
        ),
        (Some(_), None) => {}
        (None, _) => panic!(
            "the client never read back with {} {read_path}: {entries:?}",
            read_verb.0
        ),
    }
}

// ---- per provider ---------------------------------------------------------------------------

/// A fresh tenant at `p`, made for the client.
async fn fresh_tenant(w: &mut ContractWorld, p: ProviderName) -> Tenant {
    match p {
        ProviderName::OnePay => onepay::fresh_tenant(w).await,
        ProviderName::Kashpay => kashpay::fresh_tenant(w).await,
        ProviderName::Dots => dots::fresh_tenant(w).await,
        ProviderName::OnSpot => onspot::fresh_tenant(w),
        ProviderName::Tupay => tupay::fresh_tenant(w),
    }
}

/// A beneficiary at `p`: the `beneficiary` of `payout.create`.
async fn arrange_beneficiary(w: &mut ContractWorld, p: ProviderName, name: &str) -> Value {
    match p {
        ProviderName::OnePay => onepay::beneficiary(w, name).await,
        ProviderName::Kashpay => kashpay::beneficiary(name),
        ProviderName::Dots => dots::beneficiary(w, name).await,
        ProviderName::OnSpot => onspot::beneficiary(name),
        other => panic!("the client steps have no arrangement for {other} yet"),
    }
}

fn currency(p: ProviderName) -> &'static str {
    match p {
        ProviderName::OnePay => "COP",
        ProviderName::Kashpay => "MXN",
        ProviderName::OnSpot | ProviderName::Dots => "USD",
        ProviderName::Tupay => "COP",
    }
}

/// The payouts `p` holds for the scenario's tenant under `reference` (admin API).
async fn payouts_under(w: &ContractWorld, p: ProviderName, reference: &str) -> Vec<Value> {
    let (kind, field) = match p {
        ProviderName::OnePay => ("cashout", "external_id"),
        ProviderName::Kashpay => ("order", "alphanumericReference"),
        // Neither keeps the reference where the admin API shows it (Dots does not return a
        // payout's idempotency_key, OnSpot has none): a client scenario's fresh tenant holds
        // only the payouts its client made, all of them under the scenario's one reference.
        ProviderName::Dots => return dots::payouts(&objects(w, p, "transfer").await),
        ProviderName::OnSpot => return onspot::payouts(&objects(w, p, "payout").await),
        other => panic!("the client steps have no arrangement for {other} yet"),
    };
    let objects = objects(w, p, kind).await;
    (objects.into_iter())
        .map(|o| o["object"].clone())
        .filter(|o| o[field] == json!(reference))
        .collect()
}

/// The status of a payout object as the client's operations report it: a word, or a number's
/// digits (Kashpay's `25`).
fn payout_status(payout: &Value) -> String {
    amount_text(&payout["status"])
}

/// The tenant's available balance at `p` in minor units (admin API), `None` while `p` does not
/// know the tenant yet.
async fn balance(w: &ContractWorld, p: ProviderName) -> Option<i128> {
    let (kind, path) = match p {
        ProviderName::OnePay => ("balance", "object.available"),
        ProviderName::Kashpay => ("entity", "money.balance"),
        ProviderName::Dots => return dots::wallet_cents(&objects(w, p, "app").await),
        // A test key pair's payouts touch no balance (OnSpot activates them at once).
        ProviderName::OnSpot => return None,
        other => panic!("the client steps have no arrangement for {other} yet"),
    };
    let objects = objects(w, p, kind).await;
    let amount = super::field(objects.first()?, path).map(amount_text)?;
    Some(minor_units(&amount))
}

/// What `p` has debited the tenant since the scenario noted its balance (OnePay: when the
/// beneficiary was arranged), or since it was funded (Kashpay: an entity exists only once the
/// client has signed in, and its opening balance is its funding).
async fn debited(w: &ContractWorld, p: ProviderName) -> i128 {
    let now = balance(w, p).await;
    let now = now.unwrap_or_else(|| panic!("{p} does not know the scenario's tenant"));
    let before = match p {
        ProviderName::Kashpay => {
            let objects = objects(w, p, "entity").await;
            let funded = objects
                .first()
                .and_then(|e| super::field(e, "money.funded"));
            funded.map(|f| minor_units(&amount_text(f)))
        }
        _ => w.under_test.noted_balance,
    };
    let before = before.unwrap_or_else(|| panic!("{p}'s balance was never noted"));
    before - now
}

/// The objects of `kind` the admin API holds for the scenario's tenant at `p`.
async fn objects(w: &ContractWorld, p: ProviderName, kind: &str) -> Vec<Value> {
    let query = format!(
        "/__admin/providers/{}/objects?kind={kind}&tenant={}&limit=1000",
        p.id(),
        w.state(p).tenant()
    );
    let answer = w.admin("GET", &query, None).await;
    answer["objects"].as_array().cloned().unwrap_or_default()
}

fn amount_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A decimal amount (`"50000"`, `"12.5"`, `"12.50"`) in hundredths.
fn minor_units(text: &str) -> i128 {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let cents: String = fraction.chars().chain("00".chars()).take(2).collect();
    let parse = |s: &str| {
        s.parse::<i128>()
            .unwrap_or_else(|e| panic!("amount {text:?} is not a decimal: {e}"))
    };
    parse(whole) * 100 + parse(&cents)
}
