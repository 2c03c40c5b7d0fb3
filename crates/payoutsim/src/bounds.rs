//! The bounds of the engine's stores as `payoutsim serve` flags ([`BoundsArgs`]): each has an
//! `env =` fallback and the default the engine documents (`EngineConfig`). The README's "Bounds"
//! section lists each store, its flag, default and drop policy.

use payoutsim_core::EngineConfig;

/// `--journal-*`, `--inbox-*`, `--history-cap`, `--idempotency-max-keys`, `--max-objects*`,
/// `--max-tenants`, `--max-webhook-targets`: the engine's stores, bounded.
#[derive(Clone, Debug, clap::Args)]
pub struct BoundsArgs {
    /// Bytes the request journal keeps in all, entries and what they hold (oldest dropped first).
    #[arg(long, env = "PAYOUTSIM_JOURNAL_MAX_BYTES", default_value_t = 32 << 20,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1024..))]
    pub journal_max_bytes: usize,
    /// Bytes kept of each journaled request's headers; headers past it are left out and the
    /// entry is marked `truncated`.
    #[arg(long, env = "PAYOUTSIM_JOURNAL_HEADER_CAP", default_value_t = 16 * 1024)]
    pub journal_header_cap: usize,
    /// Bytes kept of each journaled body (request and answer); the rest is cut and noted.
    #[arg(long, env = "PAYOUTSIM_JOURNAL_BODY_CAP", default_value_t = 16 * 1024)]
    pub journal_body_cap: usize,
    /// Messages kept across the admin inboxes (oldest dropped first).
    #[arg(long, env = "PAYOUTSIM_INBOX_MAX_MESSAGES", default_value_t = 1000,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub inbox_max_messages: usize,
    /// Bytes (bodies and headers) kept across the admin inboxes (oldest dropped first; a
    /// message larger than this alone is refused with 413).
    #[arg(long, env = "PAYOUTSIM_INBOX_MAX_BYTES", default_value_t = 32 << 20,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1024..))]
    pub inbox_max_bytes: usize,
    /// Answered idempotency keys kept per tenant (its oldest forgotten first, as if expired).
    #[arg(long, env = "PAYOUTSIM_IDEMPOTENCY_MAX_KEYS",
        default_value_t = payoutsim_core::idempotency::DEFAULT_MAX_PER_TENANT,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub idempotency_max_keys: usize,
    /// Webhook delivery records and transitions kept for the admin API, each (oldest dropped).
    #[arg(long, env = "PAYOUTSIM_HISTORY_CAP", default_value_t = 1000,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub history_cap: usize,
    /// Objects one tenant (a Dots app) holds; past it its oldest settled objects are dropped,
    /// and a creation is refused in the provider's envelope when none is settled.
    #[arg(long, env = "PAYOUTSIM_MAX_OBJECTS_PER_TENANT",
        default_value_t = payoutsim_core::DEFAULT_MAX_OBJECTS_PER_TENANT,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_objects_per_tenant: usize,
    /// Webhook targets one tenant registers (its provider's API, the admin API, scenarios);
    /// past it a new one is refused with the provider's validation error.
    #[arg(long, env = "PAYOUTSIM_MAX_WEBHOOK_TARGETS",
        default_value_t = payoutsim_core::DEFAULT_MAX_WEBHOOK_TARGETS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_webhook_targets: usize,
    /// Tenants of every provider held at once; past it the least recently used one (other than
    /// the one being served) is evicted whole, and its credentials later start afresh.
    #[arg(long, env = "PAYOUTSIM_MAX_TENANTS",
        default_value_t = payoutsim_core::DEFAULT_MAX_TENANTS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_tenants: usize,
    /// Objects of every tenant of every provider; past it least recently used tenants are
    /// evicted whole, as past `--max-tenants`. At least `--max-objects-per-tenant`.
    #[arg(long, env = "PAYOUTSIM_MAX_OBJECTS",
        default_value_t = payoutsim_core::DEFAULT_MAX_OBJECTS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_objects: usize,
}

impl BoundsArgs {
    /// Writes the bounds into the engine's configuration.
    pub fn apply(&self, config: &mut EngineConfig) {
        config.journal_max_bytes = self.journal_max_bytes;
        config.journal_header_cap = self.journal_header_cap;
        config.journal_body_cap = self.journal_body_cap;
        config.inbox_max_messages = self.inbox_max_messages;
        config.inbox_max_bytes = self.inbox_max_bytes;
        config.history_cap = self.history_cap;
        config.idempotency_max_keys = self.idempotency_max_keys;
        config.max_objects_per_tenant = self.max_objects_per_tenant;
        config.max_webhook_targets = self.max_webhook_targets;
        config.max_tenants = self.max_tenants;
        config.max_objects = self.max_objects;
    }
}

#[cfg(test)]
mod tests {
    use clap::{Args, Command, FromArgMatches};

    use super::*;

    fn parse(argv: &[&str]) -> Result<BoundsArgs, clap::Error> {
        let matches = BoundsArgs::augment_args(Command::new("serve")).try_get_matches_from(argv)?;
        BoundsArgs::from_arg_matches(&matches)
    }

    #[test]
    fn the_bounds_left_out_are_the_engines_documented_defaults() {
        let mut config = EngineConfig::default();
        let defaults = EngineConfig::default();
        parse(&["serve"]).unwrap().apply(&mut config);

        assert_eq!(config.journal_max_bytes, defaults.journal_max_bytes);
        assert_eq!(config.journal_header_cap, defaults.journal_header_cap);
        assert_eq!(config.journal_body_cap, defaults.journal_body_cap);
        assert_eq!(config.inbox_max_messages, defaults.inbox_max_messages);
        assert_eq!(config.inbox_max_bytes, defaults.inbox_max_bytes);
        assert_eq!(config.history_cap, defaults.history_cap);
        assert_eq!(config.idempotency_max_keys, defaults.idempotency_max_keys);
        assert_eq!(config.max_objects_per_tenant, 10_000);
        assert_eq!(config.max_webhook_targets, 100);
        assert_eq!(config.max_tenants, 1000);
        assert_eq!(config.max_objects, 25_000);
        assert_eq!(config.check_bounds(), Ok(()));
    }

    #[test]
    fn each_bound_given_reaches_the_engine_config() {
        let mut config = EngineConfig::default();
        let argv = [
            "serve",
            "--journal-max-bytes",
            "2048",
            "--journal-header-cap",
            "10",
            "--journal-body-cap",
            "11",
            "--inbox-max-messages",
            "12",
            "--inbox-max-bytes",
            "4096",
            "--history-cap",
            "13",
            "--idempotency-max-keys",
            "14",
            "--max-objects-per-tenant",
            "15",
            "--max-webhook-targets",
            "16",
            "--max-tenants",
            "17",
            "--max-objects",
            "18",
        ];
        parse(&argv).unwrap().apply(&mut config);

        assert_eq!(config.journal_max_bytes, 2048);
        assert_eq!(config.journal_header_cap, 10);
        assert_eq!(config.journal_body_cap, 11);
        assert_eq!(config.inbox_max_messages, 12);
        assert_eq!(config.inbox_max_bytes, 4096);
        assert_eq!(config.history_cap, 13);
        assert_eq!(config.idempotency_max_keys, 14);
        assert_eq!(config.max_objects_per_tenant, 15);
        assert_eq!(config.max_webhook_targets, 16);
        assert_eq!(config.max_tenants, 17);
        assert_eq!(config.max_objects, 18);
    }

    #[test]
    fn a_per_tenant_cap_past_the_global_budget_is_refused_naming_both_flags() {
        let mut config = EngineConfig::default();
        let argv = [
            "serve",
            "--max-objects-per-tenant",
            "600",
            "--max-objects",
            "500",
        ];
        parse(&argv).unwrap().apply(&mut config);

        let refused = config.check_bounds();

        let message = refused.unwrap_err();
        assert!(
            message.contains("--max-objects-per-tenant (600)"),
            "{message}"
        );
        assert!(message.contains("--max-objects (500)"), "{message}");
    }

    #[test]
    fn a_bound_of_zero_messages_is_refused() {
        assert!(parse(&["serve", "--inbox-max-messages", "0"]).is_err());
        assert!(parse(&["serve", "--history-cap", "0"]).is_err());
        assert!(parse(&["serve", "--max-objects-per-tenant", "0"]).is_err());
        assert!(parse(&["serve", "--max-webhook-targets", "0"]).is_err());
        assert!(parse(&["serve", "--max-tenants", "0"]).is_err());
        assert!(parse(&["serve", "--max-objects", "0"]).is_err());
    }
}
