//! createOrder's fields: presence, types, SPEI limits and the beneficiary account.
//!
//! Numbers sent as strings and strings sent as numbers are accepted where the documented examples
//! mix them (`beneficiaryAcount: 87459854`, `numericReference: 43223123`, `postalCode: 57800`);
//! every failing field is reported, joined with `; ` in one `ValidationException` (1010).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::clabe::{self, AccountKind};
use crate::error::KashpayError;

/// A createOrder that passed validation (amount in centavos).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrder {
    pub alphanumeric_reference: String,
    pub amount: i64,
    pub account: String,
    pub account_kind: AccountKind,
    pub bank_code: String,
    pub beneficiary_name: String,
    pub email: Option<String>,
    pub concept: String,
    pub numeric_reference: u32,
    pub date_transaction: Option<String>,
}

/// Largest amount accepted, in whole MXN.
pub const MAX_AMOUNT: i64 = 999_999_999_999;

/// Reads fields of a body, collecting every error.
pub struct Fields<'a> {
    body: &'a Map<String, Value>,
    /// Its top-level numbers as the client wrote them (amounts are read from these digits).
    written: BTreeMap<String, String>,
    pub errors: Vec<String>,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Map<String, Value>) -> Self {
        Self {
            body,
            written: BTreeMap::new(),
            errors: Vec::new(),
        }
    }

    /// Reads amounts from `written` (see [`payoutsim_core::kit::written_numbers`]), not from
    /// their `f64`s.
    pub fn written(mut self, written: BTreeMap<String, String>) -> Self {
        self.written = written;
        self
    }

    pub fn error(&mut self, key: &str, what: impl std::fmt::Display) {
        self.errors.push(format!("{key}: {what}"));
    }

    fn present(&mut self, key: &str, required: bool) -> Option<&'a Value> {
        match self.body.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error(key, "es requerido");
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A string (an integer is taken as its digits), trimmed, 1..=`max` characters.
    pub fn text(&mut self, key: &str, required: bool, max: usize) -> Option<String> {
        let text = match self.present(key, required)? {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
            _ => {
                self.error(key, "debe ser texto");
                return None;
            }
        };
        let len = text.chars().count();
        if len == 0 && required {
            self.error(key, "es requerido");
        } else if len > max {
            self.error(key, format!("debe tener como máximo {max} caracteres"));
        } else if text.chars().any(char::is_control) {
            self.error(key, "contiene caracteres no permitidos");
        } else if len > 0 {
            return Some(text);
        }
        None
    }

    /// Digits only (a string of digits, or a non-negative integer).
    pub fn digits(&mut self, key: &str, required: bool) -> Option<String> {
        let text = self.text(key, required, 32)?;
        if text.bytes().all(|b| b.is_ascii_digit()) {
            Some(text)
        } else {
            self.error(key, "debe contener solo dígitos");
            None
        }
    }

    /// An integer in `lo..=hi` (a JSON integer or a string of digits).
    pub fn integer(&mut self, key: &str, required: bool, lo: u64, hi: u64) -> Option<u64> {
        let value = match self.present(key, required)? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        match value {
            Some(v) if (lo..=hi).contains(&v) => Some(v),
            Some(_) => {
                self.error(key, format!("debe estar entre {lo} y {hi}"));
                None
            }
            None => {
                self.error(key, "debe ser un número entero");
                None
            }
        }
    }

    /// An amount > 0 with at most 2 decimals (a JSON number or a numeric string), in centavos.
    pub fn amount(&mut self, key: &str) -> Option<i64> {
        let text = match self.present(key, true)? {
            Value::Number(n) => Some(self.written.get(key).cloned().unwrap_or(n.to_string())),
            Value::String(s) => Some(s.trim().to_string()),
            _ => None,
        };
        let cents = text.ok_or("debe ser un número").and_then(|t| cents_of(&t));
        match cents {
            Ok(c) if c > 0 => Some(c),
            Ok(_) => {
                self.error(key, "debe ser mayor a 0");
                None
            }
            Err(e) => {
                self.error(key, e);
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), KashpayError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(KashpayError::Validation(self.errors))
        }
    }
}

/// Pesos written in decimal (`"1000.50"`, `1.5e2`) -> centavos, exactly: more than 2 decimals is
/// refused, never rounded, and so is more than [`MAX_AMOUNT`].
pub fn cents_of(text: &str) -> Result<i64, &'static str> {
    use payoutsim_core::money::{AmountError, minor_units, plain_decimal};
    let plain = plain_decimal(text).ok_or("debe ser un número")?;
    minor_units(&plain, 2, MAX_AMOUNT * 100).map_err(|e| match e {
        AmountError::NotDecimal => "debe ser un número",
        AmountError::TooPrecise => "debe tener como máximo 2 decimales",
        AmountError::TooLarge => "excede el monto máximo",
    })
}

/// Validates a createOrder body (the documented field set; unknown fields are ignored).
/// `written`: the body's numbers as sent (amounts are read from them).
pub fn new_order(
    body: &Map<String, Value>,
    written: BTreeMap<String, String>,
) -> Result<NewOrder, KashpayError> {
    let mut f = Fields::new(body).written(written);
    let reference = f.text("alphanumericReference", true, 30);
    if reference
        .as_deref()
        .is_some_and(|r| !r.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        f.error(
            "alphanumericReference",
            "debe contener solo letras y dígitos",
        );
    }
    let amount = f.amount("amount");
    let account = f.digits("beneficiaryAcount", true);
    f.digits("beneficiaryAcountSPEI", false);
    let kind_text = f.text("beneficiaryTypeAcount", false, 20);
    let bank_code = f
        .digits("codeInstituteBank", true)
        .map(|c| format!("{c:0>3}"));
    let name = f.text("beneficiaryName", true, 39);
    let concept = f.text("concept", true, 39);
    let numeric_reference = f.integer("numericReference", true, 1, 9_999_999);
    if f.integer("currency", false, 0, u64::MAX)
        .is_some_and(|c| c != 484)
    {
        f.error("currency", "solo se acepta 484 (MXN)");
    }
    match f.integer("typeTransaction", true, 0, u64::MAX) {
        Some(1) | None => {}
        Some(other) => f.error(
            "typeTransaction",
            format!("{other} no soportado: solo 1 (Transferencia Interbancaria SPEI)"),
        ),
    }
    let date = f.digits("dateTransaction", false);
    if date
        .as_deref()
        .is_some_and(|d| d.len() != 6 && d.len() != 8)
    {
        f.error("dateTransaction", "debe ser DDMMAA o AAAAMMDD");
    }
    let email = f.text("email", false, 100);
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.contains(' '))
    {
        f.error("email", "no es un correo válido");
    }
    optional_fields(&mut f);
    let kind = account_kind(&mut f, kind_text.as_deref(), account.as_deref());
    if let (Some(kind), Some(account)) = (kind, account.as_deref()) {
        check_account(&mut f, kind, account, bank_code.as_deref());
    }
    f.finish()?;
    match (
        reference,
        amount,
        account,
        kind,
        bank_code,
        name,
        concept,
        numeric_reference,
    ) {
        (Some(r), Some(a), Some(acc), Some(k), Some(b), Some(n), Some(c), Some(nr)) => {
            Ok(NewOrder {
                alphanumeric_reference: r,
                amount: a,
                account: acc,
                account_kind: k,
                bank_code: b,
                beneficiary_name: n,
                email,
                concept: c,
                numeric_reference: u32::try_from(nr).unwrap_or(u32::MAX),
                date_transaction: date,
            })
        }
        _ => Err(KashpayError::Internal("validated fields missing".into())),
    }
}

/// The documented fields we keep no use for, checked for type and length only.
fn optional_fields(f: &mut Fields<'_>) {
    for (key, max) in [
        ("beneficiaryAddress1", 100),
        ("beneficiaryAddress2", 100),
        ("beneficiaryCity", 50),
        ("description", 100),
        ("observation", 100),
        ("orderingTypeAcount", 20),
        ("idBank", 20),
        ("idEntity", 64),
        ("orderingAccount", 20),
        ("referenceCreatedPayment", 30),
        ("dataAccreditationBeneficiary", 20),
    ] {
        f.text(key, false, max);
    }
    let postal = f.digits("postalCode", false);
    if postal.is_some_and(|p| p.len() != 5) {
        f.error("postalCode", "debe tener 5 dígitos");
    }
    let rfc = f.text("rfc", false, 13);
    if rfc.is_some_and(|r| {
        r != "ND" && (r.len() < 12 || !r.bytes().all(|b| b.is_ascii_alphanumeric()))
    }) {
        f.error("rfc", "debe tener 12 o 13 letras y dígitos, o ND");
    }
}

fn account_kind(
    f: &mut Fields<'_>,
    text: Option<&str>,
    account: Option<&str>,
) -> Option<AccountKind> {
    match text {
        Some(t) => AccountKind::parse(t).or_else(|| {
            f.error(
                "beneficiaryTypeAcount",
                format!("{t} no es válido: 40 o clabe, 3 o card, 10 o phone"),
            );
            None
        }),
        None => {
            let account = account?;
            AccountKind::from_len(account.len()).or_else(|| {
                f.error(
                    "beneficiaryAcount",
                    "debe ser una CLABE (18 dígitos), tarjeta (16) o celular (10)",
                );
                None
            })
        }
    }
}

fn check_account(f: &mut Fields<'_>, kind: AccountKind, account: &str, bank_code: Option<&str>) {
    let bank = bank_code.and_then(clabe::bank);
    if let (Some(code), None) = (bank_code, bank) {
        f.error(
            "codeInstituteBank",
            format!("{code} no es una institución conocida"),
        );
    }
    if account.len() != kind.digits() {
        f.error(
            "beneficiaryAcount",
            format!("debe tener {} dígitos", kind.digits()),
        );
        return;
    }
    if kind != AccountKind::Clabe {
        return;
    }
    if !clabe::is_valid(account) {
        f.error(
            "beneficiaryAcount",
            "el dígito verificador de la CLABE no es válido",
        );
    } else if let (Some(code), Some(_)) = (bank_code, bank)
        && !account.starts_with(code)
    {
        f.error(
            "beneficiaryAcount",
            format!("la CLABE no corresponde a codeInstituteBank {code}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(extra: Value) -> Map<String, Value> {
        let mut m = json!({
            "alphanumericReference": "PROVV0011712091",
            "amount": 250,
            "beneficiaryAcount": "002028650641359744",
            "beneficiaryName": "Florentino Eter",
            "codeInstituteBank": "002",
            "concept": "Deposito Maria",
            "numericReference": 4322312,
            "typeTransaction": 1
        });
        if let (Some(m), Value::Object(e)) = (m.as_object_mut(), extra) {
            m.extend(e);
        }
        m.as_object().cloned().unwrap_or_default()
    }

    fn errors(extra: Value) -> String {
        match new_order(&body(extra), BTreeMap::new()) {
            Err(e) => e.to_string(),
            Ok(o) => panic!("accepted {o:?}"),
        }
    }

    #[test]
    fn a_documented_order_with_a_clabe_is_accepted() {
        let order = new_order(&body(json!({})), BTreeMap::new()).ok();
        assert_eq!(order.as_ref().map(|o| o.amount), Some(25_000));
        assert_eq!(order.map(|o| o.account_kind), Some(AccountKind::Clabe));
    }

    #[test]
    fn refuses_an_order_to_a_clabe_with_a_wrong_check_digit() {
        let e = errors(json!({"beneficiaryAcount": "002028650641359745"}));
        assert!(e.contains("dígito verificador"), "{e}");
    }

    #[test]
    fn refuses_a_clabe_of_another_bank_than_code_institute_bank() {
        let e = errors(json!({"codeInstituteBank": "012"}));
        assert!(e.contains("no corresponde a codeInstituteBank 012"), "{e}");
    }

    #[test]
    fn an_amount_with_more_precision_than_centavos_is_refused_as_written() {
        let raw = br#"{"amount": 999.99999999999999999}"#;
        let mut order = body(json!({}));
        order.extend(serde_json::from_slice::<Map<String, Value>>(raw).unwrap_or_default());

        let err = new_order(&order, payoutsim_core::kit::written_numbers(raw));
        let string = errors(json!({"amount": "1000.0000000000001"}));
        let exact = new_order(
            &order,
            payoutsim_core::kit::written_numbers(br#"{"amount": 1000.10}"#),
        );

        assert!(
            err.unwrap_err()
                .to_string()
                .contains("debe tener como máximo 2 decimales")
        );
        assert!(
            string.contains("debe tener como máximo 2 decimales"),
            "{string}"
        );
        assert_eq!(exact.ok().map(|o| o.amount), Some(100_010));
    }

    #[test]
    fn numbers_as_strings_and_strings_as_numbers_are_accepted() {
        let order = new_order(
            &body(json!({
                "amount": "99.5", "numericReference": "77", "codeInstituteBank": 2,
                "beneficiaryAcount": 5512345678i64, "beneficiaryTypeAcount": 10
            })),
            BTreeMap::new(),
        );
        let order = order.ok();
        assert_eq!(order.as_ref().map(|o| o.amount), Some(9_950));
        assert_eq!(order.as_ref().map(|o| o.bank_code.as_str()), Some("002"));
        assert_eq!(order.map(|o| o.account_kind), Some(AccountKind::Phone));
    }

    #[test]
    fn spei_limits_are_enforced_on_every_field_at_once() {
        let e = errors(json!({
            "concept": "x".repeat(40), "beneficiaryName": "y".repeat(40),
            "numericReference": 43223123, "currency": 840, "amount": 1.005
        }));
        for key in [
            "concept",
            "beneficiaryName",
            "numericReference",
            "currency",
            "amount",
        ] {
            assert!(e.contains(key), "{key} missing from {e}");
        }
    }

    #[test]
    fn a_card_needs_sixteen_digits_and_an_unknown_account_type_is_refused() {
        assert!(errors(json!({"beneficiaryTypeAcount": "3"})).contains("16 dígitos"));
        assert!(errors(json!({"beneficiaryTypeAcount": "string"})).contains("no es válido"));
    }

    #[test]
    fn only_spei_transactions_are_supported() {
        assert!(errors(json!({"typeTransaction": 20})).contains("no soportado"));
    }
}
