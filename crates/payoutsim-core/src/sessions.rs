//! Sliding sessions on the simulated clock, for providers whose login hands out an opaque token
//! that stays valid while it is used (a `BEARER_TOKEN` cookie that "expires after 15 minutes of
//! its last request").
//!
//! - [`Sessions`]: token -> tenant, each session ending `idle` simulated seconds after its last
//!   use, or at once when closed; bounded (expired sessions go first, then the least recently
//!   used)
//! - [`SessionError`]: why a token was refused, so each provider answers in its own words
//!
//! A provider keeps one [`Sessions`] in its store (so a reset of the provider forgets them),
//! mints tokens from the engine's seeded ids, and judges each use on the session's tenant clock:
//! a test that advances the clock past the idle time sees the token refused, with no real wait.
//! A session is expired when `now - last_use >= idle` (at exactly `idle` it has expired).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

/// Sessions kept unless a provider says otherwise.
pub const DEFAULT_CAP: usize = 10_000;

/// Why a session token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Never issued, closed, or forgotten.
    #[error("unknown session")]
    Unknown,
    /// Issued, but not used for `idle` seconds.
    #[error("session expired")]
    Expired,
}

/// One open session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub tenant: String,
    pub opened: DateTime<Utc>,
    pub last_use: DateTime<Utc>,
}

/// A provider's sessions: token -> session.
#[derive(Clone, Debug)]
pub struct Sessions {
    idle: TimeDelta,
    cap: usize,
    by_token: HashMap<String, Session>,
}

impl Sessions {
    /// Sessions that end `idle_s` simulated seconds after their last use, at most `cap` kept.
    pub fn new(idle_s: i64, cap: usize) -> Self {
        Self {
            idle: TimeDelta::seconds(idle_s.max(0)),
            cap: cap.max(1),
            by_token: HashMap::new(),
        }
    }

    /// Simulated seconds a session lives after its last use.
    pub fn idle_seconds(&self) -> i64 {
        self.idle.num_seconds()
    }

    /// Opens a session of `tenant` under `token` at `now` (a token already open is replaced).
    /// When full, expired sessions are dropped first, then the least recently used one.
    pub fn open(&mut self, token: String, tenant: &str, now: DateTime<Utc>) {
        if self.by_token.len() >= self.cap && !self.by_token.contains_key(&token) {
            let idle = self.idle;
            self.by_token.retain(|_, s| now - s.last_use < idle);
            if self.by_token.len() >= self.cap
                && let Some(oldest) = (self.by_token.iter())
                    .min_by_key(|(t, s)| (s.last_use, (*t).clone()))
                    .map(|(t, _)| t.clone())
            {
                self.by_token.remove(&oldest);
            }
        }
        let session = Session {
            tenant: tenant.to_string(),
            opened: now,
            last_use: now,
        };
        self.by_token.insert(token, session);
    }

    /// The tenant of `token`, if it is known (expired or not), without using it.
    pub fn tenant_of(&self, token: &str) -> Option<&str> {
        self.by_token.get(token).map(|s| s.tenant.as_str())
    }

    /// Uses `token` now: `now_for` gives the simulated time of the session's tenant. A live
    /// session's idle time starts again and its tenant is answered; an expired one stays
    /// expired (and keeps saying so until it is closed or dropped).
    pub fn touch(
        &mut self,
        token: &str,
        now_for: impl FnOnce(&str) -> DateTime<Utc>,
    ) -> Result<&Session, SessionError> {
        let session = self.by_token.get_mut(token).ok_or(SessionError::Unknown)?;
        let now = now_for(&session.tenant);
        if now - session.last_use >= self.idle {
            return Err(SessionError::Expired);
        }
        session.last_use = session.last_use.max(now);
        Ok(session)
    }

    /// Closes `token`'s session (logout); answers it if it was known.
    pub fn close(&mut self, token: &str) -> Option<Session> {
        self.by_token.remove(token)
    }

    /// Closes every session of `tenant` (evicted: its tokens are refused).
    pub fn forget_tenant(&mut self, tenant: &str) {
        self.by_token.retain(|_, s| s.tenant != tenant);
    }

    /// Open sessions (expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }

    /// The sessions of `tenant`, oldest first, with their tokens.
    pub fn of_tenant(&self, tenant: &str) -> Vec<(&str, &Session)> {
        let mut all: Vec<(&str, &Session)> = (self.by_token.iter())
            .filter(|(_, s)| s.tenant == tenant)
            .map(|(t, s)| (t.as_str(), s))
            .collect();
        all.sort_by_key(|(t, s)| (s.opened, *t));
        all
    }
}

impl Default for Sessions {
    /// Fifteen idle minutes, [`DEFAULT_CAP`] sessions.
    fn default() -> Self {
        Self::new(900, DEFAULT_CAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        crate::clock::manual_epoch() + TimeDelta::seconds(s)
    }

    #[test]
    fn a_session_lives_while_it_is_used_and_expires_at_exactly_the_idle_time() {
        let mut sessions = Sessions::new(900, 10);
        sessions.open("tok".into(), "p:a", t(0));

        let used = sessions.touch("tok", |_| t(899)).map(|s| s.tenant.clone());
        let still = sessions.touch("tok", |_| t(1798)).is_ok();
        let expired = sessions.touch("tok", |_| t(1798 + 900));

        assert_eq!(used.as_deref(), Ok("p:a"));
        assert!(still, "each use starts the idle time again");
        assert_eq!(expired.err(), Some(SessionError::Expired));
        assert_eq!(
            sessions.touch("tok", |_| t(1798 + 900)).err(),
            Some(SessionError::Expired),
            "an expired session keeps saying so"
        );
    }

    #[test]
    fn a_closed_or_never_issued_token_is_unknown() {
        let mut sessions = Sessions::default();
        sessions.open("tok".into(), "p:a", t(0));

        let closed = sessions.close("tok");

        assert_eq!(closed.map(|s| s.tenant), Some("p:a".to_string()));
        assert_eq!(
            sessions.touch("tok", |_| t(1)).err(),
            Some(SessionError::Unknown)
        );
        assert_eq!(
            sessions.touch("other", |_| t(1)).err(),
            Some(SessionError::Unknown)
        );
    }

    #[test]
    fn each_session_is_judged_on_its_own_tenants_clock() {
        let mut sessions = Sessions::new(60, 10);
        sessions.open("a".into(), "p:a", t(0));
        sessions.open("b".into(), "p:b", t(0));
        let clock = |tenant: &str| if tenant == "p:a" { t(61) } else { t(1) };

        assert_eq!(
            sessions.touch("a", clock).err(),
            Some(SessionError::Expired)
        );
        assert!(sessions.touch("b", clock).is_ok());
    }

    #[test]
    fn a_full_store_drops_expired_sessions_first_then_the_least_recently_used() {
        let mut sessions = Sessions::new(100, 2);
        sessions.open("old".into(), "p:a", t(0));
        sessions.open("used".into(), "p:a", t(50));
        sessions.open("new".into(), "p:a", t(120));
        assert_eq!(sessions.tenant_of("old"), None, "expired, dropped first");

        sessions.open("newer".into(), "p:a", t(130));

        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions.tenant_of("used"), None, "least recently used");
        assert!(sessions.tenant_of("new").is_some() && sessions.tenant_of("newer").is_some());
    }

    #[test]
    fn a_tenants_sessions_are_listed_oldest_first() {
        let mut sessions = Sessions::default();
        sessions.open("b".into(), "p:a", t(5));
        sessions.open("a".into(), "p:a", t(1));
        sessions.open("c".into(), "p:b", t(0));

        let tokens: Vec<&str> = sessions.of_tenant("p:a").iter().map(|(t, _)| *t).collect();

        assert_eq!(tokens, ["a", "b"]);
    }
}
