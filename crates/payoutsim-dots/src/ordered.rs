//! Objects in creation order with lookup by id, and cursor pages over them (interim: replaced
//! by the engine's `payoutsim_core::ordered` once it lands).

use std::collections::{BTreeMap, HashMap};

/// Which end a list starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    NewestFirst,
    OldestFirst,
}

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor<'a> {
    Start,
    After(&'a str),
    Before(&'a str),
}

/// A cursor naming no object of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCursor(pub String);

#[derive(Clone, Debug)]
pub struct Ordered<T> {
    next: u64,
    items: BTreeMap<u64, T>,
    seq: HashMap<String, u64>,
}

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Self {
            next: 0,
            items: BTreeMap::new(),
            seq: HashMap::new(),
        }
    }
}

impl<T> Ordered<T> {
    pub fn insert(&mut self, id: String, value: T) {
        if let Some(s) = self.seq.get(&id) {
            self.items.insert(*s, value);
            return;
        }
        let s = self.next;
        self.next += 1;
        self.seq.insert(id, s);
        self.items.insert(s, value);
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.items.get(self.seq.get(id)?)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let s = *self.seq.get(id)?;
        self.items.get_mut(&s)
    }

    pub fn remove(&mut self, id: &str) -> Option<T> {
        let s = self.seq.remove(id)?;
        self.items.remove(&s)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.items.values()
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut T> {
        self.items.values_mut()
    }

    /// Up to `limit` objects matching `filter`, in `order`, from `cursor`; and whether more
    /// matching objects lie beyond the page in the direction of travel.
    pub fn page(
        &self,
        order: Order,
        limit: usize,
        cursor: Cursor<'_>,
        filter: impl Fn(&T) -> bool,
    ) -> Result<(Vec<&T>, bool), UnknownCursor> {
        let at = |id: &str| {
            self.seq
                .get(id)
                .copied()
                .ok_or_else(|| UnknownCursor(id.to_string()))
        };
        // Travel forward in list order (After / Start) or backward (Before).
        let (forward, bound) = match cursor {
            Cursor::Start => (true, None),
            Cursor::After(id) => (true, Some(at(id)?)),
            Cursor::Before(id) => (false, Some(at(id)?)),
        };
        let newest_first = order == Order::NewestFirst;
        // In sequence terms: list order newest-first means descending seq.
        let descending = newest_first == forward;
        let range: Box<dyn Iterator<Item = &T>> = match (descending, bound) {
            (true, None) => Box::new(self.items.values().rev()),
            (false, None) => Box::new(self.items.values()),
            (true, Some(b)) => Box::new(self.items.range(..b).rev().map(|(_, v)| v)),
            (false, Some(b)) => Box::new(self.items.range(b + 1..).map(|(_, v)| v)),
        };
        let mut page: Vec<&T> = Vec::with_capacity(limit.min(128));
        let mut more = false;
        for item in range.filter(|v| filter(v)) {
            if page.len() == limit {
                more = true;
                break;
            }
            page.push(item);
        }
        if !forward {
            page.reverse();
        }
        Ok((page, more))
    }
}
