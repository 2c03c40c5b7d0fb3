//! Cursor pages of the list endpoints: `limit` (1 to 100, default 10; outside the range it is
//! 400, never clamped), `starting_after` / `ending_before` (object ids; both at once is 400, an
//! id the list does not hold is 400), answered as `{"data": […], "has_more": …}`.

use serde::Serialize;

use crate::error::{DotsError, Params};
use crate::model::Page;
use payoutsim_core::ordered::{Cursor, Order, Ordered, UnknownCursor};

/// `limit` when the request names none.
pub const DEFAULT_LIMIT: usize = 10;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 100;

/// A list request's page parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageQuery {
    pub limit: usize,
    pub after: Option<String>,
    pub before: Option<String>,
}

impl PageQuery {
    pub fn from(params: &Params) -> Result<Self, DotsError> {
        let limit = match params.get("limit") {
            None => DEFAULT_LIMIT,
            Some(s) => match s.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(DotsError::input(format!(
                        "limit: must be an integer from 1 to {MAX_LIMIT}"
                    )));
                }
            },
        };
        let after = params.get("starting_after").map(str::to_string);
        let before = params.get("ending_before").map(str::to_string);
        if after.is_some() && before.is_some() {
            return Err(DotsError::input(
                "starting_after and ending_before cannot be used together",
            ));
        }
        Ok(Self {
            limit,
            after,
            before,
        })
    }

    fn cursor(&self) -> Option<Cursor<'_>> {
        match (&self.after, &self.before) {
            (Some(a), _) => Some(Cursor::After(a)),
            (None, Some(b)) => Some(Cursor::Before(b)),
            (None, None) => None,
        }
    }

    /// The page of `list` in `order` matching `filter`, each object written by `wire`.
    pub fn page<'a, T, W: Serialize>(
        &self,
        list: &'a Ordered<T>,
        order: Order,
        filter: impl Fn(&T) -> bool,
        wire: impl Fn(&'a T) -> W,
    ) -> Result<Page<W>, DotsError> {
        let (items, has_more) = list
            .page(order, self.limit, self.cursor(), filter)
            .map_err(|UnknownCursor { id }| {
                DotsError::input(format!("No object with id {id} to page from"))
            })?;
        Ok(Page {
            data: items.into_iter().map(wire).collect(),
            has_more,
        })
    }
}
