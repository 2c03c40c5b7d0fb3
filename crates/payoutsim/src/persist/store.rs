//! The SQLite file of a `--data-dir`: its meta table, the input log, the delivery records and
//! where each webhook message stands.
//!
//! One connection behind a mutex is the one writer. The file is in WAL mode with
//! `synchronous=NORMAL`: a transaction is in the WAL once its write returns, so it survives the
//! process being killed (`kill -9`); a power cut may lose the last transactions (see the README,
//! "State across restarts").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use payoutsim_core::MessageProgress;
use payoutsim_core::forced::ForcedOutcome;
use payoutsim_core::webhooks::{Delivery, Numbering};
use rusqlite::{Connection, OpenFlags, params};

/// The database's name inside the directory; SQLite adds `-wal` and `-shm` beside it.
pub const FILE: &str = "payoutsim.db";

/// The files a data directory may hold.
const OURS: [&str; 3] = [FILE, "payoutsim.db-wal", "payoutsim.db-shm"];

/// What the `format` meta row says in a directory this version writes.
pub const FORMAT: &str = "payoutsim data directory, format 1";

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE inputs (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    listener TEXT NOT NULL,
    at TEXT NOT NULL,
    method TEXT NOT NULL,
    uri TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    peer TEXT,
    forced TEXT,
    status INTEGER NOT NULL,
    body_hash TEXT NOT NULL
) STRICT;
CREATE TABLE deliveries (id INTEGER PRIMARY KEY, record TEXT NOT NULL) STRICT;
CREATE TABLE messages (id INTEGER PRIMARY KEY, attempts INTEGER NOT NULL, retry_at TEXT) STRICT;
";

/// What kind of input a log entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A request a provider listener handled (after the fault layer passed it).
    Provider,
    /// A state-changing admin call that succeeded.
    Admin,
    /// The real-clock ticker applied what fell due.
    Tick,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Provider => "provider",
            Kind::Admin => "admin",
            Kind::Tick => "tick",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "provider" => Some(Kind::Provider),
            "admin" => Some(Kind::Admin),
            "tick" => Some(Kind::Tick),
            _ => None,
        }
    }
}

/// One logged input and the answer it got.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub kind: Kind,
    /// `admin` or the provider's name (`tick` for the ticker).
    pub listener: String,
    /// Global simulated time it was handled at (held for the whole input).
    pub at: DateTime<Utc>,
    pub method: String,
    /// Path and query.
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client's address, for providers that read it.
    pub peer: Option<String>,
    /// The outcome a fault rule forced on it, if any.
    pub forced: Option<ForcedOutcome>,
    pub status: u16,
    /// SHA-256 of the answer's body, hex.
    pub body_hash: String,
}

/// The open database.
pub struct Store {
    conn: Mutex<Connection>,
    file: PathBuf,
    /// `--data-dir-max-bytes`: past it the log is compacted, else state-changing inputs are
    /// refused.
    max_bytes: u64,
}

/// A full reset in the log: its sequence number and where the webhook numbering stood after it
/// (the meta rows `last_reset`, the newest one logged, and `base`, the one the log starts at
/// once compacted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResetMark {
    pub seq: i64,
    pub numbering: Numbering,
}

/// What one compaction dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Compacted {
    pub inputs: usize,
    pub deliveries: usize,
    pub messages: usize,
}

/// Why a directory cannot be used, worded for the start-up error.
pub type OpenError = String;

impl Store {
    /// Opens (creating when missing) the database of `dir`. Answers the store and its meta rows
    /// (`None`: nothing written yet). A directory with other files, a file that is not a
    /// database, one that is not payoutsim's, and one that fails SQLite's check are refused.
    pub fn open(dir: &Path) -> Result<(Store, Option<BTreeMap<String, String>>), OpenError> {
        let shown = dir.display();
        if dir.exists() && !dir.is_dir() {
            return Err(format!("--data-dir {shown} is not a directory"));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create --data-dir {shown}: {e}"))?;
        let mut foreign: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read --data-dir {shown}: {e}"))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !OURS.contains(&name.as_str()))
            .collect();
        if !foreign.is_empty() {
            foreign.sort();
            return Err(format!(
                "--data-dir {shown} holds files that are not payoutsim's ({}): give an empty \
                 directory or one payoutsim wrote",
                foreign.join(", ")
            ));
        }
        let file = dir.join(FILE);
        let unreadable = |e: rusqlite::Error| {
            format!(
                "{} is not a payoutsim data file (corrupt or foreign): {e}",
                file.display()
            )
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&file, flags).map_err(unreadable)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(unreadable)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!(
                "{} cannot be put in WAL mode (it is in `{mode}` mode)",
                file.display()
            ));
        }
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
            .map_err(unreadable)?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(unreadable)?;
        if check != "ok" {
            return Err(format!(
                "{} is corrupt (SQLite's check says: {check})",
                file.display()
            ));
        }
        let tables = table_names(&conn).map_err(unreadable)?;
        let meta = if tables.is_empty() {
            None
        } else if tables != ["deliveries", "inputs", "messages", "meta"] {
            return Err(format!(
                "{} is a database that payoutsim did not write (its tables: {})",
                file.display(),
                tables.join(", ")
            ));
        } else {
            let meta = read_meta(&conn).map_err(unreadable)?;
            match meta.get("format") {
                Some(f) if f == FORMAT => Some(meta),
                other => {
                    return Err(format!(
                        "{} is in another format ({}; this version reads `{FORMAT}`)",
                        file.display(),
                        other.map_or("no format recorded".to_string(), |f| format!("`{f}`"))
                    ));
                }
            }
        };
        let store = Store {
            conn: Mutex::new(conn),
            file,
            max_bytes: u64::MAX,
        };
        Ok((store, meta))
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Sets the bound `--data-dir-max-bytes` gives.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Bytes the database holds (its pages in use, the WAL's newest included; free pages,
    /// which later writes reuse, left out).
    pub fn used_bytes(&self) -> rusqlite::Result<u64> {
        let conn = self.conn();
        let pages: u64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let free: u64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let size: u64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok(pages.saturating_sub(free).saturating_mul(size))
    }

    /// Whether the database holds `--data-dir-max-bytes` or more.
    pub fn is_full(&self) -> rusqlite::Result<bool> {
        Ok(self.used_bytes()? >= self.max_bytes)
    }

    /// Appends a full reset (`POST /__admin/reset` of every provider) and marks it as the newest
    /// one, with the webhook numbering after it, in one transaction.
    pub fn append_reset(&self, input: &Input, numbering: Numbering) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert(&tx, input)?;
        let mark = ResetMark {
            seq: tx.last_insert_rowid(),
            numbering,
        };
        put_mark(&tx, "last_reset", &mark)?;
        tx.commit()
    }

    /// The reset the log starts at, once compacted (`None`: it starts at the beginning).
    pub fn base(&self) -> Result<Option<ResetMark>, String> {
        let text = read_meta_row(&self.conn(), "base").map_err(|e| e.to_string())?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| format!("the log's base is unreadable: {e}"))
        })
        .transpose()
    }

    /// Drops everything before the newest full reset, when the log does not start there
    /// already: the inputs before it, and the delivery records and message progress of what it
    /// cleared (numbered up to where its numbering stood). State after a full reset is a
    /// function of the settings and the clock, so replaying from the reset gives the same
    /// answers, the webhook numbering continued from the mark. The WAL is then truncated.
    pub fn compact(&self) -> rusqlite::Result<Compacted> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mark = |key: &str| -> rusqlite::Result<Option<ResetMark>> {
            let text = read_meta_row(&tx, key)?;
            Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
        };
        let (Some(last), base) = (mark("last_reset")?, mark("base")?) else {
            return Ok(Compacted::default());
        };
        if base.is_some_and(|b| b.seq >= last.seq) {
            return Ok(Compacted::default());
        }
        let n = last.numbering;
        let number = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let dropped = Compacted {
            inputs: tx.execute("DELETE FROM inputs WHERE seq < ?1", [last.seq])?,
            deliveries: tx.execute(
                "DELETE FROM deliveries WHERE id <= ?1",
                [number(n.deliveries)],
            )?,
            messages: tx.execute("DELETE FROM messages WHERE id <= ?1", [number(n.messages)])?,
        };
        put_mark(&tx, "base", &last)?;
        tx.commit()?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(dropped)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates the tables and writes the meta rows, in one transaction: a directory is either
    /// payoutsim's whole or still empty.
    pub fn initialise(&self, meta: &BTreeMap<String, String>) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA)?;
        for (k, v) in meta {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        tx.commit()
    }

    /// Appends one input to the log.
    pub fn append(&self, input: &Input) -> rusqlite::Result<()> {
        insert(&self.conn(), input)
    }

    /// Up to `limit` inputs logged after sequence number `after`, in order.
    pub fn inputs_after(&self, after: i64, limit: usize) -> Result<Vec<(i64, Input)>, String> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, kind, listener, at, method, uri, headers, body, peer, forced, \
                 status, body_hash FROM inputs WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(|e| e.to_string())?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![after, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, u16>(10)?,
                    r.get::<_, String>(11)?,
                ))
            })
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, kind, listener, at, method, uri, headers, body, peer, forced, status, hash) =
                row.map_err(|e| e.to_string())?;
            let bad = |what: &str| format!("input #{seq} has an unreadable {what}");
            let kind = Kind::parse(&kind).ok_or_else(|| bad("kind"))?;
            let at = DateTime::parse_from_rfc3339(&at)
                .map_err(|_| bad("time"))?
                .with_timezone(&Utc);
            let headers: Vec<(String, String)> =
                serde_json::from_str(&headers).map_err(|_| bad("header list"))?;
            let forced = match forced {
                None => None,
                Some(text) => Some(parse_forced(&text).ok_or_else(|| bad("forced outcome"))?),
            };
            out.push((
                seq,
                Input {
                    kind,
                    listener,
                    at,
                    method,
                    uri,
                    headers,
                    body,
                    peer,
                    forced,
                    status,
                    body_hash: hash,
                },
            ));
        }
        Ok(out)
    }

    /// How many inputs the log holds.
    pub fn input_count(&self) -> rusqlite::Result<i64> {
        self.conn()
            .query_row("SELECT count(*) FROM inputs", [], |r| r.get(0))
    }

    /// Keeps a delivery record (replacing one of the same number).
    pub fn put_delivery(&self, d: &Delivery) -> rusqlite::Result<()> {
        let record = serde_json::to_string(d).unwrap_or_default();
        let id = i64::try_from(d.id).unwrap_or(i64::MAX);
        self.conn().execute(
            "INSERT OR REPLACE INTO deliveries (id, record) VALUES (?1, ?2)",
            params![id, record],
        )?;
        Ok(())
    }

    /// The last `cap` delivery records, oldest first.
    pub fn deliveries(&self, cap: usize) -> Result<Vec<Delivery>, String> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, record FROM deliveries ORDER BY id DESC LIMIT ?1")
            .map_err(|e| e.to_string())?;
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![cap], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, text) = row.map_err(|e| e.to_string())?;
            let d: Delivery = serde_json::from_str(&text)
                .map_err(|e| format!("delivery record #{id} is unreadable: {e}"))?;
            out.push(d);
        }
        out.reverse();
        Ok(out)
    }

    /// Where message `id` stands now.
    pub fn set_message(&self, id: u64, progress: MessageProgress) -> rusqlite::Result<()> {
        let id = i64::try_from(id).unwrap_or(i64::MAX);
        let (attempts, retry_at) = match progress {
            MessageProgress::Done => (0, None),
            MessageProgress::Retrying { attempts, retry_at } => {
                (attempts, Some(payoutsim_core::clock::rfc3339(retry_at)))
            }
        };
        self.conn().execute(
            "INSERT OR REPLACE INTO messages (id, attempts, retry_at) VALUES (?1, ?2, ?3)",
            params![id, attempts, retry_at],
        )?;
        Ok(())
    }

    /// Where every message an attempt was made for stands, by number.
    pub fn messages(&self) -> Result<Vec<(u64, MessageProgress)>, String> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, attempts, retry_at FROM messages ORDER BY id")
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, attempts, retry_at) = row.map_err(|e| e.to_string())?;
            let id = u64::try_from(id).map_err(|_| format!("message #{id} has a bad number"))?;
            let progress = match retry_at {
                None => MessageProgress::Done,
                Some(t) => MessageProgress::Retrying {
                    attempts,
                    retry_at: DateTime::parse_from_rfc3339(&t)
                        .map_err(|_| format!("message #{id} has an unreadable retry time"))?
                        .with_timezone(&Utc),
                },
            };
            out.push((id, progress));
        }
        Ok(out)
    }
}

/// Inserts one input into the log.
fn insert(conn: &Connection, input: &Input) -> rusqlite::Result<()> {
    let headers = serde_json::to_string(&input.headers).unwrap_or_else(|_| "[]".into());
    let forced = input.forced.as_ref().map(|f| {
        serde_json::json!({"status": f.status, "reason": f.reason, "rule": f.rule}).to_string()
    });
    conn.execute(
        "INSERT INTO inputs (kind, listener, at, method, uri, headers, body, peer, forced, \
         status, body_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            input.kind.as_str(),
            input.listener,
            payoutsim_core::clock::rfc3339(input.at),
            input.method,
            input.uri,
            headers,
            input.body,
            input.peer,
            forced,
            input.status,
            input.body_hash,
        ],
    )?;
    Ok(())
}

/// Writes a reset mark under `key` in the meta table.
fn put_mark(conn: &Connection, key: &str, mark: &ResetMark) -> rusqlite::Result<()> {
    let text = serde_json::to_string(mark).unwrap_or_default();
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![key, text],
    )?;
    Ok(())
}

/// The meta row `key`, if written.
fn read_meta_row(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    let found = conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0));
    match found {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(e),
    }
}

fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
    names.collect()
}

fn read_meta(conn: &Connection) -> rusqlite::Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare("SELECT key, value FROM meta")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    rows.collect()
}

fn parse_forced(text: &str) -> Option<ForcedOutcome> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(ForcedOutcome {
        status: v.get("status")?.as_str()?.to_string(),
        reason: v.get("reason").and_then(|r| r.as_str()).map(str::to_string),
        rule: v.get("rule")?.as_str()?.to_string(),
    })
}
