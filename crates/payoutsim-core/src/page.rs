//! Pages of admin listings: `limit` (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]) and an
//! `after` cursor (the `next_after` of the page before), so no listing is answered whole.
//!
//! A page is written to its answer item by item ([`Items`]): each item is rendered (parsed,
//! masked) while it is written and dropped before the next, so an answer costs its own bytes and
//! one item's rendering, never the whole listing's.

use std::cell::RefCell;

use axum::response::{IntoResponse, Response};
use serde::{Serialize, Serializer};

use crate::error::AdminError;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// The largest `limit` a listing accepts.
pub const MAX_LIMIT: usize = 1000;

/// `limit` as given, checked: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
pub fn limit(given: Option<usize>) -> Result<usize, AdminError> {
    match given {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AdminError::bad_request(format!(
            "`limit` must be between 1 and {MAX_LIMIT}"
        ))),
    }
}

/// A sequence serialised by rendering each element as it is written: `render` turns one stored
/// item into what the answer shows.
pub struct Items<I, F>(RefCell<Option<(I, F)>>);

impl<I, F> Items<I, F> {
    pub fn new(items: I, render: F) -> Self {
        Self(RefCell::new(Some((items, render))))
    }
}

impl<I, F, T, R> Serialize for Items<I, F>
where
    I: IntoIterator<Item = T>,
    F: FnMut(T) -> R,
    R: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let Some((items, mut render)) = self.0.borrow_mut().take() else {
            return serializer.serialize_seq(Some(0))?.end();
        };
        let mut seq = serializer.serialize_seq(None)?;
        for item in items {
            seq.serialize_element(&render(item))?;
        }
        seq.end()
    }
}

/// `value` as a 200 JSON answer, serialised straight into the answer's bytes.
pub fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => ([(http::header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => AdminError(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the answer did not serialise: {e}"),
        )
        .into_response(),
    }
}
