//! The settings of a running simulator. Every default is named here.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use payoutsim_core::EngineConfig;

use crate::settings::ProviderSettings;

/// The providers payoutsim knows, in port order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderId {
    OnSpot,
    OnePay,
    Kashpay,
    Tupay,
    Dots,
}

impl ProviderId {
    pub const ALL: [ProviderId; 5] = [
        Self::OnSpot,
        Self::OnePay,
        Self::Kashpay,
        Self::Tupay,
        Self::Dots,
    ];

    /// The providers emulated in this version; the others are planned.
    pub const EMULATED: [ProviderId; 3] = [Self::OnSpot, Self::OnePay, Self::Kashpay];

    pub fn name(self) -> &'static str {
        match self {
            Self::OnSpot => "onspot",
            Self::OnePay => "onepay",
            Self::Kashpay => "kashpay",
            Self::Tupay => "tupay",
            Self::Dots => "dots",
        }
    }

    /// Offset from `--port-base` (the admin API is at offset 0).
    pub fn port_offset(self) -> u16 {
        match self {
            Self::OnSpot => 1,
            Self::OnePay => 2,
            Self::Kashpay => 3,
            Self::Tupay => 4,
            Self::Dots => 5,
        }
    }

    pub fn is_emulated(self) -> bool {
        Self::EMULATED.contains(&self)
    }
}

impl std::str::FromStr for ProviderId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown provider `{s}` (known: onspot, onepay, kashpay, tupay, dots)")
            })?;
        if id.is_emulated() {
            Ok(id)
        } else {
            let have: Vec<&str> = Self::EMULATED.iter().map(|p| p.name()).collect();
            Err(format!(
                "provider `{s}` is not emulated yet (this version emulates: {})",
                have.join(", ")
            ))
        }
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything `payoutsim serve` needs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Address every listener binds. Default 127.0.0.1.
    pub bind: IpAddr,
    /// Admin port; provider ports follow (`+1` OnSpot … `+5` Dots). 0 picks free ports. Default 4700.
    pub port_base: u16,
    /// Providers to serve. Default: every emulated provider.
    pub providers: Vec<ProviderId>,
    pub engine: EngineConfig,
    /// When set, the admin API requires `Authorization: Bearer <token>`. Default none.
    pub admin_token: Option<String>,
    /// Where to write `{"admin": url, "<provider>": url, …}` once every listener is bound.
    pub ready_file: Option<PathBuf>,
    /// Each provider's typed configuration (`OnePayConfig`, …); a provider not given one runs
    /// with its config type's default.
    pub provider_settings: ProviderSettings,
    /// Scenarios loaded at start, in order (setup, then rules). Default none.
    pub scenarios: Vec<payoutsim_faults::Scenario>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port_base: 4700,
            providers: ProviderId::EMULATED.to_vec(),
            engine: EngineConfig::default(),
            admin_token: None,
            ready_file: None,
            provider_settings: ProviderSettings::default(),
            scenarios: Vec::new(),
        }
    }
}

impl ServeConfig {
    /// A configuration for tests: free ports, manual clock, seed 1.
    pub fn for_tests() -> Self {
        let mut config = Self {
            port_base: 0,
            ..Self::default()
        };
        config.engine.seed = 1;
        config.engine.clock.mode = payoutsim_core::clock::ClockMode::Manual;
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_parse_case_insensitively() {
        assert_eq!("OnePay".parse::<ProviderId>(), Ok(ProviderId::OnePay));
    }

    #[test]
    fn a_planned_provider_is_refused_with_a_clear_message() {
        let err = "dots".parse::<ProviderId>().unwrap_err();
        assert!(err.contains("not emulated yet"), "{err}");
        assert!(
            "nope"
                .parse::<ProviderId>()
                .unwrap_err()
                .contains("unknown provider")
        );
    }
}
