//! OnePay keys: `sk_test_…` and `sk_live_…`, each its own tenant. A scenario's keys have names
//! (`test`, `live`, or one it chooses) so it can switch between them.

use cucumber::{given, when};

use crate::params::Env;
use crate::world::ContractWorld;

fn add_key(w: &mut ContractWorld, env: Env, name: &str) {
    let key = w.new_key(env.name());
    w.keys.insert(name.to_string(), key.clone());
    w.key = Some(key);
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
    let key = w.keys.get(&name).cloned();
    w.key = Some(key.unwrap_or_else(|| panic!("no key named {name:?} in this scenario")));
}
