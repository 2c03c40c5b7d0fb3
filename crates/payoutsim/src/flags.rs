//! The flags each registered provider adds to `payoutsim serve`.
//!
//! A provider with settings of its own has a `clap::Args` struct here (its flags, with `env =`
//! fallbacks) that implements [`ProviderArgs`]: it writes what was given into the provider's
//! typed config. Its [registry](crate::registry) entry names it with [`Flags::of`].
//! [`RegistryFlags`] gathers every entry's flags into one `clap::Args` that the binary flattens
//! into its serve command, so neither the binary nor [`ServeConfig`](crate::ServeConfig) changes
//! when a provider comes.
//!
//! [`ProviderParser`] reads `--providers` names against the registry, and lists the registered
//! ones with their summaries in `--help`.
//!
//! This module only declares flags; the binary is what parses argv and the environment.

use std::ffi::OsStr;
use std::net::IpAddr;

use clap::builder::{PossibleValue, TypedValueParser, ValueParserFactory};
use clap::{Arg, ArgMatches, Command, FromArgMatches};
use payoutsim_dots::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_LINK_DELIVERIES, DEFAULT_SANDBOX_FUNDING_CENTS,
    DEFAULT_SMS_OUTBOX_CAP, DEFAULT_VERIFICATION_TTL_S, DotsConfig, SvixClock,
};
use payoutsim_kashpay::KashpayConfig;
use payoutsim_onepay::OnePayConfig;
use payoutsim_onspot::{DEFAULT_ERROR_LOG_CAP, OnSpotConfig};
use payoutsim_tupay::{
    DEFAULT_HISTORY_DAYS, DEFAULT_MAX_TENANTS, DEFAULT_VOLUME, MAX_HISTORY_DAYS, MAX_VOLUME,
    MIN_VOLUME, TupayConfig,
};

use crate::registry::{ProviderId, REGISTRY};
use crate::settings::{ProviderSettings, Setting};

/// One provider's flags: parsed by clap, then written into its typed config.
pub trait ProviderArgs: clap::Args {
    /// The provider's config type, as its constructor takes it.
    type Config: Setting + Clone + Default;

    /// Writes the flags' values into `config` (the rest of it keeps its defaults).
    fn apply(self, config: &mut Self::Config);
}

/// A registry entry's flags, type-erased so that [`REGISTRY`] can be a `const` table.
pub struct Flags {
    augment: fn(Command) -> Command,
    read: fn(&ArgMatches, &mut ProviderSettings) -> Result<(), clap::Error>,
}

impl Flags {
    /// The flags of the `clap::Args` struct `A`.
    pub const fn of<A: ProviderArgs>() -> Self {
        Self {
            augment: A::augment_args,
            read: read::<A>,
        }
    }
}

fn read<A: ProviderArgs>(
    matches: &ArgMatches,
    settings: &mut ProviderSettings,
) -> Result<(), clap::Error> {
    let mut config: A::Config = settings.get();
    A::from_arg_matches(matches)?.apply(&mut config);
    settings.set(config);
    Ok(())
}

/// Every registered provider's flags as one `clap::Args`: flatten it into a command
/// (`#[command(flatten)]`), then take the typed configs with [`RegistryFlags::into_settings`].
#[derive(Clone, Debug, Default)]
pub struct RegistryFlags(ProviderSettings);

impl RegistryFlags {
    /// Each provider's config, with the values its flags were given.
    pub fn into_settings(self) -> ProviderSettings {
        self.0
    }

    fn each() -> impl Iterator<Item = &'static Flags> {
        REGISTRY.iter().filter_map(|entry| entry.flags.as_ref())
    }
}

impl clap::Args for RegistryFlags {
    fn augment_args(cmd: Command) -> Command {
        Self::each().fold(cmd, |cmd, flags| (flags.augment)(cmd))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for RegistryFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = Self::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        Self::each().try_for_each(|flags| (flags.read)(matches, &mut self.0))
    }
}

/// Reads a [`ProviderId`] with its `FromStr` (a planned or unknown name is refused saying which),
/// and offers the registered names, each with its summary, as the possible values in `--help`.
/// It is what clap uses for any `ProviderId` argument.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProviderParser;

impl TypedValueParser for ProviderParser {
    type Value = ProviderId;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<ProviderId, clap::Error> {
        let parse = |name: &str| name.parse::<ProviderId>();
        parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let each = ProviderId::all().map(|id| PossibleValue::new(id.name()).help(id.summary()));
        Some(Box::new(each))
    }
}

impl ValueParserFactory for ProviderId {
    type Parser = ProviderParser;

    fn value_parser() -> ProviderParser {
        ProviderParser
    }
}

/// OnSpot's flags.
#[derive(clap::Args)]
pub struct OnSpotArgs {
    /// OnSpot Error Logs entries kept per tenant (oldest dropped first); each keeps a bounded
    /// excerpt of its refused item.
    #[arg(
        long,
        env = "PAYOUTSIM_ONSPOT_ERROR_LOG_CAP",
        default_value_t = DEFAULT_ERROR_LOG_CAP,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    onspot_error_log_cap: usize,
}

impl ProviderArgs for OnSpotArgs {
    type Config = OnSpotConfig;

    fn apply(self, config: &mut OnSpotConfig) {
        config.error_log_cap = self.onspot_error_log_cap;
    }
}

/// OnePay's flags.
#[derive(clap::Args)]
pub struct OnePayArgs {
    /// Starting balance of every OnePay test tenant, in COP.
    #[arg(
        long,
        env = "PAYOUTSIM_ONEPAY_TEST_BALANCE",
        default_value_t = 1_000_000_000
    )]
    onepay_test_balance: i64,
}

impl ProviderArgs for OnePayArgs {
    type Config = OnePayConfig;

    fn apply(self, config: &mut OnePayConfig) {
        config.test_starting_balance = self.onepay_test_balance;
    }
}

/// Kashpay's flags.
#[derive(clap::Args)]
pub struct KashpayArgs {
    /// Starting balance of every new Kashpay sandbox entity, in MXN.
    #[arg(
        long,
        env = "PAYOUTSIM_KASHPAY_SANDBOX_BALANCE",
        default_value_t = 1_000_000,
        value_parser = clap::value_parser!(i64).range(0..=10_000_000_000_000)
    )]
    kashpay_sandbox_balance: i64,
}

impl ProviderArgs for KashpayArgs {
    type Config = KashpayConfig;

    fn apply(self, config: &mut KashpayConfig) {
        config.sandbox_starting_balance = self.kashpay_sandbox_balance;
    }
}

/// Tupay's flags.
#[derive(clap::Args)]
pub struct TupayArgs {
    /// Days of simulated time a new Tupay tenant's seeded history covers (before its first login).
    #[arg(
        long,
        env = "PAYOUTSIM_TUPAY_HISTORY_DAYS",
        default_value_t = DEFAULT_HISTORY_DAYS,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HISTORY_DAYS))
    )]
    tupay_history_days: u32,
    /// Transactions per day of that history, a multiple of the default (6 deposits, 1.8 cashouts).
    #[arg(
        long,
        env = "PAYOUTSIM_TUPAY_VOLUME",
        default_value_t = DEFAULT_VOLUME,
        value_parser = tupay_volume
    )]
    tupay_volume: f64,
    /// Addresses a Tupay login is accepted from, comma-separated; a login from elsewhere gets
    /// code 83. Unset: the allow-list is off.
    #[arg(long, env = "PAYOUTSIM_TUPAY_ALLOWED_IPS", value_delimiter = ',')]
    tupay_allowed_ips: Vec<IpAddr>,
    /// Mark Tupay's BEARER_TOKEN cookie `Secure` (clients then send it back over HTTPS only).
    #[arg(long, env = "PAYOUTSIM_TUPAY_SECURE_COOKIE")]
    tupay_secure_cookie: bool,
    /// Tupay merchants held in memory (about 512 KiB each); past it the least recently used one
    /// the back office never changed is evicted (drawn again identically when it comes back).
    #[arg(
        long,
        env = "PAYOUTSIM_TUPAY_MAX_TENANTS",
        default_value_t = DEFAULT_MAX_TENANTS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    tupay_max_tenants: usize,
}

fn tupay_volume(text: &str) -> Result<f64, String> {
    let volume: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if (MIN_VOLUME..=MAX_VOLUME).contains(&volume) {
        Ok(volume)
    } else {
        Err(format!("must be between {MIN_VOLUME} and {MAX_VOLUME}"))
    }
}

impl ProviderArgs for TupayArgs {
    type Config = TupayConfig;

    fn apply(self, config: &mut TupayConfig) {
        config.history_days = self.tupay_history_days;
        config.volume = self.tupay_volume;
        config.allowed_ips = self.tupay_allowed_ips;
        config.secure_cookie = self.tupay_secure_cookie;
        config.max_tenants = self.tupay_max_tenants;
    }
}

/// Dots' flags.
#[derive(clap::Args)]
pub struct DotsArgs {
    /// What a new Dots sandbox app's wallet holds, in cents (documented: $100).
    #[arg(
        long,
        env = "PAYOUTSIM_DOTS_SANDBOX_FUNDING_CENTS",
        default_value_t = DEFAULT_SANDBOX_FUNDING_CENTS,
        value_parser = clap::value_parser!(i64).range(0..=1_000_000_000)
    )]
    dots_sandbox_funding_cents: i64,
    /// The largest Dots request body, in bytes (larger ones get 413).
    #[arg(
        long,
        env = "PAYOUTSIM_DOTS_MAX_BODY_BYTES",
        default_value_t = DEFAULT_MAX_BODY_BYTES,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1024..=(64 << 20))
    )]
    dots_max_body_bytes: usize,
    /// Seconds of simulated time a Dots verification code stays valid.
    #[arg(
        long,
        env = "PAYOUTSIM_DOTS_VERIFICATION_TTL",
        default_value_t = DEFAULT_VERIFICATION_TTL_S,
        value_parser = clap::value_parser!(i64).range(1..=30 * 86_400)
    )]
    dots_verification_ttl: i64,
    /// Verification codes kept per Dots app in the back office's SMS outbox (oldest dropped).
    #[arg(
        long,
        env = "PAYOUTSIM_DOTS_SMS_OUTBOX",
        default_value_t = DEFAULT_SMS_OUTBOX_CAP,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000)
    )]
    dots_sms_outbox: usize,
    /// How many times a Dots payout link is delivered at most, the first delivery included.
    #[arg(
        long,
        env = "PAYOUTSIM_DOTS_MAX_LINK_DELIVERIES",
        default_value_t = DEFAULT_MAX_LINK_DELIVERIES,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    dots_max_link_deliveries: u32,
    /// The clock of Dots' `svix-timestamp`: `wall` (Svix's libraries refuse a timestamp more
    /// than 5 minutes from their clock) or `simulated`.
    #[arg(long, env = "PAYOUTSIM_DOTS_SVIX_TIMESTAMP", default_value = "wall", value_parser = ["wall", "simulated"])]
    dots_svix_timestamp: String,
}

impl ProviderArgs for DotsArgs {
    type Config = DotsConfig;

    fn apply(self, config: &mut DotsConfig) {
        config.sandbox_funding_cents = self.dots_sandbox_funding_cents;
        config.max_body_bytes = self.dots_max_body_bytes;
        config.verification_ttl_s = self.dots_verification_ttl;
        config.sms_outbox_cap = self.dots_sms_outbox;
        config.max_link_deliveries = self.dots_max_link_deliveries;
        config.svix_clock = if self.dots_svix_timestamp == "simulated" {
            SvixClock::Simulated
        } else {
            SvixClock::Wall
        };
    }
}

#[cfg(test)]
mod tests {
    use clap::Args;

    use super::*;

    /// The settings a command made of every provider's flags reads from `argv`.
    fn parse(argv: &[&str]) -> ProviderSettings {
        let cmd = RegistryFlags::augment_args(Command::new("serve"));
        let matches = cmd.try_get_matches_from(argv).unwrap();
        RegistryFlags::from_arg_matches(&matches)
            .unwrap()
            .into_settings()
    }

    #[test]
    fn each_providers_flags_reach_its_typed_config() {
        let settings = parse(&[
            "serve",
            "--onepay-test-balance",
            "5",
            "--kashpay-sandbox-balance",
            "6",
        ]);

        assert_eq!(settings.get::<OnePayConfig>().test_starting_balance, 5);
        assert_eq!(settings.get::<KashpayConfig>().sandbox_starting_balance, 6);
    }

    #[test]
    fn the_onspot_error_log_cap_reaches_its_config_and_defaults_to_1000() {
        let default = parse(&["serve"]).get::<OnSpotConfig>();
        let set = parse(&["serve", "--onspot-error-log-cap", "7"]).get::<OnSpotConfig>();

        assert_eq!(default.error_log_cap, 1000);
        assert_eq!(set.error_log_cap, 7);
    }

    #[test]
    fn flags_left_out_give_the_documented_defaults() {
        let settings = parse(&["serve"]);

        assert_eq!(
            settings.get::<OnePayConfig>().test_starting_balance,
            1_000_000_000
        );
        assert_eq!(
            settings.get::<KashpayConfig>().sandbox_starting_balance,
            1_000_000
        );
    }

    #[test]
    fn tupays_flags_reach_its_config_and_leave_the_allow_list_off_by_default() {
        let default = parse(&["serve"]).get::<TupayConfig>();
        let set = parse(&[
            "serve",
            "--tupay-history-days",
            "30",
            "--tupay-volume",
            "2.5",
            "--tupay-allowed-ips",
            "10.0.0.1,::1",
            "--tupay-secure-cookie",
            "--tupay-max-tenants",
            "25",
        ])
        .get::<TupayConfig>();

        assert_eq!(default, TupayConfig::default());
        assert!(default.allowed_ips.is_empty());
        assert_eq!((set.history_days, set.volume), (30, 2.5));
        assert_eq!(set.allowed_ips.len(), 2);
        assert!(set.secure_cookie);
        assert_eq!(set.max_tenants, 25);
    }

    #[test]
    fn the_tupay_tenant_cap_flag_reaches_the_config_and_defaults_to_1000() {
        let default = parse(&["serve"]).get::<TupayConfig>();
        let set = parse(&["serve", "--tupay-max-tenants", "3"]).get::<TupayConfig>();

        assert_eq!(default.max_tenants, DEFAULT_MAX_TENANTS);
        assert_eq!(DEFAULT_MAX_TENANTS, 100);
        assert_eq!(set.max_tenants, 3);
    }

    #[test]
    fn tupay_volumes_and_days_out_of_range_are_refused() {
        let cmd = || RegistryFlags::augment_args(Command::new("serve"));
        for argv in [
            ["serve", "--tupay-volume", "9"],
            ["serve", "--tupay-history-days", "0"],
            ["serve", "--tupay-history-days", "181"],
            ["serve", "--tupay-allowed-ips", "not-an-ip"],
            ["serve", "--tupay-max-tenants", "0"],
        ] {
            assert!(cmd().try_get_matches_from(argv).is_err(), "{argv:?}");
        }
    }

    #[test]
    fn no_two_providers_declare_the_same_flag() {
        let cmd = RegistryFlags::augment_args(Command::new("serve"));

        cmd.debug_assert();
    }
}
