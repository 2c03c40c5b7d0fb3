//! Pages of admin listings: `limit` (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]) and an
//! `after` cursor (the `next_after` of the page before), so no listing is answered whole.
//!
//! A page is written to its answer item by item ([`Items`]): each item is rendered (parsed,
//! masked) while it is written and dropped before the next, so an answer costs its own bytes and
//! one item's rendering, never the whole listing's.
//!
//! Cutting a page out of a table, for every list (admin or provider): [`cut`] skips to the page
//! with `nth` (one step on a slice's iterator, reversed or not), [`cut_filtered`] keeps only the
//! page's items of those a filter keeps and counts the rest, [`window_iter`] is [`window`] over an
//! iterator that knows its length, and [`window_of_parts`] is [`window`] over several slices (or [`Rows`](crate::rows::Rows)) laid
//! end to end (each tenant's records, tenant after tenant). None of them copies a row outside the
//! page: the caller builds wire objects for the page's items only.

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
    window_iter(items.into_iter(), offset, limit)
}

/// [`window`] over an iterator that knows its length: only the window's items are taken, the
/// ones before it skipped with `nth` (see [`cut`]).
pub fn window_iter<I: ExactSizeIterator>(
    items: I,
    offset: Option<usize>,
    limit: usize,
) -> Window<I::Item> {
    let total = items.len();
    let (start, end, next_offset) = bounds(total, offset, limit);
    Window {
        items: cut(items, start, end - start),
        total,
        next_offset,
    }
}

/// Where [`window`] of `total` items starts and ends, and the next window's offset.
fn bounds(total: usize, offset: Option<usize>, limit: usize) -> (usize, usize, Option<usize>) {
    let start = offset
        .unwrap_or_else(|| total.saturating_sub(limit))
        .min(total);
    let end = start.saturating_add(limit).min(total);
    let next_offset = (offset.is_some() && end < total).then_some(end);
    (start, end, next_offset)
}

/// [`window`] over `parts` laid end to end (each a key, such as a tenant's name, and its
/// records): each item answered with its part's key. Whole parts before the window are passed
/// over by their length and the window's first part is entered with [`cut`], so the cost is the
/// number of parts plus the window, never the rows before it.
pub fn window_of_parts<'a, K: Clone, T: 'a, P>(
    parts: &[(K, P)],
    offset: Option<usize>,
    limit: usize,
) -> Window<(K, &'a T)>
where
    P: Copy + IntoIterator<Item = &'a T>,
    P::IntoIter: ExactSizeIterator,
{
    let total = parts.iter().map(|(_, rows)| rows.into_iter().len()).sum();
    let (mut start, end, next_offset) = bounds(total, offset, limit);
    let mut wanted = end - start;
    let mut items = Vec::with_capacity(wanted);
    for (key, rows) in parts {
        if wanted == 0 {
            break;
        }
        let rows = rows.into_iter();
        if start >= rows.len() {
            start -= rows.len();
            continue;
        }
        let taken = cut(rows, start, wanted);
        wanted -= taken.len();
        items.extend(taken.into_iter().map(|row| (key.clone(), row)));
        start = 0;
    }
    Window {
        items,
        total,
        next_offset,
    }
}

/// Items `start..start + len` of `items`. The ones before are skipped with one `nth`, which a
/// slice's iterator (reversed or not) answers in one step: a page of a table costs O(`len`),
/// not O(rows). Skip on the table's own iterator and map the page afterwards: a mapped or
/// filtered iterator skips one item at a time.
pub fn cut<I: Iterator>(mut items: I, start: usize, len: usize) -> Vec<I::Item> {
    if len == 0 || (start > 0 && items.nth(start - 1).is_none()) {
        return Vec::new();
    }
    items.take(len).collect()
}

/// Items `start..start + len` of those `keep` keeps, and how many it keeps in all. One pass that
/// only asks `keep`: the page's items are the only ones kept, so a filtered list costs a look at
/// each row (by reference) and wire objects for its page alone.
pub fn cut_filtered<I: Iterator>(
    items: I,
    mut keep: impl FnMut(&I::Item) -> bool,
    start: usize,
    len: usize,
) -> (Vec<I::Item>, usize) {
    let mut page = Vec::new();
    let mut total = 0usize;
    for item in items {
        if !keep(&item) {
            continue;
        }
        if total >= start && page.len() < len {
            page.push(item);
        }
        total += 1;
    }
    (page, total)
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

    /// [`Paging::window`] over an iterator that knows its length ([`window_iter`]).
    pub fn window_iter<I: ExactSizeIterator>(
        &self,
        items: I,
    ) -> Result<Window<I::Item>, AdminError> {
        Ok(window_iter(items, self.offset, limit(self.limit)?))
    }

    /// [`Paging::window`] over slices laid end to end ([`window_of_parts`]).
    pub fn window_of_parts<'a, K: Clone, T: 'a, P>(
        &self,
        parts: &[(K, P)],
    ) -> Result<Window<(K, &'a T)>, AdminError>
    where
        P: Copy + IntoIterator<Item = &'a T>,
        P::IntoIter: ExactSizeIterator,
    {
        Ok(window_of_parts(parts, self.offset, limit(self.limit)?))
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

    /// Counts the items it yields one by one; skips (`nth`) in one step, as a slice's iterator.
    struct Counted<'a> {
        range: std::ops::Range<usize>,
        yielded: &'a std::cell::Cell<usize>,
    }

    impl Iterator for Counted<'_> {
        type Item = usize;
        fn next(&mut self) -> Option<usize> {
            self.yielded.set(self.yielded.get() + 1);
            self.range.next()
        }
        fn nth(&mut self, n: usize) -> Option<usize> {
            self.range.nth(n)
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            self.range.size_hint()
        }
    }

    impl ExactSizeIterator for Counted<'_> {}

    #[test]
    fn a_cut_deep_in_many_rows_reads_only_its_own_items() {
        let yielded = std::cell::Cell::new(0);
        let rows = Counted {
            range: 0..100_000,
            yielded: &yielded,
        };

        let w = window_iter(rows, Some(60_000), 3);

        assert_eq!(
            (w.items, w.total, w.next_offset),
            (vec![60_000, 60_001, 60_002], 100_000, Some(60_003))
        );
        assert_eq!(yielded.get(), 3);
    }

    #[test]
    fn cuts_agree_with_skip_and_take() {
        let rows: Vec<u32> = (0..23).collect();
        for start in [0, 1, 5, 22, 23, 40] {
            for len in [0, 1, 4, 30] {
                let naive: Vec<&u32> = rows.iter().rev().skip(start).take(len).collect();
                assert_eq!(cut(rows.iter().rev(), start, len), naive, "{start}+{len}");
                let even = |r: &&u32| (**r).is_multiple_of(2);
                let kept: Vec<&u32> = rows.iter().filter(even).collect();
                let want: Vec<&u32> = kept.iter().skip(start).take(len).copied().collect();
                assert_eq!(
                    cut_filtered(rows.iter(), even, start, len),
                    (want, kept.len())
                );
            }
        }
    }

    #[test]
    fn a_window_of_parts_is_the_window_of_their_concatenation() {
        let (a, b, c): (Vec<u32>, Vec<u32>, Vec<u32>) =
            ((0..4).collect(), vec![], (4..9).collect());
        let parts = [("a", &a[..]), ("b", &b[..]), ("c", &c[..])];
        let all: Vec<(&str, u32)> = parts
            .iter()
            .flat_map(|(k, rows)| rows.iter().map(move |r| (*k, *r)))
            .collect();
        for offset in [None, Some(0), Some(3), Some(4), Some(8), Some(9), Some(20)] {
            for limit in [1, 2, 5, 100] {
                let got = window_of_parts(&parts, offset, limit);
                let want = window(all.clone(), offset, limit);
                let got_items: Vec<(&str, u32)> =
                    got.items.iter().map(|(k, r)| (*k, **r)).collect();
                assert_eq!(got_items, want.items, "{offset:?} {limit}");
                assert_eq!((got.total, got.next_offset), (want.total, want.next_offset));
            }
        }
    }

    #[test]
    fn a_limit_out_of_range_is_refused_naming_the_maximum() {
        let e = limit(Some(MAX_LIMIT + 1)).unwrap_err();
        assert_eq!(e.1, "`limit` must be between 1 and 1000");
        assert!(limit(Some(0)).is_err());
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
    }
}
