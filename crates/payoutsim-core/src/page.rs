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

/// A window of `items` (in their order): without `offset`, the last `limit` (the newest of a
/// listing kept oldest first); with it, `limit` items from `offset`. Also how many there are in
/// all and, with `offset`, the `offset` of the next window when items follow.
pub fn window<T>(items: Vec<T>, offset: Option<usize>, limit: usize) -> Window<T> {
    let total = items.len();
    let start = offset
        .unwrap_or_else(|| total.saturating_sub(limit))
        .min(total);
    let end = start.saturating_add(limit).min(total);
    let next_offset = (offset.is_some() && end < total).then_some(end);
    let items = items.into_iter().skip(start).take(end - start).collect();
    Window {
        items,
        total,
        next_offset,
    }
}

/// What [`window`] answers.
#[derive(Debug)]
pub struct Window<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub next_offset: Option<usize>,
}

/// `limit` and `offset` of a listing paged by position (see [`window`]).
#[derive(Clone, Copy, Debug, Default, serde::Deserialize)]
pub struct Paging {
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

impl Paging {
    /// The window of `items` this paging asks for (its `limit` checked).
    pub fn window<T>(&self, items: Vec<T>) -> Result<Window<T>, AdminError> {
        Ok(window(items, self.offset, limit(self.limit)?))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_an_offset_the_window_is_the_newest_items() {
        let w = window((0..10).collect(), None, 3);
        assert_eq!((w.items, w.total, w.next_offset), (vec![7, 8, 9], 10, None));
    }

    #[test]
    fn offsets_walk_every_item_once() {
        let mut seen = Vec::new();
        let mut offset = Some(0);
        while let Some(at) = offset {
            let w = window((0..7).collect::<Vec<i32>>(), Some(at), 3);
            seen.extend(w.items);
            offset = w.next_offset;
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn a_limit_out_of_range_is_refused_naming_the_maximum() {
        let e = limit(Some(MAX_LIMIT + 1)).unwrap_err();
        assert_eq!(e.1, "`limit` must be between 1 and 1000");
        assert!(limit(Some(0)).is_err());
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
    }
}
