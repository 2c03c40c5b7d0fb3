//! OnePay keys: `sk_test_…` and `sk_live_…`, each its own tenant. A scenario's keys have names
//! (`test`, `live`, or one it chooses) so it can switch between them.

use cucumber::{given, when};

use crate::params::Env;
use crate::world::{ContractWorld, unique};

/// The variable holding the sandbox's OnePay key (see `target::SANDBOX_CREDENTIALS`).
const API_KEY: &str = "ONEPAY_API_KEY";

/// A key of `kind` (`test` or `live`): a fresh random one on a simulator; on the sandbox, the
/// key we were given (a fresh tenant is not ours to make there).
fn new_key(w: &ContractWorld, kind: &str) -> String {
    if w.target.is_simulator() {
        return format!("sk_{kind}_{}", unique(24));
    }
    let key = w.target.credential(API_KEY).unwrap_or_else(|| {
        panic!("the sandbox target has no OnePay key: set {API_KEY} with ONEPAY_BASE_URL")
    });
    assert!(
        key.starts_with(&format!("sk_{kind}_")),
        "this scenario needs a {kind} key but {API_KEY} is not one; tag it @sim"
    );
    key.to_string()
}

pub(crate) fn add_key(w: &mut ContractWorld, env: Env, name: &str) {
    let key = new_key(w, env.name());
    w.onepay.keys.insert(name.to_string(), key.clone());
    w.onepay.key = Some(key);
}

#[given(expr = "a OnePay {env} key")]
#[when(expr = "I switch to a new OnePay {env} key")]
fn a_key(w: &mut ContractWorld, env: Env) {
    add_key(w, env, env.name());
}

#[given(expr = "a OnePay {env} key {string}")]
fn a_named_key(w: &mut ContractWorld, env: Env, name: String) {
    add_key(w, env, &name);
}

#[given(expr = "I use the key {string}")]
#[when(expr = "I use the key {string}")]
fn use_key(w: &mut ContractWorld, name: String) {
    let key = w.onepay.keys.get(&name).cloned();
    w.onepay.key = Some(key.unwrap_or_else(|| panic!("no key named {name:?} in this scenario")));
}
