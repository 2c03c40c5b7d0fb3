//! The built-in client's Tupay operations (`docs/adapter-protocol.md`; Tupay's contract in
//! `crates/payoutsim-tupay/README.md`). Tupay's API is read-only reconciliation, so the client
//! lists: `cashout.list` and `balance.report`.
//!
//! - Credentials `api_user` and `api_password`, Tupay's `accessKey` and `secretKey` of
//!   `POST /v1/auth/login`; the session token comes back in `Set-Cookie: BEARER_TOKEN=…` and is
//!   sent as `Authorization: Bearer <token>`.
//! - The session expires 15 minutes after its last request (sliding). A 401 on a read gets a new
//!   session once and the read is sent again; a second 401 stands.
//! - `from` and `to` (`YYYY-MM-DD`, UTC days, both included) become Unix seconds, from the
//!   first day's 00:00:00 to the last day's 23:59:59. Tupay takes at most 60 days a request, so
//!   a longer range is asked for in windows of whole days (60 at most), oldest window first.
//! - Each window is read page after page (`page` from 0) while a page is full
//!   (`rows == maxRows`), as Tupay's pages say to. Items keep Tupay's order within a window
//!   (newest first).
//! - Amounts are given as the decimal strings Tupay's numbers print as.

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

use super::{BuiltIn, failure, rejected, text, urlencode};
use crate::adapter::{ClientError, ErrorKind, Outcome, Sleeper};
use crate::client::{Request, Response};

/// The days of one request's window: Tupay refuses `to - from` over 60 days.
const WINDOW_DAYS: u64 = 60;

impl BuiltIn {
    pub(super) async fn tupay(
        &mut self,
        op: &str,
        params: &Value,
        sleeper: Sleeper<'_>,
    ) -> Outcome {
        match op {
            "cashout.list" => {
                let mut query = String::new();
                if let Some(status) = params["status"].as_str().filter(|s| !s.is_empty()) {
                    query = format!("&status={}", urlencode(status));
                }
                let rows = self
                    .tupay_walk("/v1/cashout", params, &query, sleeper)
                    .await?;
                let items: Vec<Value> = (rows.iter())
                    .map(|c| {
                        json!({"id": plain(&c["idCashout"]), "status": c["status"],
                            "amount": plain(&c["amount"]), "currency": c["currency"]})
                    })
                    .collect();
                Ok(json!({ "items": items }))
            }
            "balance.report" => {
                let rows = self
                    .tupay_walk("/v1/balance/report", params, "", sleeper)
                    .await?;
                let rows: Vec<Value> = (rows.iter())
                    .map(|r| {
                        let date = r["date"].as_str().unwrap_or_default();
                        json!({"date": date.get(..10).unwrap_or(date), "currency": r["currency"],
                            "net_amount": plain(&r["netAmount"]),
                            "total_balance": plain(&r["totalBalance"])})
                    })
                    .collect();
                Ok(json!({ "rows": rows }))
            }
            _ => Err(failure(
                ErrorKind::Unsupported,
                format!("{op} for tupay: its API is read-only (cashout.list, balance.report)"),
            )),
        }
    }

    async fn tupay_login(&mut self, sleeper: Sleeper<'_>) -> Result<(), ClientError> {
        let c = &self.config.credentials;
        let body = json!({"accessKey": c["api_user"], "secretKey": c["api_password"]});
        let request = Request::json_api("POST", self.url("/v1/auth/login"))
            .json_body(Some(body.to_string().into_bytes()));
        let answer = self.answer(&request, sleeper).await?;
        tupay_answer(&answer)?;
        let token = answer.header("set-cookie").and_then(bearer_cookie);
        let token = token.ok_or_else(|| {
            failure(
                ErrorKind::Unknown,
                "the login set no BEARER_TOKEN cookie".into(),
            )
        })?;
        self.token = Some(token);
        Ok(())
    }

    /// `GET path_and_query` in the session, renewed once if it has expired.
    async fn tupay_get(&mut self, path_and_query: &str, sleeper: Sleeper<'_>) -> Outcome {
        if self.token.is_none() {
            self.tupay_login(sleeper).await?;
        }
        for renewed in [false, true] {
            let token = self.token.clone().unwrap_or_default();
            let request = Request::json_api("GET", self.url(path_and_query))
                .header("authorization", format!("Bearer {token}"));
            let answer = self.answer(&request, sleeper).await?;
            if answer.status == 401 && !renewed {
                self.tupay_login(sleeper).await?;
                continue;
            }
            return tupay_answer(&answer);
        }
        Err(failure(
            ErrorKind::Unknown,
            "the renewed session was refused".into(),
        ))
    }

    /// Every row of the list at `path` over `params.from`..=`params.to`, window by window and
    /// page by page; `query` adds filters (`&status=…`).
    async fn tupay_walk(
        &mut self,
        path: &str,
        params: &Value,
        query: &str,
        sleeper: Sleeper<'_>,
    ) -> Result<Vec<Value>, ClientError> {
        let (from, to) = (day(params, "from")?, day(params, "to")?);
        let mut rows = Vec::new();
        for (first, last) in windows(from, to) {
            let (start, end) = (unix(first, false), unix(last, true));
            for page in 0.. {
                let url = format!("{path}?from={start}&to={end}&page={page}{query}");
                let answer = self.tupay_get(&url, sleeper).await?;
                let data = answer["data"].as_array().cloned().unwrap_or_default();
                let full = answer["maxRows"]
                    .as_u64()
                    .is_some_and(|max| max > 0 && answer["rows"].as_u64() == Some(max));
                rows.extend(data);
                if !full {
                    break;
                }
            }
        }
        Ok(rows)
    }
}

/// `params[field]` as a `YYYY-MM-DD` day.
fn day(params: &Value, field: &str) -> Result<NaiveDate, ClientError> {
    let text = text(params, field)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|e| {
        failure(
            ErrorKind::Unknown,
            format!("params.{field} {text:?} is not YYYY-MM-DD: {e}"),
        )
    })
}

/// `from..=to` cut into runs of at most [`WINDOW_DAYS`] whole days (none if `from` is after
/// `to`: Tupay would refuse that range, and no day lies in it).
fn windows(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut first = from;
    while first <= to {
        let last = (first.checked_add_days(Days::new(WINDOW_DAYS - 1))).map_or(to, |l| l.min(to));
        out.push((first, last));
        match last.succ_opt() {
            Some(next) => first = next,
            None => break,
        }
    }
    out
}

/// The Unix seconds of `day`'s first second, or of its last with `end`.
fn unix(day: NaiveDate, end: bool) -> i64 {
    let (h, m, s) = if end { (23, 59, 59) } else { (0, 0, 0) };
    day.and_hms_opt(h, m, s)
        .map_or(0, |t| t.and_utc().timestamp())
}

/// The token of a `BEARER_TOKEN=<token>; …` cookie among `set-cookie` values.
fn bearer_cookie(set_cookie: &str) -> Option<String> {
    let (_, rest) = set_cookie.split_once("BEARER_TOKEN=")?;
    let token = rest.split([';', ',']).next()?.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// A JSON number or string as text (`120.5` → `"120.5"`).
fn plain(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    }
}

fn tupay_answer(r: &Response) -> Outcome {
    let v = r.json();
    if r.status >= 300 {
        return Err(rejected(r, &v["code"], &v["description"]));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::{bearer_cookie, windows};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a day")
    }

    #[test]
    fn a_range_is_cut_into_windows_of_whole_days_sixty_at_most() {
        assert_eq!(
            windows(d("2026-01-01"), d("2026-01-01")),
            [(d("2026-01-01"), d("2026-01-01"))]
        );
        assert_eq!(
            windows(d("2026-01-01"), d("2026-03-15")),
            [
                (d("2026-01-01"), d("2026-03-01")),
                (d("2026-03-02"), d("2026-03-15"))
            ]
        );
        assert!(windows(d("2026-01-02"), d("2026-01-01")).is_empty());
    }

    #[test]
    fn the_session_token_is_read_from_its_cookie() {
        let header = "BEARER_TOKEN=U3dcUx8IRJ5nLjb0; Path=/; HttpOnly";
        assert_eq!(bearer_cookie(header).as_deref(), Some("U3dcUx8IRJ5nLjb0"));
        assert_eq!(bearer_cookie("other=1; Path=/"), None);
    }
}
