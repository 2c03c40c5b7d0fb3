//! What the suite runs against, chosen from the environment once per run.
//!
//! | `PAYOUTSIM_TARGET` | needs | runs |
//! |---|---|---|
//! | unset or `in-process` | nothing | a fresh simulator per scenario, manual clock, free ports |
//! | `url` | `PAYOUTSIM_ADMIN_URL`, `PAYOUTSIM_ONEPAY_URL` (and `PAYOUTSIM_<PROVIDER>_URL` for the others) | a running simulator, fresh random keys per scenario |
//! | `sandbox` | `ONEPAY_BASE_URL`, `ONEPAY_API_KEY` | the real OnePay sandbox; `@sim` scenarios are left out |
//!
//! With `url`, `PAYOUTSIM_ADMIN_TOKEN` is sent as the admin API's bearer token when set.

use std::collections::BTreeMap;
use std::env;
use std::sync::OnceLock;

/// The providers whose base URLs a target may give.
pub const PROVIDERS: [&str; 5] = ["onspot", "onepay", "kashpay", "tupay", "dots"];

/// The system under test.
#[derive(Clone, Debug)]
pub enum Target {
    /// A fresh in-process simulator per scenario (`ServeConfig::for_tests()`).
    InProcess,
    /// A simulator somebody else started: never reset, every scenario uses its own keys.
    Url {
        admin: String,
        admin_token: Option<String>,
    },
    /// OnePay's real sandbox, with the one key it gave us.
    Sandbox { key: String },
}

impl Target {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| {
            env::var(name)
                .map(|v| v.trim_end_matches('/').to_string())
                .map_err(|_| format!("{name} must be set for PAYOUTSIM_TARGET={}", target_name()))
        };
        match target_name().as_str() {
            "" | "in-process" | "inprocess" => Ok(Self::InProcess),
            // OnePay's URL is still required; the World reads it, like the others', from
            // `provider_urls`.
            "url" => Ok(Self::Url {
                admin: var("PAYOUTSIM_ONEPAY_URL").and(var("PAYOUTSIM_ADMIN_URL"))?,
                admin_token: env::var("PAYOUTSIM_ADMIN_TOKEN")
                    .ok()
                    .filter(|t| !t.is_empty()),
            }),
            "sandbox" => Ok(Self::Sandbox {
                key: var("ONEPAY_BASE_URL").and(var("ONEPAY_API_KEY"))?,
            }),
            other => Err(format!(
                "unknown PAYOUTSIM_TARGET `{other}` (in-process, url, sandbox)"
            )),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::InProcess => "in-process",
            Self::Url { .. } => "url",
            Self::Sandbox { .. } => "sandbox",
        }
    }

    /// Whether the target has payoutsim's admin API (clock, back office, journal, deliveries)
    /// and its guarantees (fresh tenants, live keys on demand, magic values). `@sim` scenarios
    /// need it.
    pub fn is_simulator(&self) -> bool {
        !matches!(self, Self::Sandbox { .. })
    }

    /// Provider base URLs given by the environment: `PAYOUTSIM_<PROVIDER>_URL` on a running
    /// simulator, `<PROVIDER>_BASE_URL` on the real sandboxes (OnePay's is the one required).
    pub fn provider_urls(&self) -> BTreeMap<String, String> {
        let suffix = match self {
            Self::InProcess => return BTreeMap::new(),
            Self::Url { .. } => |p: &str| format!("PAYOUTSIM_{}_URL", p.to_ascii_uppercase()),
            Self::Sandbox { .. } => |p: &str| format!("{}_BASE_URL", p.to_ascii_uppercase()),
        };
        PROVIDERS
            .iter()
            .filter_map(|p| {
                let url = env::var(suffix(p)).ok().filter(|u| !u.is_empty())?;
                Some((p.to_string(), url.trim_end_matches('/').to_string()))
            })
            .collect()
    }

    /// Whether the scenarios of `features/<folder>/` run on this target. A simulator runs them
    /// all. On the real sandboxes only OnePay's steps know how to use sandbox credentials today
    /// (`ONEPAY_API_KEY`), so the other providers' folders are left out there.
    pub fn covers(&self, folder: &str) -> bool {
        match self {
            Self::Sandbox { .. } => folder == "onepay",
            _ => true,
        }
    }

    /// The admin API's bearer token, if the target needs one.
    pub fn admin_token(&self) -> Option<&str> {
        match self {
            Self::Url { admin_token, .. } => admin_token.as_deref(),
            _ => None,
        }
    }
}

fn target_name() -> String {
    env::var("PAYOUTSIM_TARGET")
        .unwrap_or_default()
        .to_ascii_lowercase()
}

static TARGET: OnceLock<Target> = OnceLock::new();

/// Fixes the target for the run (called once by `main`).
pub fn set(target: Target) {
    let _ = TARGET.set(target);
}

/// The target of this run.
pub fn get() -> &'static Target {
    TARGET.get_or_init(|| Target::InProcess)
}
