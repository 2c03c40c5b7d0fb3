//! The contract as data: the order state machine and its timings ([`machines`]), the numeric
//! wire statuses ([`STATUSES`]), the magic values ([`MAGIC`]) and the operation-type catalogue
//! ([`OPERATION_TYPES`], repo Mon19109/apis-kashpay "Catalogo de operaciones").

use payoutsim_core::machine::{Delay, StateMachine};

/// The kind of object with a lifecycle, as the engine and the admin API name it.
pub const ORDER: &str = "order";
/// The only variant: SPEI transfers (`typeTransaction` 1).
pub const SPEI: &str = "SPEI";

/// Seconds from acceptance to settlement (`accepted -> settled`). SPEI settles in seconds to
/// minutes; one minute here.
pub const SETTLE_AFTER_S: i64 = 60;
/// Seconds from acceptance to a return (`accepted -> returned`): the receiving bank refuses it.
pub const RETURN_AFTER_S: i64 = 300;

/// The order machine: `accepted` (25) -> `settled` | `returned`.
pub fn machines() -> Vec<StateMachine> {
    vec![
        StateMachine::new(ORDER, SPEI, "accepted", &["settled", "returned"])
            .edge("accepted", "settled", Delay::Seconds(SETTLE_AFTER_S))
            .edge("accepted", "returned", Delay::Seconds(RETURN_AFTER_S)),
    ]
}

/// Machine status -> numeric wire status. 25 is documented (createOrder's answer); the
/// "catálogo de estatus" is not public, so 26 and 27 are ours.
pub const STATUSES: &[(&str, u32)] = &[("accepted", 25), ("settled", 26), ("returned", 27)];

pub fn wire_status(status: &str) -> u32 {
    (STATUSES.iter())
        .find(|(s, _)| *s == status)
        .map(|(_, n)| *n)
        .unwrap_or(25)
}

/// The machine status of a numeric wire status, or of its name.
pub fn status_named(text: &str) -> Option<&'static str> {
    (STATUSES.iter())
        .find(|(s, n)| *s == text || n.to_string() == text)
        .map(|(s, _)| *s)
}

/// What triggers a magic outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// `beneficiaryAcount`, exactly.
    Account(&'static str),
    /// `amount`, in centavos.
    AmountCents(i64),
}

/// A magic value of ours: a request that reaches a given outcome (`accepted` = stays there, a
/// stuck order; `reason` is the return's `responseCode`).
pub type Magic = payoutsim_core::forced::Magic<Trigger>;

/// Magic values (README: "Magic values"). The CLABEs are valid STP (646) CLABEs.
pub const MAGIC: &[Magic] = &[
    Magic {
        trigger: Trigger::Account("646180000000000012"),
        outcome: "returned",
        reason: "CUENTA_INEXISTENTE",
        description: "Cuenta inexistente",
    },
    Magic {
        trigger: Trigger::Account("646180000000000025"),
        outcome: "returned",
        reason: "CUENTA_BLOQUEADA",
        description: "Cuenta bloqueada",
    },
    Magic {
        trigger: Trigger::Account("646180000000000038"),
        outcome: "returned",
        reason: "CUENTA_CANCELADA",
        description: "Cuenta cancelada",
    },
    Magic {
        trigger: Trigger::Account("646180000000000041"),
        outcome: "accepted",
        reason: "",
        description: "Se queda en estatus 25 (orden atorada)",
    },
    Magic {
        trigger: Trigger::AmountCents(66_600),
        outcome: "returned",
        reason: "BENEFICIARIO_NO_RECONOCE",
        description: "El beneficiario no reconoce el pago",
    },
];

/// The magic value an order to `account` of `amount` centavos hits, if any.
pub fn magic_for(account: &str, amount: i64) -> Option<&'static Magic> {
    MAGIC.iter().find(|m| match m.trigger {
        Trigger::Account(a) => a == account,
        Trigger::AmountCents(c) => c == amount,
    })
}

/// The description of a return `reason`.
pub fn reason_text(reason: &str) -> &'static str {
    (MAGIC.iter())
        .find(|m| m.reason == reason)
        .map(|m| m.description)
        .unwrap_or("Devolución SPEI")
}

/// One row of the operation-type catalogue.
#[derive(Clone, Copy, Debug)]
pub struct OperationType {
    pub code: u32,
    pub meaning: &'static str,
    /// `RETIRO` (debit) or `DEPOSITO` (credit), as the catalogue says.
    pub direction: &'static str,
    /// The short name (`transactionType`).
    pub name: &'static str,
}

const fn op(
    code: u32,
    meaning: &'static str,
    direction: &'static str,
    name: &'static str,
) -> OperationType {
    OperationType {
        code,
        meaning,
        direction,
        name,
    }
}

/// Types this emulation records: 1 (order), 2 (return), 3 (back-office funding).
pub const SPEI_OUT: u32 = 1;
pub const SPEI_RETURN: u32 = 2;
pub const SPEI_IN: u32 = 3;

/// The whole documented catalogue (the getOperations `type` header is checked against it).
pub const OPERATION_TYPES: &[OperationType] = &[
    op(1, "Envia SPEI", "RETIRO", "SPEI DE SALIDA"),
    op(
        2,
        "Operación devuelta o rechazada",
        "DEPOSITO",
        "DEVOLUCIÓN SPEI",
    ),
    op(
        3,
        "SPEI recibido desde otra entidad",
        "DEPOSITO",
        "SPEI DE ENTRADA",
    ),
    op(
        4,
        "En una cuenta a cuenta, es el retiro a la cuenta origen",
        "RETIRO",
        "RETIRO ENTRE CUENTAS",
    ),
    op(10, "Compra de recargas telefonica", "RETIRO", "RECARGAS"),
    op(11, "Compra Pago Servicios", "RETIRO", "PAGO DE SERVICIOS"),
    op(
        12,
        "Retiro en ATM de la Red MasterCard",
        "RETIRO",
        "RETIRO EN ATM",
    ),
    op(
        13,
        "Compra tarjeta presente/No presente de la Red Mastercard",
        "RETIRO",
        "CONSUMO CON TARJETA",
    ),
    op(
        14,
        "Transacción por web service (Uso interno)",
        "RETIRO/DEPOSITO",
        "WebService (uso interno)",
    ),
    op(
        15,
        "Transacción por archivo batch (Uso interno)",
        "RETIRO/DEPOSITO",
        "Batch (uso interno)",
    ),
    op(
        16,
        "Retiro Corresponsal CITI",
        "RETIRO",
        "RETIRO EN CORRESPONSAL",
    ),
    op(
        17,
        "Retiro Corresponsal de la RED",
        "RETIRO",
        "RETIRO EN MI RED KASH",
    ),
    op(
        18,
        "Deposito Corresponsal de la RED",
        "DEPOSITO",
        "DEPOSITO EN MI RED KASH",
    ),
    op(
        19,
        "Crear referencia- retiro sucursal",
        "RETIRO",
        "ORDEN DE PAGO",
    ),
    op(
        20,
        "Retiro de dinero con referencia en corresponsal RED",
        "RETIRO",
        "RETIRO EN MI RED KASH",
    ),
    op(
        21,
        "Retiro de dinero con referencia en corresponsal CITI",
        "RETIRO",
        "RETIRO EN CORRESPONSAL",
    ),
    op(22, "Bolsas de Adquirencia", "DEPOSITO", "VENTA VISA"),
    op(23, "Bolsas de Adquirencia", "DEPOSITO", "Venta Amex"),
    op(
        24,
        "Bolsas de Adquirencia",
        "DEPOSITO",
        "Venta SPEI Referenciado",
    ),
    op(25, "Bolsas de Adquirencia", "DEPOSITO", "Devolucion Adqui"),
    op(26, "Bolsas de Adquirencia", "DEPOSITO", "Cancelación Adqui"),
    op(27, "Bolsas de Adquirencia", "DEPOSITO", "Venta MC"),
    op(
        28,
        "Depósito a cuenta en corresponsales CITI",
        "DEPOSITO",
        "DEPÓSITO EN CORRESPONSAL",
    ),
    op(
        29,
        "Depósito a cuenta en corresponsales de la RED",
        "DEPOSITO",
        "DEPÓSITO ENTRE CUENTAS",
    ),
    op(
        57,
        "Bolsas de Adquirencia",
        "DEPOSITO",
        "Venta Internacional",
    ),
    op(
        104,
        "Deposito en Efectivo",
        "DEPOSITO",
        "DEPÓSITO EN EFECTIVO",
    ),
    op(105, "Pago Referenciado", "DEPOSITO", "PAGO REFERENCIADO"),
    op(
        106,
        "Traspaso Referenciado",
        "DEPOSITO",
        "TRASPASO REFERENCIADO",
    ),
    op(
        107,
        "Pago Recibido de Convenio",
        "DEPOSITO",
        "PAGO RECIBIDO",
    ),
    op(
        108,
        "Transferencia entre cuentas Citi",
        "DEPOSITO",
        "TRANSFERENCIA ENTRE CUENTAS CITI",
    ),
    op(109, "Deposito Mixto", "DEPOSITO", "DEPÓSITO MIXTO"),
    op(110, "Deposito cheques", "DEPOSITO", "DEPOSITO CHEQUE"),
    op(
        10007,
        "Liquidación Compra Individual",
        "",
        "Liquidación Compra Individual",
    ),
    op(10008, "Liquidación Compras", "", "LIQUIDACIÓN TOTAL"),
];

pub fn operation_type(code: u32) -> Option<&'static OperationType> {
    OPERATION_TYPES.iter().find(|t| t.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_magic_clabe_is_a_valid_clabe() {
        for m in MAGIC {
            if let Trigger::Account(a) = m.trigger {
                assert!(crate::clabe::is_valid(a), "{a}");
            }
        }
    }

    #[test]
    fn the_stuck_order_never_leaves_accepted() {
        let m = &machines()[0];
        let magic = magic_for("646180000000000041", 100);
        assert_eq!(magic.map(|m| m.outcome), Some("accepted"));
        assert!(m.next_edge("accepted", "accepted").is_none());
        assert_eq!(
            m.next_edge("accepted", "returned").map(|e| e.to.as_str()),
            Some("returned")
        );
    }

    #[test]
    fn statuses_map_both_ways() {
        assert_eq!(wire_status("accepted"), 25);
        assert_eq!(status_named("27"), Some("returned"));
        assert_eq!(status_named("settled"), Some("settled"));
        assert_eq!(status_named("99"), None);
    }

    #[test]
    fn the_catalogue_names_spei_out_and_returns() {
        assert_eq!(
            operation_type(SPEI_OUT).map(|t| t.name),
            Some("SPEI DE SALIDA")
        );
        assert_eq!(
            operation_type(SPEI_RETURN).map(|t| t.name),
            Some("DEVOLUCIÓN SPEI")
        );
        assert!(operation_type(5).is_none());
    }
}
