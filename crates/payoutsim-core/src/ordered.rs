//! [`Ordered<T>`]: objects kept in creation order, found by id, listed in cursor pages.
//!
//! The pages are the ones Stripe-style APIs answer (`limit`, `starting_after`, `ending_before`,
//! `{data, has_more}`): a list in one [`Order`], a [`Cursor`] naming an object of it, a filter,
//! and the page of matching objects with whether more lie beyond it. Each object gets a creation
//! number that never changes, so removing one leaves every other object's place, and the cursors
//! naming them, as they were. A page costs O(log n) to find its start plus the objects it scans;
//! never a pass over the whole collection.
//!
//! Storage: the objects in [`Rows`] (chunks, at most one chunk spare), each with its creation
//! number, which only grows down the rows, so an object's place is found by binary search. A
//! removed object leaves a hole until holes are half the rows, when the rows are compacted
//! (amortised O(1) a removal). Ids that are lower-case hyphenated UUIDs ([`Uid`]'s own text) are
//! indexed as 16 bytes, any other id as its text: the same id always lands in the same index, so
//! lookups answer exactly as when every id was text.
//!
//! - [`Ordered`]: `insert`, `get`, `get_mut`, `remove`, `len`, `iter`, `page`
//! - [`Order`], [`Cursor`]: which way the list runs, and where a page starts
//! - [`UnknownCursor`]: a cursor naming no object here, for the caller to word

use crate::fastmap::FastMap;
use crate::ids::Uid;
use crate::rows::Rows;

/// Which way a list runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// The newest object first (most lists' default).
    NewestFirst,
    /// The oldest object first (`reverse_order=true`, say).
    OldestFirst,
}

/// Where a page starts, by an object of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor<'a> {
    /// `starting_after`: the objects after this one, in list order.
    After(&'a str),
    /// `ending_before`: the objects just before this one, answered in list order.
    Before(&'a str),
}

/// A cursor named an object the collection does not hold (never created, or removed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no object `{id}` to page from")]
pub struct UnknownCursor {
    pub id: String,
}

/// One row: an object's creation number and the object (`None` once removed, until compacted).
#[derive(Clone, Debug)]
struct Entry<T> {
    seq: u64,
    value: Option<T>,
}

/// Holes tolerated before compaction is considered at all (a small list never compacts for one).
const HOLES_BEFORE_COMPACTING: usize = 32;

/// Objects of type `T` by id, in creation order.
#[derive(Clone, Debug)]
pub struct Ordered<T> {
    next: u64,
    /// In creation order (so by ascending `seq`).
    rows: Rows<Entry<T>>,
    /// Rows whose object was removed.
    holes: usize,
    /// Ids that are [`Uid`]s' text, as 16 bytes.
    seq_of_uid: FastMap<Uid, u64>,
    /// Every other id, held once, exactly as long as it is.
    seq_of_text: FastMap<Box<str>, u64>,
}

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Self {
            next: 0,
            rows: Rows::new(),
            holes: 0,
            seq_of_uid: FastMap::default(),
            seq_of_text: FastMap::default(),
        }
    }
}

impl<T> Ordered<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The creation number of object `id`.
    fn seq(&self, id: &str) -> Option<u64> {
        match id.parse::<Uid>() {
            Ok(uid) => self.seq_of_uid.get(&uid).copied(),
            Err(_) => self.seq_of_text.get(id).copied(),
        }
    }

    /// The row of creation number `seq` (held: every indexed number has its row).
    fn place(&self, seq: u64) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.rows.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.rows.get(mid)?.seq.cmp(&seq) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    fn slot(&self, id: &str) -> Option<usize> {
        self.place(self.seq(id)?)
    }

    /// Stores `value` under `id`: a new id goes last (the newest); a known one keeps its place
    /// and its old value is answered.
    pub fn insert(&mut self, id: impl Into<String>, value: T) -> Option<T> {
        let id = id.into();
        if let Some(at) = self.slot(&id) {
            let entry = self.rows.get_mut(at)?;
            return entry.value.replace(value);
        }
        let seq = self.next;
        self.next += 1;
        match id.parse::<Uid>() {
            Ok(uid) => self.seq_of_uid.insert(uid, seq),
            Err(_) => self.seq_of_text.insert(id.into_boxed_str(), seq),
        };
        let value = Some(value);
        self.rows.push(Entry { seq, value });
        None
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.rows.get(self.slot(id)?)?.value.as_ref()
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let at = self.slot(id)?;
        self.rows.get_mut(at)?.value.as_mut()
    }

    /// Object `uid` (the object whose id is `uid`'s text).
    pub fn get_uid(&self, uid: &Uid) -> Option<&T> {
        let at = self.place(*self.seq_of_uid.get(uid)?)?;
        self.rows.get(at)?.value.as_ref()
    }

    pub fn get_uid_mut(&mut self, uid: &Uid) -> Option<&mut T> {
        let at = self.place(*self.seq_of_uid.get(uid)?)?;
        self.rows.get_mut(at)?.value.as_mut()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.seq(id).is_some()
    }

    /// Takes object `id` out; the others keep their places.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        let seq = match id.parse::<Uid>() {
            Ok(uid) => self.seq_of_uid.remove(&uid)?,
            Err(_) => self.seq_of_text.remove(id)?,
        };
        let at = self.place(seq)?;
        let value = self.rows.get_mut(at)?.value.take();
        self.holes += 1;
        if self.holes > HOLES_BEFORE_COMPACTING && self.holes * 2 > self.rows.len() {
            self.rows.retain(|e| e.value.is_some());
            self.holes = 0;
        }
        value
    }

    pub fn len(&self) -> usize {
        self.rows.len() - self.holes
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every object, oldest first (`.rev()` for newest first).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.rows.iter().filter_map(|e| e.value.as_ref())
    }

    /// Every object, oldest first, to change.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut T> {
        self.rows.iter_mut().filter_map(|e| e.value.as_mut())
    }

    /// One page of the objects `filter` keeps, in `order`: at most `limit` of them, from the
    /// start of the list or from `cursor`, and whether more matching objects lie beyond the
    /// page in the direction of travel (after it; before it for [`Cursor::Before`]). The
    /// cursor's own object is never on the page, whether the filter keeps it or not.
    pub fn page(
        &self,
        order: Order,
        limit: usize,
        cursor: Option<Cursor<'_>>,
        filter: impl Fn(&T) -> bool,
    ) -> Result<(Vec<&T>, bool), UnknownCursor> {
        let place = |id: &str| (self.slot(id)).ok_or_else(|| UnknownCursor { id: id.to_string() });
        // Which way the scan runs over the rows, and from which row (excluded).
        let (ascending, from, backwards) = match (order, cursor) {
            (Order::OldestFirst, None) => (true, None, false),
            (Order::NewestFirst, None) => (false, None, false),
            (Order::OldestFirst, Some(Cursor::After(id))) => (true, Some(place(id)?), false),
            (Order::NewestFirst, Some(Cursor::After(id))) => (false, Some(place(id)?), false),
            (Order::OldestFirst, Some(Cursor::Before(id))) => (false, Some(place(id)?), true),
            (Order::NewestFirst, Some(Cursor::Before(id))) => (true, Some(place(id)?), true),
        };
        let rows = self.rows.iter();
        let scan: Box<dyn Iterator<Item = &Entry<T>>> = match (ascending, from) {
            (true, None) => Box::new(rows),
            (true, Some(at)) => Box::new(rows.skip(at + 1)),
            (false, None) => Box::new(rows.rev()),
            (false, Some(at)) => Box::new(rows.take(at).rev()),
        };
        let mut matching = scan.filter_map(|e| e.value.as_ref()).filter(|v| filter(v));
        let mut page: Vec<&T> = matching.by_ref().take(limit).collect();
        let has_more = matching.next().is_some();
        if backwards {
            page.reverse();
        }
        Ok((page, has_more))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Objects `a`…`e` made in that order, each holding its own name.
    fn five() -> Ordered<&'static str> {
        let mut list = Ordered::new();
        for id in ["a", "b", "c", "d", "e"] {
            list.insert(id, id);
        }
        list
    }

    type Names = (Vec<&'static str>, bool);

    fn names(page: Result<(Vec<&&'static str>, bool), UnknownCursor>) -> Names {
        let (page, more) = page.unwrap();
        (page.into_iter().copied().collect(), more)
    }

    fn all(_: &&str) -> bool {
        true
    }

    /// The names on a page of [`five`], every object kept.
    fn page_of(order: Order, limit: usize, cursor: Option<Cursor<'_>>) -> Names {
        names(five().page(order, limit, cursor, all))
    }

    #[test]
    fn a_first_page_starts_at_the_newest_or_the_oldest_object() {
        assert_eq!(page_of(Order::NewestFirst, 2, None), (vec!["e", "d"], true));
        assert_eq!(page_of(Order::OldestFirst, 2, None), (vec!["a", "b"], true));
    }

    #[test]
    fn a_cursor_starts_the_page_after_its_object_or_ends_it_just_before_in_list_order() {
        use Cursor::{After, Before};
        use Order::{NewestFirst as Newest, OldestFirst as Oldest};
        let cases = [
            (Newest, 2, After("d"), vec!["c", "b"], true),
            (Newest, 2, After("c"), vec!["b", "a"], false),
            (Oldest, 10, After("b"), vec!["c", "d", "e"], false),
            (Newest, 2, Before("b"), vec!["d", "c"], true),
            (Newest, 2, Before("c"), vec!["e", "d"], false),
            (Oldest, 2, Before("e"), vec!["c", "d"], true),
        ];

        for (order, limit, cursor, page, more) in cases {
            assert_eq!(
                page_of(order, limit, Some(cursor)),
                (page, more),
                "{cursor:?}"
            );
        }
    }

    #[test]
    fn has_more_counts_only_objects_the_filter_keeps() {
        let list = five();
        let vowel = |v: &&str| *v == "a" || *v == "e";

        let page = list.page(Order::NewestFirst, 1, None, vowel);
        let next = list.page(Order::NewestFirst, 1, Some(Cursor::After("e")), vowel);
        let none = list.page(Order::NewestFirst, 5, Some(Cursor::After("a")), vowel);

        assert_eq!(names(page), (vec!["e"], true));
        assert_eq!(names(next), (vec!["a"], false));
        assert_eq!(names(none), (vec![], false));
    }

    #[test]
    fn a_cursor_the_filter_drops_still_marks_where_the_page_starts() {
        let list = five();
        let not_c = |v: &&str| *v != "c";

        let page = list.page(Order::OldestFirst, 2, Some(Cursor::After("c")), not_c);

        assert_eq!(names(page), (vec!["d", "e"], false));
    }

    #[test]
    fn removing_an_object_leaves_the_cursors_of_the_others_in_place() {
        let mut list = five();

        let removed = list.remove("c");
        let page = list.page(Order::NewestFirst, 2, Some(Cursor::After("d")), all);

        assert_eq!(removed, Some("c"));
        assert_eq!(names(page), (vec!["b", "a"], false));
        assert_eq!(list.len(), 4);
        assert!(list.get("c").is_none());
    }

    #[test]
    fn a_cursor_naming_no_object_is_an_error_naming_it() {
        let mut list = five();
        list.remove("c");

        let removed = list.page(Order::NewestFirst, 2, Some(Cursor::Before("c")), all);
        let unknown = list.page(Order::OldestFirst, 2, Some(Cursor::After("zz")), all);

        assert_eq!(removed.unwrap_err().id, "c");
        assert_eq!(unknown.unwrap_err(), UnknownCursor { id: "zz".into() });
    }

    #[test]
    fn inserting_a_known_id_replaces_the_object_in_its_place() {
        let mut list = five();

        let old = list.insert("b", "B");
        if let Some(d) = list.get_mut("d") {
            *d = "D";
        }

        assert_eq!(old, Some("b"));
        let order: Vec<&str> = list.iter().copied().collect();
        assert_eq!(order, ["a", "B", "c", "D", "e"]);
        assert!(!list.contains("B") && list.contains("b"));
    }

    #[test]
    fn a_page_deep_in_a_long_list_looks_only_at_the_objects_it_answers_and_one_more() {
        let mut list = Ordered::new();
        for n in 0..100_000u32 {
            list.insert(format!("o{n}"), n);
        }
        let looked = std::cell::Cell::new(0);
        let counting = |_: &u32| {
            looked.set(looked.get() + 1);
            true
        };

        let after = list.page(
            Order::NewestFirst,
            3,
            Some(Cursor::After("o50000")),
            counting,
        );
        let after_looked = looked.replace(0);
        let before = list.page(
            Order::OldestFirst,
            3,
            Some(Cursor::Before("o50000")),
            counting,
        );

        let values = |p: Result<(Vec<&u32>, bool), UnknownCursor>| {
            p.unwrap().0.into_iter().copied().collect::<Vec<_>>()
        };
        assert_eq!(values(after), [49999, 49998, 49997]);
        assert_eq!(values(before), [49997, 49998, 49999]);
        assert_eq!((after_looked, looked.get()), (4, 4));
    }

    #[test]
    fn uuid_ids_are_found_only_by_their_own_text_and_other_ids_as_they_are() {
        let uuid = "0f0e0d0c-0b0a-4908-8706-050403020100";
        let mut list = Ordered::new();
        list.insert(uuid, 1);
        list.insert("usr_1", 2);
        list.insert(uuid.to_ascii_uppercase(), 3);

        assert_eq!(list.get(uuid), Some(&1));
        assert_eq!(list.get("usr_1"), Some(&2));
        assert_eq!(list.get(&uuid.to_ascii_uppercase()), Some(&3));
        assert_eq!(list.get(&uuid.replace('-', "")), None);
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn removing_most_objects_compacts_the_rows_and_keeps_every_cursor_and_order() {
        let id = |n: u128| crate::ids::Uid::from_u128(n).to_string();
        let mut list = Ordered::new();
        for n in 0..200u128 {
            list.insert(id(n), n);
        }
        for n in (0..200u128).filter(|n| n % 5 != 0) {
            assert_eq!(list.remove(&id(n)), Some(n));
        }
        list.insert(id(1000), 1000);

        let kept: Vec<u128> = list.iter().copied().collect();
        let after = list.page(Order::OldestFirst, 2, Some(Cursor::After(&id(190))), |_| {
            true
        });
        let before = list.page(Order::NewestFirst, 2, Some(Cursor::Before(&id(5))), |_| {
            true
        });
        let removed = list.page(Order::NewestFirst, 2, Some(Cursor::After(&id(6))), |_| true);

        let expected: Vec<u128> = (0..200).filter(|n| n % 5 == 0).chain([1000]).collect();
        assert_eq!(kept, expected);
        assert_eq!(list.len(), 41);
        assert!(
            list.rows.len() < 100,
            "holes compacted: {}",
            list.rows.len()
        );
        let values = |p: Result<(Vec<&u128>, bool), UnknownCursor>| {
            let (page, more) = p.unwrap();
            (page.into_iter().copied().collect::<Vec<_>>(), more)
        };
        assert_eq!(values(after), (vec![195, 1000], false));
        assert_eq!(values(before), (vec![15, 10], true));
        assert_eq!(removed.unwrap_err().id, id(6));
        assert_eq!(list.get(&id(7)), None);
        assert_eq!(list.get(&id(195)), Some(&195));
    }

    /// What the property test does to both the collection and the model.
    #[derive(Clone, Debug)]
    enum Op {
        Insert(u8, u32),
        Remove(u8),
        Page {
            newest_first: bool,
            limit: usize,
            cursor: Option<(bool, u8)>,
            modulus: u32,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..24, any::<u32>()).prop_map(|(id, v)| Op::Insert(id, v)),
            1 => (0u8..24).prop_map(Op::Remove),
            3 => (any::<bool>(), 0usize..6, proptest::option::of((any::<bool>(), 0u8..26)), 1u32..4)
                .prop_map(|(newest_first, limit, cursor, modulus)| Op::Page {
                    newest_first,
                    limit,
                    cursor,
                    modulus,
                }),
        ]
    }

    /// The page a naive reading of the rules gives: the whole list, in order, filtered, cut.
    fn model_page(
        model: &[(String, u32)],
        newest_first: bool,
        limit: usize,
        cursor: Option<(bool, &str)>,
        keep: impl Fn(u32) -> bool,
    ) -> Result<(Vec<u32>, bool), String> {
        let mut list: Vec<&(String, u32)> = model.iter().collect();
        if newest_first {
            list.reverse();
        }
        let at = |id: &str| list.iter().position(|(i, _)| i == id).ok_or(id.to_string());
        let (side, before): (Vec<&(String, u32)>, bool) = match cursor {
            None => (list.clone(), false),
            Some((false, id)) => (list[at(id)? + 1..].to_vec(), false),
            Some((true, id)) => (list[..at(id)?].to_vec(), true),
        };
        let kept: Vec<u32> = side.iter().map(|(_, v)| *v).filter(|v| keep(*v)).collect();
        if before {
            let start = kept.len().saturating_sub(limit);
            Ok((kept[start..].to_vec(), start > 0))
        } else {
            let end = kept.len().min(limit);
            Ok((kept[..end].to_vec(), kept.len() > end))
        }
    }

    proptest! {
        #[test]
        fn pages_agree_with_a_naive_model(ops in proptest::collection::vec(op(), 1..80)) {
            let mut list: Ordered<u32> = Ordered::new();
            let mut model: Vec<(String, u32)> = Vec::new();
            for op in ops {
                match op {
                    Op::Insert(id, v) => {
                        let id = format!("o{id}");
                        list.insert(id.clone(), v);
                        match model.iter_mut().find(|(i, _)| *i == id) {
                            Some(slot) => slot.1 = v,
                            None => model.push((id, v)),
                        }
                    }
                    Op::Remove(id) => {
                        let id = format!("o{id}");
                        let gone = list.remove(&id);
                        let at = model.iter().position(|(i, _)| *i == id);
                        prop_assert_eq!(gone, at.map(|i| model.remove(i).1));
                    }
                    Op::Page { newest_first, limit, cursor, modulus } => {
                        let id = cursor.map(|(before, n)| (before, format!("o{n}")));
                        let keep = |v: u32| !v.is_multiple_of(modulus);
                        let order = if newest_first { Order::NewestFirst } else { Order::OldestFirst };
                        let at = id.as_ref().map(|(before, id)| match before {
                            true => Cursor::Before(id),
                            false => Cursor::After(id),
                        });
                        let got = list
                            .page(order, limit, at, |v| keep(*v))
                            .map(|(page, more)| (page.into_iter().copied().collect::<Vec<_>>(), more))
                            .map_err(|e| e.id);
                        let cursor = id.as_ref().map(|(b, i)| (*b, i.as_str()));
                        let want = model_page(&model, newest_first, limit, cursor, keep);
                        prop_assert_eq!(got, want);
                    }
                }
                prop_assert_eq!(list.len(), model.len());
                let values: Vec<u32> = list.iter().copied().collect();
                let expected: Vec<u32> = model.iter().map(|(_, v)| *v).collect();
                prop_assert_eq!(values, expected);
            }
        }
    }
}
