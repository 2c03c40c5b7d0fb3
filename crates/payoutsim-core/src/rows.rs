//! [`Rows<T>`]: a provider's records in insertion order, stored in fixed-size chunks so that at
//! most one chunk's room is spare (a `Vec` that doubles holds up to as many spare rows as it
//! has rows, just after it grows).
//!
//! The first chunk grows as a `Vec` does, up to [`CHUNK`] rows, so a table of a few rows costs a
//! few rows; every later chunk is made [`CHUNK`] rows long at once and never grows again. Row `i`
//! is at chunk `i / CHUNK`, place `i % CHUNK`: a get by index is O(1), and so is skipping ahead
//! in an iteration (`nth`), which pages cut out of a table rely on.
//!
//! - [`Rows`]: `push`, `get`, `get_mut`, `first`, `last`, `len`, `iter`, `iter_mut`, `retain`,
//!   `drop_oldest`, `partition_point`
//! - [`Iter`]: the rows in insertion order, double-ended and of known length

use std::iter::FusedIterator;

/// Rows per chunk.
pub const CHUNK: usize = 32;

/// Rows of type `T` in insertion order.
#[derive(Clone, Debug)]
pub struct Rows<T> {
    /// Every chunk but the last is full ([`CHUNK`] rows).
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Rows<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `row` last.
    pub fn push(&mut self, row: T) {
        let room = self.chunks.last().is_some_and(|c| c.len() < CHUNK);
        if !room {
            // The first chunk starts small and doubles up to a whole chunk; later ones are
            // whole at once, since a table that filled one chunk is likely to fill more.
            let cap = if self.chunks.is_empty() { 4 } else { CHUNK };
            self.chunks.push(Vec::with_capacity(cap));
        }
        if let Some(last) = self.chunks.last_mut() {
            if last.len() == last.capacity() {
                let grown = (last.capacity() * 2).clamp(4, CHUNK);
                last.reserve_exact(grown - last.len());
            }
            last.push(row);
            self.len += 1;
        }
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&T> {
        self.chunks.last()?.last()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The index of the first row `before` says no to, for rows ordered so that every row it
    /// says yes to comes first (as `slice::partition_point`): a binary search, O(log n).
    pub fn partition_point(&self, mut before: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).is_some_and(&mut before) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Every row, oldest first (`.rev()` for newest first).
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            rows: self,
            front: 0,
            back: self.len,
        }
    }

    /// Every row, oldest first, to change.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut T> {
        self.chunks.iter_mut().flat_map(|c| c.iter_mut())
    }

    /// Keeps the rows `keep` says yes to, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let old = std::mem::take(self);
        for row in old.into_rows() {
            if keep(&row) {
                self.push(row);
            }
        }
    }

    /// Takes out up to `n` rows `settled` picks, oldest first, and answers them; the others
    /// keep their order (and move down to fill the gaps).
    pub fn drop_oldest(&mut self, n: usize, settled: impl Fn(&T) -> bool) -> Vec<T> {
        let mut dropped = Vec::new();
        // With none to take (every row in flight, say) the rows stay where they are.
        if n == 0 || !self.iter().any(&settled) {
            return dropped;
        }
        let old = std::mem::take(self);
        for row in old.into_rows() {
            if dropped.len() < n && settled(&row) {
                dropped.push(row);
            } else {
                self.push(row);
            }
        }
        dropped
    }

    fn into_rows(self) -> impl Iterator<Item = T> {
        self.chunks.into_iter().flatten()
    }
}

impl<T> FromIterator<T> for Rows<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut rows = Self::new();
        for row in iter {
            rows.push(row);
        }
        rows
    }
}

/// Row `i`, as a `Vec` answers it (a panic past the end).
impl<T> std::ops::Index<usize> for Rows<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<'a, T> IntoIterator for &'a Rows<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// [`Rows::iter`]: rows `front..back`.
#[derive(Debug)]
pub struct Iter<'a, T> {
    rows: &'a Rows<T>,
    front: usize,
    back: usize,
}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        if self.front >= self.back {
            return None;
        }
        let row = self.rows.get(self.front);
        self.front += 1;
        row
    }

    fn nth(&mut self, n: usize) -> Option<&'a T> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.back - self.front;
        (left, Some(left))
    }
}

impl<'a, T> DoubleEndedIterator for Iter<'a, T> {
    fn next_back(&mut self) -> Option<&'a T> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.rows.get(self.back)
    }

    fn nth_back(&mut self, n: usize) -> Option<&'a T> {
        self.back = self.back.saturating_sub(n).max(self.front);
        self.next_back()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> FusedIterator for Iter<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn upto(n: usize) -> Rows<usize> {
        (0..n).collect()
    }

    #[test]
    fn rows_are_found_by_index_and_listed_in_insertion_order_across_chunks() {
        let rows = upto(CHUNK * 3 + 5);

        assert_eq!(rows.len(), CHUNK * 3 + 5);
        assert_eq!(rows.get(CHUNK + 1), Some(&(CHUNK + 1)));
        assert_eq!(rows.get(CHUNK * 3 + 5), None);
        assert_eq!(rows.first(), Some(&0));
        assert_eq!(rows.last(), Some(&(CHUNK * 3 + 4)));
        let all: Vec<usize> = rows.iter().copied().collect();
        assert_eq!(all, (0..CHUNK * 3 + 5).collect::<Vec<_>>());
        let back: Vec<usize> = rows.iter().rev().copied().collect();
        assert_eq!(back, (0..CHUNK * 3 + 5).rev().collect::<Vec<_>>());
    }

    #[test]
    fn a_partition_point_agrees_with_a_slice_s_across_chunks_and_gaps() {
        // Every third number up to a few chunks: a sorted table with gaps, as one left by drops.
        let rows: Rows<usize> = (0..CHUNK * 4 + 3).map(|i| i * 3).collect();
        let slice: Vec<usize> = rows.iter().copied().collect();

        for probe in 0..CHUNK * 12 + 12 {
            assert_eq!(
                rows.partition_point(|r| *r < probe),
                slice.partition_point(|r| *r < probe),
                "{probe}"
            );
        }
        assert_eq!(Rows::<usize>::new().partition_point(|_| true), 0);
    }

    #[test]
    fn skipping_ahead_lands_on_the_same_row_as_stepping() {
        let rows = upto(100);

        assert_eq!(rows.iter().nth(70), Some(&70));
        assert_eq!(rows.iter().rev().nth(70), Some(&29));
        assert_eq!(rows.iter().nth(100), None);
        let mut it = rows.iter();
        assert_eq!(it.nth(40), Some(&40));
        assert_eq!(it.len(), 59);
        assert_eq!(it.next_back(), Some(&99));
        assert_eq!(it.nth_back(57), Some(&41));
        assert_eq!(it.next(), None);
    }

    #[test]
    fn at_most_one_chunk_of_room_is_spare() {
        for n in [1, 3, CHUNK - 1, CHUNK, CHUNK + 1, 1_000] {
            let rows = upto(n);
            let room: usize = rows.chunks.iter().map(Vec::capacity).sum();
            assert!(room - n < CHUNK, "{n} rows in room for {room}");
            assert!(
                rows.chunks[..rows.chunks.len() - 1]
                    .iter()
                    .all(|c| c.len() == CHUNK)
            );
        }
    }

    #[test]
    fn dropping_the_oldest_settled_rows_keeps_the_others_in_order() {
        let mut rows = upto(CHUNK * 2);

        let dropped = rows.drop_oldest(3, |n| n % 2 == 1);

        assert_eq!(dropped, [1, 3, 5]);
        assert_eq!(rows.len(), CHUNK * 2 - 3);
        assert_eq!(rows.get(1), Some(&2));
        assert_eq!(rows.get(3), Some(&6));
        assert_eq!(rows.get(4), Some(&7));
        assert!(rows.drop_oldest(5, |n| *n > 1_000).is_empty());
        assert!(rows.drop_oldest(0, |_| true).is_empty());
        assert_eq!(rows.len(), CHUNK * 2 - 3);
    }

    #[test]
    fn retain_keeps_the_chosen_rows_in_order_and_changes_reach_the_rows() {
        let mut rows = upto(CHUNK + 10);

        rows.retain(|n| n % 3 == 0);
        for n in rows.iter_mut() {
            *n *= 10;
        }

        let kept: Vec<usize> = rows.iter().copied().collect();
        assert_eq!(
            kept,
            (0..CHUNK + 10)
                .filter(|n| n % 3 == 0)
                .map(|n| n * 10)
                .collect::<Vec<_>>()
        );
        assert_eq!(rows.len(), kept.len());
    }
}
