//! The Kashpay store: users, and one [`EntityData`] per entity (tenant `kashpay:<entity>`) with
//! its balance, orders and operations, and how each record looks on the wire.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use payoutsim_core::ids::Ids;
use payoutsim_core::json_out::ObjectOut;
use payoutsim_core::kit::{Bounded, Records};
use payoutsim_core::machine::Lifecycle;
use payoutsim_core::rows::Rows;

use crate::catalog::{self, SPEI_OUT};
use crate::clabe::AccountKind;
use crate::model::{
    MXN, Money, OnsignaEntity, Operation, OrderDetail, OrderEntityResponse, timestamp,
};

/// A user of an entity: `authenticate` refuses another password or another entity for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub entity: String,
    pub password: String,
}

/// A createOrder that was accepted (its texts exactly as long as they are, held for its life).
#[derive(Clone, Debug)]
pub struct OrderRec {
    /// Its number (the entity's consecutive count; its id is the number's decimal text).
    pub id: u64,
    pub numeric_reference: u32,
    pub alphanumeric_reference: Box<str>,
    pub reference_created_payment: Box<str>,
    /// Centavos.
    pub amount: i64,
    pub account: Box<str>,
    pub account_kind: AccountKind,
    pub bank_code: Box<str>,
    pub beneficiary_name: Box<str>,
    pub beneficiary_email: Option<Box<str>>,
    pub concept: Box<str>,
    pub date_transaction: Option<Box<str>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub initial_balance: i64,
    pub final_balance: i64,
    /// The id of its type-1 operation.
    pub operation_id: u64,
    pub lc: Lifecycle,
}

impl OrderRec {
    pub fn wire(&self) -> OrderEntityResponse {
        OrderEntityResponse {
            created_at: timestamp(self.created_at),
            uptaded_at: timestamp(self.updated_at),
            id: self.id.to_string(),
            numeric_reference: self.numeric_reference.to_string(),
            alphanumeric_reference: self.alphanumeric_reference.to_string(),
            reference_created_payment: self.reference_created_payment.to_string(),
            status: catalog::wire_status(&self.lc.status),
            initial_balance: Money(self.initial_balance),
            final_balance: Money(self.final_balance),
        }
    }

    /// `OrderAnswer::new(self.wire())`'s bytes (createOrder's answer), written straight from the
    /// record ([`ObjectOut`]) with no owned copy of its texts made.
    pub fn write_answer(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_envelope(out, |o| self.write_order(o))
    }

    /// `OrderAnswer::new(self.detail())`'s bytes (searchReference's answer), written the same
    /// way: the order's fields, then what was ordered.
    pub fn write_detail_answer(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_envelope(out, |o| {
            self.write_order(o)?;
            o.value("amount", &Money(self.amount))?;
            o.str("beneficiaryName", &self.beneficiary_name);
            o.str("beneficiaryAccountNumber", &self.account);
            let kind = self.account_kind.spei_type().to_string();
            o.str("beneficiaryTypeAcount", &kind);
            o.str("codeInstituteBank", &self.bank_code);
            o.str("concept", &self.concept);
            o.opt_str("dateTransaction", self.date_transaction.as_deref());
            o.int("typeTransaction", 1);
            o.int("currency", 484);
            Ok(())
        })
    }

    /// [`OrderEntityResponse`]'s fields, in its order.
    fn write_order(&self, o: &mut ObjectOut<'_>) -> serde_json::Result<()> {
        o.str("createdAt", &timestamp(self.created_at));
        o.str("uptadedAt", &timestamp(self.updated_at));
        o.str("id", &self.id.to_string());
        o.str("numericReference", &self.numeric_reference.to_string());
        o.str("alphanumericReference", &self.alphanumeric_reference);
        o.str("referenceCreatedPayment", &self.reference_created_payment);
        o.int("status", i64::from(catalog::wire_status(&self.lc.status)));
        o.value("initialBalance", &Money(self.initial_balance))?;
        o.value("finalBalance", &Money(self.final_balance))?;
        Ok(())
    }

    pub fn detail(&self) -> OrderDetail {
        OrderDetail {
            order: self.wire(),
            amount: Money(self.amount),
            beneficiary_name: self.beneficiary_name.to_string(),
            beneficiary_account_number: self.account.to_string(),
            beneficiary_type_acount: self.account_kind.spei_type().to_string(),
            code_institute_bank: self.bank_code.to_string(),
            concept: self.concept.to_string(),
            date_transaction: self.date_transaction.as_deref().map(str::to_string),
            type_transaction: 1,
            currency: 484,
        }
    }
}

/// `OrderAnswer`'s envelope around the order `members` write:
/// `{"success":true,"orderEntityResponse":{…},"totalItems":0,"totalPages":0,"currentPage":0}`.
fn write_envelope(
    out: &mut Vec<u8>,
    members: impl FnOnce(&mut ObjectOut<'_>) -> serde_json::Result<()>,
) -> serde_json::Result<()> {
    let mut w = ObjectOut::new(out);
    w.bool("success", true);
    w.object("orderEntityResponse", members)?;
    w.int("totalItems", 0)
        .int("totalPages", 0)
        .int("currentPage", 0);
    w.end();
    Ok(())
}

/// A movement of an entity's balance, as getOperations lists it (its texts exactly as long as
/// they are: an operation is kept as long as its order).
#[derive(Clone, Debug)]
pub struct OperationRec {
    pub id: u64,
    /// Catalogue type (1 SPEI out, 2 return, 3 SPEI in).
    pub kind: u32,
    pub status: u32,
    pub amount: i64,
    pub initial_balance: i64,
    pub final_balance: i64,
    /// The order it moved money for: its references, beneficiary and account are then the
    /// order's own, rendered from it (an order's operations are kept exactly as long as it is).
    pub order_id: Option<u64>,
    pub response_code: Option<Box<str>>,
    pub observation: Option<Box<str>>,
    /// The texts of an operation of no order (a funding).
    pub own: Option<Box<OwnTexts>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An operation's references and counterpart, when no order holds them.
#[derive(Clone, Debug, Default)]
pub struct OwnTexts {
    pub alphanumeric_reference: Option<Box<str>>,
    pub numeric_reference: Option<Box<str>>,
    pub transaction_id: Option<Box<str>>,
    pub target_name: Option<Box<str>>,
    pub target_id: Option<Box<str>>,
    pub target_id_code: Option<Box<str>>,
    pub target_email: Option<Box<str>>,
}

impl OwnTexts {
    /// The texts an operation for `order` shows.
    fn of_order(order: &OrderRec) -> Self {
        let some = |s: &str| Some(Box::<str>::from(s));
        Self {
            alphanumeric_reference: some(&order.alphanumeric_reference),
            numeric_reference: some(&order.numeric_reference.to_string()),
            transaction_id: some(&order.reference_created_payment),
            target_name: some(&order.beneficiary_name),
            target_id: some(&order.account),
            target_id_code: crate::clabe::bank(&order.bank_code).map(|b| b.institution.into()),
            target_email: order.beneficiary_email.clone(),
        }
    }
}

/// One entity's data.
#[derive(Clone, Debug)]
pub struct EntityData {
    pub entity: String,
    pub name: String,
    pub prefix: String,
    pub clabe: String,
    pub virtual_account: String,
    pub email: String,
    /// Available balance, centavos.
    pub balance: i64,
    /// Starting balance plus every funding: what balance, money in flight and money paid out add
    /// up to.
    pub funded: i64,
    /// Oldest first; ids run on from the first one (`next_order` counts up by one).
    pub orders: Rows<OrderRec>,
    /// The `alphanumericReference` of every order in `orders`, to its order's id: a repeat is
    /// refused, and searchReference finds its order, without a scan of them all.
    pub references: HashMap<Box<str>, u64>,
    pub operations: Rows<OperationRec>,
    pub next_order: u64,
    pub next_reference: u64,
    pub next_operation: u64,
    /// Centavos of settled orders dropped past `--max-objects-per-tenant` (still paid out).
    pub paid_out_dropped: i64,
}

impl EntityData {
    /// A new entity of tenant `tenant` with `starting` centavos, its account numbers and
    /// counters drawn from the tenant's id stream.
    pub fn new(ids: &Ids, tenant: &str, entity: &str, starting: i64) -> Self {
        let digits = |n: u64, width: usize| format!("{n:0width$}");
        let account = digits(ids.range(tenant, 0, 99_999_999_999), 11);
        let clabe = crate::clabe::complete(&format!("646180{account}")).unwrap_or_default();
        let virtual_account = format!("6506{}", digits(ids.range(tenant, 0, 999_999_999_999), 12));
        Self {
            entity: entity.to_string(),
            name: name_of(entity),
            prefix: prefix_of(entity),
            clabe,
            virtual_account,
            email: String::new(),
            balance: starting,
            funded: starting,
            orders: Rows::new(),
            references: HashMap::new(),
            operations: Rows::new(),
            next_order: ids.range(tenant, 10_000, 99_999),
            next_reference: ids.range(tenant, 10_000, 99_999),
            next_operation: ids.range(tenant, 100_000, 999_999),
            paid_out_dropped: 0,
        }
    }

    pub fn order(&self, id: &str) -> Option<&OrderRec> {
        let at = self.order_index(id)?;
        self.orders.get(at)
    }

    pub fn order_mut(&mut self, id: &str) -> Option<&mut OrderRec> {
        let at = self.order_index(id)?;
        self.orders.get_mut(at)
    }

    /// Where order `id` is: ids are consecutive numbers in creation order, so its place is its
    /// distance from the first order's id (a scan only if that place holds another order).
    /// Order number `n` (the order whose id is `n`'s text).
    pub fn order_numbered(&self, n: u64) -> Option<&OrderRec> {
        self.orders.get(self.order_at(n)?)
    }

    /// Where order `id` is: only an id that is a number's own decimal text (no sign, no leading
    /// zero) names an order, as when ids were compared as text.
    fn order_index(&self, id: &str) -> Option<usize> {
        let n = id.parse::<u64>().ok().filter(|n| n.to_string() == id)?;
        self.order_at(n)
    }

    /// Where order number `n` is: at its distance from the first order's id while no order
    /// between them was dropped, else found by a binary search (ids rise in creation order, and
    /// dropping settled orders keeps that order).
    fn order_at(&self, n: u64) -> Option<usize> {
        let first = self.orders.first()?.id;
        let guess = (n.checked_sub(first)).and_then(|d| usize::try_from(d).ok());
        match guess {
            Some(at) if self.orders.get(at).is_some_and(|o| o.id == n) => Some(at),
            _ => {
                let at = self.orders.partition_point(|o| o.id < n);
                self.orders.get(at).filter(|o| o.id == n).map(|_| at)
            }
        }
    }

    /// The order whose `alphanumericReference` is `reference`.
    pub fn order_by_reference(&self, reference: &str) -> Option<&OrderRec> {
        self.order_numbered(*self.references.get(reference)?)
    }

    /// The order whose `referenceCreatedPayment` is `payment`. That reference is the entity's
    /// prefix and a 12-digit count that runs on by one with each order, as the order ids do, so
    /// the count names the order without a scan.
    pub fn order_by_payment(&self, payment: &str) -> Option<&OrderRec> {
        let count = payment.strip_prefix(self.prefix.as_str())?;
        if !count.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let count: u64 = count.parse().ok()?;
        let id = count
            .checked_add(self.next_order)?
            .checked_sub(self.next_reference)?;
        self.order_numbered(id)
            .filter(|o| *o.reference_created_payment == *payment)
    }

    /// Centavos of orders not yet settled or returned.
    pub fn in_flight(&self) -> i64 {
        (self.orders.iter().filter(|o| o.lc.status == "accepted"))
            .map(|o| o.amount)
            .sum()
    }

    /// Centavos of settled orders, those dropped included.
    pub fn paid_out(&self) -> i64 {
        let kept: i64 = (self.orders.iter().filter(|o| o.lc.status == "settled"))
            .map(|o| o.amount)
            .sum();
        kept + self.paid_out_dropped
    }

    /// Records an operation and returns its id.
    pub fn record(&mut self, mut op: OperationRec) -> u64 {
        op.id = self.next_operation;
        self.next_operation += 1;
        let id = op.id;
        self.operations.push(op);
        id
    }

    pub fn operation_mut(&mut self, id: u64) -> Option<&mut OperationRec> {
        self.operations.iter_mut().find(|o| o.id == id)
    }

    pub fn onsigna_entity(&self) -> OnsignaEntity {
        OnsignaEntity {
            id: self.entity.clone(),
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            fiscal_id: None,
            clabe_account: self.clabe.clone(),
            virtual_account: self.virtual_account.clone(),
            branch_acount: None,
            webhook_url: None,
            email: self.email.clone(),
            phone_number: None,
            father_id: None,
            balance: Money(self.balance),
            warranty_balance: Money(0),
            customer_network_balance: Money(0),
            warranty_clabe_account: "0".into(),
            warranty_virtual_account: None,
            crypted_card: None,
            new_card: None,
            assign_clabe_account: true,
            fee_id: 0,
            internal_reference: None,
            liquidation_level: "0".into(),
            liquidation_type: None,
            entity_type: None,
            affiliation_id: None,
        }
    }

    pub fn operation_wire(&self, op: &OperationRec) -> Operation {
        let of_order = (op.own.is_none())
            .then(|| self.order_numbered(op.order_id?))
            .flatten()
            .map(OwnTexts::of_order);
        let texts = (op.own.as_deref()).or(of_order.as_ref());
        let texts = texts.cloned().unwrap_or_default();
        let ty = catalog::operation_type(op.kind);
        let name = ty.map(|t| t.name).unwrap_or_default().to_string();
        Operation {
            id: op.id,
            entity_id: self.entity.clone(),
            kind: op.kind,
            transaction_type: name.clone(),
            description_type: ty.map(|t| t.direction).unwrap_or_default().to_string(),
            description: name,
            status: op.status,
            amount: Money(op.amount),
            settle_amount: Money(op.amount),
            initial_balance: Money(op.initial_balance),
            final_balance: Money(op.final_balance),
            currency: MXN,
            country: "MX",
            alphanumeric_reference: text(&texts.alphanumeric_reference),
            numeric_reference: text(&texts.numeric_reference),
            transaction_id: text(&texts.transaction_id),
            internal_reference: op.order_id.map(|n| n.to_string()),
            response_code: text(&op.response_code),
            observation: text(&op.observation),
            target_name: text(&texts.target_name),
            target_id: text(&texts.target_id),
            target_id_code: text(&texts.target_id_code),
            target_email: text(&texts.target_email),
            system_source: if op.kind == SPEI_OUT || op.kind == catalog::SPEI_RETURN {
                "OKPay"
            } else {
                "EntitiesServices"
            },
            created_at: timestamp(op.created_at),
            uptaded_at: timestamp(op.updated_at),
        }
    }
}

/// An operation's text as the wire object holds it.
fn text(field: &Option<Box<str>>) -> Option<String> {
    field.as_deref().map(str::to_string)
}

/// `getBalance`'s `prefix` of an entity: the first two letters of its last dotted part
/// (`com.onsigna` -> `on`), lower case, padded with `x`.
pub fn prefix_of(entity: &str) -> String {
    let last = entity.rsplit('.').next().unwrap_or(entity);
    let mut p: String = (last.chars().filter(char::is_ascii_alphabetic))
        .take(2)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    while p.len() < 2 {
        p.push('x');
    }
    p
}

/// `getBalance`'s `name` of an entity: its last dotted part, capitalised (`com.onsigna` -> `Onsigna`).
pub fn name_of(entity: &str) -> String {
    let last = entity.rsplit('.').next().unwrap_or(entity);
    let mut chars = last.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => entity.to_string(),
    }
}

/// Where the kit finds an entity's lifecycles: orders are the only kind with one.
impl Records for EntityData {
    fn lifecycle(&self, kind: &str, id: &str) -> Option<&Lifecycle> {
        self.order(id)
            .filter(|_| kind == catalog::ORDER)
            .map(|o| &o.lc)
    }

    fn lifecycle_mut(&mut self, kind: &str, id: &str) -> Option<&mut Lifecycle> {
        self.order_mut(id)
            .filter(|_| kind == catalog::ORDER)
            .map(|o| &mut o.lc)
    }
}

/// `--max-objects-per-tenant` counts an entity's orders; a settled or returned order is dropped
/// with its operations (what it paid out stays in the books).
impl Bounded for EntityData {
    fn object_count(&self) -> usize {
        self.orders.len()
    }

    fn evict_settled(&mut self, settled: &dyn Fn(&Lifecycle) -> bool, n: usize) -> Vec<String> {
        let dropped = self.orders.drop_oldest(n, |o| settled(&o.lc));
        let paid = dropped.iter().filter(|o| o.lc.status == "settled");
        self.paid_out_dropped += paid.map(|o| o.amount).sum::<i64>();
        for order in &dropped {
            // A dropped order's reference is forgotten with it (the set stays bounded by the
            // orders held); a new order may then use it again.
            self.references.remove(&*order.alphanumeric_reference);
        }
        let gone: HashSet<u64> = dropped.iter().map(|o| o.id).collect();
        (self.operations).retain(|op| op.order_id.is_none_or(|id| !gone.contains(&id)));
        dropped.iter().map(|o| o.id.to_string()).collect()
    }
}

/// Users by user name, and entities by tenant name (`kashpay:<entity>`).
#[derive(Debug, Default)]
pub struct Store {
    pub users: BTreeMap<String, User>,
    /// How many users each entity (by entity id) has: one with any is a known entity, which a
    /// new user joins only through the back office.
    pub user_counts: BTreeMap<String, usize>,
    pub entities: BTreeMap<String, EntityData>,
}

impl Store {
    /// Forgets tenant `kashpay:<entity>` (evicted): its data and its users, so its tokens are
    /// refused and its next first user binds afresh.
    pub fn forget(&mut self, tenant: &str) {
        self.entities.remove(tenant);
        let entity = tenant.strip_prefix("kashpay:").unwrap_or(tenant);
        self.users.retain(|_, u| u.entity != entity);
        self.user_counts.remove(entity);
    }

    /// Whether `entity` has a user (its first authentication, or the back office, bound one).
    pub fn has_users(&self, entity: &str) -> bool {
        self.user_counts.get(entity).is_some_and(|n| *n > 0)
    }

    /// Records a new `user` of `entity` with `password` (the caller checked it was unknown).
    pub fn add_user(&mut self, user: &str, entity: &str, password: &str) {
        let rec = User {
            entity: entity.to_string(),
            password: password.to_string(),
        };
        self.users.insert(user.to_string(), rec);
        *self.user_counts.entry(entity.to_string()).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_names_come_from_the_last_part_of_the_entity() {
        assert_eq!(prefix_of("com.onsigna"), "on");
        assert_eq!(prefix_of("com.cascade"), "ca");
        assert_eq!(prefix_of("x"), "xx");
        assert_eq!(prefix_of("com.9"), "xx");
        assert_eq!(name_of("com.onsigna"), "Onsigna");
        assert_eq!(name_of("acme"), "Acme");
    }

    /// Order number `n`, just made.
    fn order(n: u64) -> OrderRec {
        let lc = Lifecycle {
            kind: catalog::ORDER.into(),
            variant: "".into(),
            status: "accepted".into(),
            outcome: "settled".into(),
            reason: None,
            history: Vec::new(),
        };
        let text = |s: &str| Box::<str>::from(s);
        OrderRec {
            id: n,
            numeric_reference: 1,
            alphanumeric_reference: text(&format!("R{n}")),
            reference_created_payment: text("on000000000001"),
            amount: 100,
            account: text("002028650641359744"),
            account_kind: AccountKind::Clabe,
            bank_code: text("002"),
            beneficiary_name: text("Ana"),
            beneficiary_email: None,
            concept: text("c"),
            date_transaction: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            initial_balance: 0,
            final_balance: 0,
            operation_id: 0,
            lc,
        }
    }

    #[test]
    fn an_order_is_found_by_its_number_s_own_text_only() {
        let mut t = EntityData::new(&payoutsim_core::ids::Ids::new(1), "t", "com.acme", 0);
        for n in [41, 42, 43] {
            t.orders.push(order(n));
        }

        let found = ["42", "042", "+42", " 42", "4.2e1", "x"].map(|id| t.order(id).map(|o| o.id));

        assert_eq!(found, [Some(42), None, None, None, None, None]);
        assert_eq!(t.order_numbered(43).map(|o| o.id), Some(43));
        assert_eq!(t.order_numbered(44).map(|o| o.id), None);
    }

    #[test]
    fn an_order_s_written_answers_are_the_bytes_of_its_serialised_ones() {
        use crate::model::OrderAnswer;
        let text = |s: &str| Box::<str>::from(s);
        let mut orders = Vec::new();
        for (n, status) in [(7, "accepted"), (8, "settled"), (9, "returned")] {
            for kind in [AccountKind::Clabe, AccountKind::Card, AccountKind::Phone] {
                for (name, date) in [("Ana", None), ("O'Brien \"Ñandú\" \\ \n", Some("030421"))] {
                    let mut o = order(n);
                    o.lc.status = status.into();
                    o.account_kind = kind;
                    o.beneficiary_name = text(name);
                    o.concept = text(&format!("{name} concept"));
                    o.date_transaction = date.map(text);
                    o.numeric_reference = 1_234_567;
                    o.amount = 7_525;
                    o.initial_balance = 100_000_001;
                    o.final_balance = -3;
                    o.created_at = DateTime::<Utc>::UNIX_EPOCH
                        + chrono::TimeDelta::milliseconds(1_617_400_800_123);
                    orders.push(o);
                }
            }
        }

        for o in &orders {
            let mut answer = Vec::new();
            o.write_answer(&mut answer).unwrap();
            let mut detail = Vec::new();
            o.write_detail_answer(&mut detail).unwrap();

            let serialised = serde_json::to_vec(&OrderAnswer::new(o.wire())).unwrap();
            assert_eq!(
                String::from_utf8(answer).unwrap(),
                String::from_utf8(serialised).unwrap()
            );
            let serialised = serde_json::to_vec(&OrderAnswer::new(o.detail())).unwrap();
            assert_eq!(
                String::from_utf8(detail).unwrap(),
                String::from_utf8(serialised).unwrap()
            );
        }
    }

    #[test]
    fn orders_are_found_by_number_and_by_either_reference_once_drops_left_gaps() {
        let mut t = EntityData::new(&payoutsim_core::ids::Ids::new(1), "t", "com.acme", 0);
        let (first, first_count) = (t.next_order, t.next_reference);
        let payment = |prefix: &str, count: u64| format!("{prefix}{count:012}");
        for _ in 0..100 {
            let mut o = order(t.next_order);
            o.reference_created_payment = payment(&t.prefix, t.next_reference).into();
            t.references
                .insert(o.alphanumeric_reference.clone(), t.next_order);
            t.orders.push(o);
            t.next_order += 1;
            t.next_reference += 1;
        }
        // Every third order dropped, as settled ones are: the ids left have gaps.
        for o in t.orders.drop_oldest(usize::MAX, |o| o.id % 3 == 0) {
            t.references.remove(&*o.alphanumeric_reference);
        }

        for (i, n) in (first..first + 100).enumerate() {
            let held = (n % 3 != 0).then_some(n);
            assert_eq!(t.order_numbered(n).map(|o| o.id), held, "{n}");
            let by_alpha = t.order_by_reference(&format!("R{n}"));
            assert_eq!(by_alpha.map(|o| o.id), held, "{n}");
            let count = first_count + i as u64;
            let by_payment = t.order_by_payment(&payment(&t.prefix, count));
            assert_eq!(by_payment.map(|o| o.id), held, "{n}");
        }
        let last = t
            .orders
            .last()
            .map(|o| o.reference_created_payment.to_string());
        let held = last.unwrap_or_default();
        assert!(t.order_by_payment(&held).is_some(), "{held}");
        let digits = &held[t.prefix.len()..];
        for near in [
            format!("xx{digits}"),
            format!("{}+{}", t.prefix, &digits[1..]),
            format!("{}{}", t.prefix, digits.trim_start_matches('0')),
            format!("{held}0"),
            t.prefix.clone(),
            String::new(),
        ] {
            assert_eq!(t.order_by_payment(&near).map(|o| o.id), None, "{near}");
        }
        assert_eq!(t.order_numbered(first + 100).map(|o| o.id), None);
        assert_eq!(
            t.order_numbered(first.saturating_sub(1)).map(|o| o.id),
            None
        );
    }
}
