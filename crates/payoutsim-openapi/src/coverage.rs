//! Which operations a test has exercised, and which it has not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::{Document, Operation, Violation};

/// Records every (operation, status) checked through it, so that a test can require that every
/// operation it implements was exercised. Operations are told apart by method and template, not
/// by `operationId`, which a document may repeat.
#[derive(Debug)]
pub struct Coverage<'d> {
    document: &'d Document,
    seen: BTreeMap<&'d Operation, BTreeSet<u16>>,
}

/// Something a [`Coverage::unchecked`] selection found missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap<'d> {
    /// A selected operation that no check reached.
    Unchecked(&'d Operation),
    /// A selector that names no operation of the document (a typo in the test).
    NoSuchOperation(String),
}

impl fmt::Display for Gap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unchecked(operation) => write!(f, "{operation} was never checked"),
            Self::NoSuchOperation(selector) => {
                write!(f, "no operation of the document is {selector:?}")
            }
        }
    }
}

impl<'d> Coverage<'d> {
    pub fn new(document: &'d Document) -> Self {
        Self {
            document,
            seen: BTreeMap::new(),
        }
    }

    pub fn document(&self) -> &'d Document {
        self.document
    }

    /// [`Document::check_response`], recording the operation and status when the operation
    /// exists (whatever the violations).
    pub fn check_response(
        &mut self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<Violation> {
        if let Some(operation) = self.document.operation(method, path) {
            self.seen.entry(operation).or_default().insert(status);
        }
        self.document
            .check_response(method, path, status, content_type, body)
    }

    /// Every operation checked, with the statuses seen.
    pub fn checked(&self) -> impl Iterator<Item = (&'d Operation, &BTreeSet<u16>)> {
        self.seen
            .iter()
            .map(|(operation, statuses)| (*operation, statuses))
    }

    /// The statuses checked for the operations `selector` names.
    pub fn statuses(&self, selector: &str) -> BTreeSet<u16> {
        self.seen
            .iter()
            .filter(|(operation, _)| selects(selector, operation))
            .flat_map(|(_, statuses)| statuses.iter().copied())
            .collect()
    }

    /// The operations named by `selectors` that no check reached, and the selectors that name
    /// nothing. A selector is an `operationId` (`get-user`), a template (`/v2/users/{user_id}`:
    /// every method on it) or a method and template (`GET /v2/users/{user_id}`). Empty when
    /// everything selected was exercised.
    pub fn unchecked<'s>(&self, selectors: impl IntoIterator<Item = &'s str>) -> Vec<Gap<'d>> {
        let mut gaps = Vec::new();
        let mut reported = BTreeSet::new();
        for selector in selectors {
            let mut found = false;
            for operation in self
                .document
                .operations()
                .filter(|op| selects(selector, op))
            {
                found = true;
                if !self.seen.contains_key(operation) && reported.insert(operation) {
                    gaps.push(Gap::Unchecked(operation));
                }
            }
            if !found {
                gaps.push(Gap::NoSuchOperation(selector.to_owned()));
            }
        }
        gaps
    }
}

fn selects(selector: &str, operation: &Operation) -> bool {
    if operation.operation_id.as_deref() == Some(selector) || operation.template == selector {
        return true;
    }
    selector.split_once(' ').is_some_and(|(method, template)| {
        method.eq_ignore_ascii_case(&operation.method) && template == operation.template
    })
}
