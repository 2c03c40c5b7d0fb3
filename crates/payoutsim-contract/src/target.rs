//! What the suite runs against, chosen from the environment once per run.
//!
//! | `PAYOUTSIM_TARGET` | needs | takes, for each provider it serves | runs |
//! |---|---|---|---|
//! | unset or `in-process` | nothing | nothing: it serves them all | a fresh simulator per scenario, manual clock, free ports |
//! | `url` | `PAYOUTSIM_ADMIN_URL` | `PAYOUTSIM_<PROVIDER>_URL` | a running simulator, fresh random credentials per scenario |
//! | `sandbox` | nothing | `<PROVIDER>_BASE_URL` and that provider's credentials (OnSpot: `ONSPOT_PUBLIC_KEY`, `ONSPOT_SECRET_KEY`, optionally `ONSPOT_ENVIRONMENT`; OnePay: `ONEPAY_API_KEY`; Kashpay: `KASHPAY_ENTITY`, `KASHPAY_USER`, `KASHPAY_PASSWORD`; Tupay: `TUPAY_ACCESS_KEY`, `TUPAY_SECRET_KEY`; Dots: `DOTS_CLIENT_ID`, `DOTS_API_KEY`) | the providers' real sandboxes; `@sim` scenarios are left out, and counted in a note |
//!
//! No provider is required, but at least one must be given. A provider's folder
//! (`features/<provider>/`) runs where the target has the provider's URL; where it has not, the
//! folder is left out and the run ends with a note saying so and which variable to set. On the
//! sandbox every provider's folder runs with the one set of credentials given
//! ([`Target::covers`]); a folder outside the providers' does not.
//!
//! With `url`, `PAYOUTSIM_ADMIN_TOKEN` is sent as the admin API's bearer token when set.

use std::collections::BTreeMap;
use std::env;
use std::sync::OnceLock;

/// The providers whose base URLs a target may give, by the simulator's names for them.
pub const PROVIDERS: [&str; 5] = ["onspot", "onepay", "kashpay", "tupay", "dots"];

/// The credentials each provider's sandbox needs, by environment variable, named after the
/// provider's own fields: a `<PROVIDER>_BASE_URL` without them is refused.
const SANDBOX_CREDENTIALS: [(&str, &[&str]); 5] = [
    // Generate Token's `publicKey` and `secretKey` headers.
    ("onspot", &["ONSPOT_PUBLIC_KEY", "ONSPOT_SECRET_KEY"]),
    ("onepay", &["ONEPAY_API_KEY"]),
    // authenticate's `{entity, user, password}`.
    (
        "kashpay",
        &["KASHPAY_ENTITY", "KASHPAY_USER", "KASHPAY_PASSWORD"],
    ),
    ("tupay", &["TUPAY_ACCESS_KEY", "TUPAY_SECRET_KEY"]),
    ("dots", &["DOTS_CLIENT_ID", "DOTS_API_KEY"]),
];

/// What a sandbox may also be given, by environment variable: OnSpot's key pair belongs to one
/// `environment` header value, `test` unless `ONSPOT_ENVIRONMENT` says `live`.
const SANDBOX_OPTIONAL: [(&str, &[&str]); 1] = [("onspot", &["ONSPOT_ENVIRONMENT"])];

/// The system under test.
#[derive(Clone, Debug)]
pub enum Target {
    /// A fresh in-process simulator per scenario (`ServeConfig::for_tests()`).
    InProcess,
    /// A simulator somebody else started: never reset, every scenario uses its own credentials.
    Url {
        admin: String,
        /// Base URLs by provider, of the providers it serves.
        urls: BTreeMap<String, String>,
        admin_token: Option<String>,
    },
    /// The providers' real sandboxes, with the credentials they gave us.
    Sandbox {
        /// Base URLs by provider, of the providers given.
        urls: BTreeMap<String, String>,
        /// Credentials by environment variable (`ONEPAY_API_KEY` → `sk_test_…`).
        credentials: BTreeMap<String, String>,
    },
}

impl Target {
    pub fn from_env() -> Result<Self, String> {
        let kind = target_name();
        let required = |name: &str| {
            env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| v.trim_end_matches('/').to_string())
                .ok_or_else(|| format!("{name} must be set for PAYOUTSIM_TARGET={kind}"))
        };
        match kind.as_str() {
            "" | "in-process" | "inprocess" => Ok(Self::InProcess),
            "url" => Ok(Self::Url {
                admin: required("PAYOUTSIM_ADMIN_URL")?,
                urls: urls_from_env(&format!("PAYOUTSIM_TARGET={kind}"), simulator_var)?,
                admin_token: env::var("PAYOUTSIM_ADMIN_TOKEN")
                    .ok()
                    .filter(|t| !t.is_empty()),
            }),
            "sandbox" => Self::sandbox_from_env(&format!("PAYOUTSIM_TARGET={kind}")),
            other => Err(format!(
                "unknown PAYOUTSIM_TARGET `{other}` (in-process, url, sandbox)"
            )),
        }
    }

    /// A running simulator at `admin`, serving the providers of `urls` (by provider name); an
    /// error if `urls` is empty or names a provider the suite does not know.
    pub fn url(
        admin: &str,
        urls: BTreeMap<String, String>,
        admin_token: Option<String>,
    ) -> Result<Self, String> {
        if let Some(unknown) = urls.keys().find(|p| !PROVIDERS.contains(&p.as_str())) {
            return Err(format!(
                "unknown provider `{unknown}` ({})",
                PROVIDERS.join(", ")
            ));
        }
        if urls.is_empty() {
            return Err(format!(
                "the url target needs at least one provider URL ({})",
                PROVIDERS.map(simulator_var).join(", ")
            ));
        }
        let trim = |u: &str| u.trim_end_matches('/').to_string();
        Ok(Self::Url {
            admin: trim(admin),
            urls: urls.iter().map(|(p, u)| (p.clone(), trim(u))).collect(),
            admin_token: admin_token.filter(|t| !t.is_empty()),
        })
    }

    /// The providers' real sandboxes, from each one's `<PROVIDER>_BASE_URL` and credentials;
    /// `context` (how the sandbox was asked for) is named in the errors.
    pub fn sandbox_from_env(context: &str) -> Result<Self, String> {
        let urls = urls_from_env(context, sandbox_var)?;
        let mut credentials = BTreeMap::new();
        for (provider, vars) in SANDBOX_CREDENTIALS {
            if !urls.contains_key(provider) {
                continue;
            }
            for var in vars {
                let value = env::var(var).ok().filter(|v| !v.is_empty());
                let value = value.ok_or_else(|| {
                    let url = sandbox_var(provider);
                    format!("{var} must be set with {url} for {context}")
                })?;
                credentials.insert(var.to_string(), value);
            }
        }
        for (provider, vars) in SANDBOX_OPTIONAL {
            for var in vars.iter().filter(|_| urls.contains_key(provider)) {
                if let Some(value) = env::var(var).ok().filter(|v| !v.is_empty()) {
                    credentials.insert(var.to_string(), value);
                }
            }
        }
        Ok(Self::Sandbox { urls, credentials })
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

    /// The provider base URLs the environment gave; `None` in process, where the simulator the
    /// World starts says where each provider listens.
    pub fn urls(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            Self::InProcess => None,
            Self::Url { urls, .. } | Self::Sandbox { urls, .. } => Some(urls),
        }
    }

    /// The variable that gives `provider`'s base URL on this target, if it takes one.
    pub fn url_var(&self, provider: &str) -> Option<String> {
        match self {
            Self::InProcess => None,
            Self::Url { .. } => Some(simulator_var(provider)),
            Self::Sandbox { .. } => Some(sandbox_var(provider)),
        }
    }

    /// Whether the scenarios of `features/<folder>/` run on this target. A simulator runs them
    /// all. On the real sandboxes the providers of [`SANDBOX_CREDENTIALS`] (every one) have
    /// steps that use the credentials given; a folder of no provider is left out there.
    pub fn covers(&self, folder: &str) -> bool {
        match self {
            Self::Sandbox { .. } => SANDBOX_CREDENTIALS.iter().any(|(p, _)| *p == folder),
            _ => true,
        }
    }

    /// Why the scenarios of `features/<folder>/` do not run on this target, or `None` if they
    /// do: the target lacks the provider's URL, or does not [cover](Self::covers) the folder.
    pub fn left_out(&self, folder: &str) -> Option<String> {
        if PROVIDERS.contains(&folder)
            && let (Some(urls), Some(var)) = (self.urls(), self.url_var(folder))
            && !urls.contains_key(folder)
        {
            return Some(format!("the target has no {folder} URL ({var} is not set)"));
        }
        (!self.covers(folder)).then(|| {
            format!(
                "the {} target runs only the providers' folders ({})",
                self.name(),
                PROVIDERS.join(", ")
            )
        })
    }

    /// The admin API's bearer token, if the target needs one.
    pub fn admin_token(&self) -> Option<&str> {
        match self {
            Self::Url { admin_token, .. } => admin_token.as_deref(),
            _ => None,
        }
    }

    /// A sandbox credential by its variable's name (`ONEPAY_API_KEY`), if the target has it.
    pub fn credential(&self, var: &str) -> Option<&str> {
        match self {
            Self::Sandbox { credentials, .. } => credentials.get(var).map(String::as_str),
            _ => None,
        }
    }
}

/// `PAYOUTSIM_<PROVIDER>_URL`: where a running simulator serves the provider.
fn simulator_var(provider: &str) -> String {
    format!("PAYOUTSIM_{}_URL", provider.to_ascii_uppercase())
}

/// `<PROVIDER>_BASE_URL`: the provider's real sandbox.
fn sandbox_var(provider: &str) -> String {
    format!("{}_BASE_URL", provider.to_ascii_uppercase())
}

/// Every provider's base URL that `var` names in the environment; an error if none is set.
fn urls_from_env(
    context: &str,
    var: fn(&str) -> String,
) -> Result<BTreeMap<String, String>, String> {
    let urls: BTreeMap<String, String> = PROVIDERS
        .iter()
        .filter_map(|p| {
            let url = env::var(var(p)).ok().filter(|u| !u.is_empty())?;
            Some((p.to_string(), url.trim_end_matches('/').to_string()))
        })
        .collect();
    if urls.is_empty() {
        let names: Vec<String> = PROVIDERS.iter().map(|p| var(p)).collect();
        return Err(format!(
            "{context} needs at least one provider URL: {}",
            names.join(", ")
        ));
    }
    Ok(urls)
}

fn target_name() -> String {
    env::var("PAYOUTSIM_TARGET")
        .unwrap_or_default()
        .to_ascii_lowercase()
}

static TARGET: OnceLock<Target> = OnceLock::new();

/// Fixes the target for the run (called once by the runner).
pub fn set(target: Target) {
    let _ = TARGET.set(target);
}

/// The target of this run.
pub fn get() -> &'static Target {
    TARGET.get_or_init(|| Target::InProcess)
}
