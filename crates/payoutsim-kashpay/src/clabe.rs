//! Mexican account numbers as SPEI knows them, and the bank catalogue.
//!
//! - [`check_digit`] / [`is_valid`]: the CLABE control digit (weights 3, 7, 1 repeated)
//! - [`BANKS`]: 3-digit CLABE prefix -> 5-digit Banxico institution code and name
//! - [`AccountKind`]: what `beneficiaryTypeAcount` selects (CLABE, debit card, mobile phone)
//!
//! A CLABE is 18 digits: 3 bank + 3 plaza + 11 account + 1 control digit; the control digit is
//! `(10 − Σ(dᵢ·wᵢ mod 10) mod 10) mod 10` over the first 17 digits (repo cuenca-mx/clabe-python).

/// Weights of the first 17 digits.
const WEIGHTS: [u32; 3] = [3, 7, 1];

/// The control digit of the first 17 digits of `clabe`; `None` unless they are 17+ ASCII digits.
pub fn check_digit(clabe: &str) -> Option<u32> {
    let digits: Vec<u32> = clabe
        .chars()
        .take(17)
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let sum: u32 = (digits.iter().enumerate())
        .map(|(i, d)| (d * WEIGHTS[i % 3]) % 10)
        .sum();
    Some((10 - sum % 10) % 10)
}

/// Whether `clabe` is 18 digits with the right control digit.
pub fn is_valid(clabe: &str) -> bool {
    clabe.len() == 18
        && clabe.bytes().all(|b| b.is_ascii_digit())
        && check_digit(clabe) == clabe[17..].chars().next().and_then(|c| c.to_digit(10))
}

/// `base17` (17 digits) completed with its control digit.
pub fn complete(base17: &str) -> Option<String> {
    (base17.len() == 17)
        .then(|| check_digit(base17))
        .flatten()
        .map(|d| format!("{base17}{d}"))
}

/// A bank of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bank {
    /// The 3-digit CLABE prefix, Kashpay's `codeInstituteBank`.
    pub code: &'static str,
    /// The 5-digit Banxico institution code (`targetIDCode` in operations).
    pub institution: &'static str,
    pub name: &'static str,
}

/// A subset of Banxico's SPEI participants (repo cuenca-mx/clabe-python `clabe/banks.py`).
pub const BANKS: &[Bank] = &[
    Bank {
        code: "002",
        institution: "40002",
        name: "BANAMEX",
    },
    Bank {
        code: "006",
        institution: "37006",
        name: "BANCOMEXT",
    },
    Bank {
        code: "009",
        institution: "37009",
        name: "BANOBRAS",
    },
    Bank {
        code: "012",
        institution: "40012",
        name: "BBVA MEXICO",
    },
    Bank {
        code: "014",
        institution: "40014",
        name: "SANTANDER",
    },
    Bank {
        code: "019",
        institution: "37019",
        name: "BANJERCITO",
    },
    Bank {
        code: "021",
        institution: "40021",
        name: "HSBC",
    },
    Bank {
        code: "030",
        institution: "40030",
        name: "BAJIO",
    },
    Bank {
        code: "032",
        institution: "40032",
        name: "IXE",
    },
    Bank {
        code: "036",
        institution: "40036",
        name: "INBURSA",
    },
    Bank {
        code: "042",
        institution: "40042",
        name: "MIFEL",
    },
    Bank {
        code: "044",
        institution: "40044",
        name: "SCOTIABANK",
    },
    Bank {
        code: "058",
        institution: "40058",
        name: "BANREGIO",
    },
    Bank {
        code: "059",
        institution: "40059",
        name: "INVEX",
    },
    Bank {
        code: "062",
        institution: "40062",
        name: "AFIRME",
    },
    Bank {
        code: "072",
        institution: "40072",
        name: "BANORTE",
    },
    Bank {
        code: "127",
        institution: "40127",
        name: "AZTECA",
    },
    Bank {
        code: "130",
        institution: "40130",
        name: "COMPARTAMOS",
    },
    Bank {
        code: "137",
        institution: "40137",
        name: "BANCOPPEL",
    },
    Bank {
        code: "638",
        institution: "90638",
        name: "NU MEXICO",
    },
    Bank {
        code: "646",
        institution: "90646",
        name: "STP",
    },
    Bank {
        code: "722",
        institution: "90722",
        name: "MERCADO PAGO W",
    },
];

/// The bank whose CLABE prefix is `code`.
pub fn bank(code: &str) -> Option<&'static Bank> {
    BANKS.iter().find(|b| b.code == code)
}

/// What kind of account `beneficiaryAcount` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// SPEI account type 40: an 18-digit CLABE.
    Clabe,
    /// SPEI account type 3: a 16-digit debit card.
    Card,
    /// SPEI account type 10: a 10-digit mobile phone number.
    Phone,
}

impl AccountKind {
    /// The `beneficiaryTypeAcount` values that select each kind (case-insensitive).
    pub const NAMES: &'static [(&'static str, AccountKind)] = &[
        ("40", AccountKind::Clabe),
        ("clabe", AccountKind::Clabe),
        ("3", AccountKind::Card),
        ("card", AccountKind::Card),
        ("tarjeta", AccountKind::Card),
        ("10", AccountKind::Phone),
        ("phone", AccountKind::Phone),
        ("celular", AccountKind::Phone),
    ];

    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (Self::NAMES.iter())
            .find(|(n, _)| n.eq_ignore_ascii_case(text))
            .map(|(_, k)| *k)
    }

    /// Inferred from the number of digits when `beneficiaryTypeAcount` is absent.
    pub fn from_len(len: usize) -> Option<Self> {
        match len {
            18 => Some(Self::Clabe),
            16 => Some(Self::Card),
            10 => Some(Self::Phone),
            _ => None,
        }
    }

    pub fn digits(self) -> usize {
        match self {
            Self::Clabe => 18,
            Self::Card => 16,
            Self::Phone => 10,
        }
    }

    /// The SPEI account type number.
    pub fn spei_type(self) -> u8 {
        match self {
            Self::Clabe => 40,
            Self::Card => 3,
            Self::Phone => 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_example_clabes_are_valid() {
        for clabe in [
            "032180000118359719",
            "002010077777777771",
            "002028650641359744",
            "002028650641309053",
        ] {
            assert!(is_valid(clabe), "{clabe}");
        }
    }

    #[test]
    fn a_wrong_check_digit_a_wrong_length_or_a_letter_is_invalid() {
        assert!(!is_valid("032180000118359718"));
        assert!(!is_valid("002028650641359745"));
        assert!(!is_valid("03218000011835971"));
        assert!(!is_valid("0321800001183597190"));
        assert!(!is_valid("03218000011835971X"));
        assert!(!is_valid(""));
    }

    #[test]
    fn completing_a_base_gives_a_valid_clabe() {
        assert_eq!(
            complete("64618000000000001").as_deref(),
            Some("646180000000000012")
        );
        assert!(complete("6461800000000000").is_none());
    }

    #[test]
    fn account_kinds_parse_by_spei_number_or_name() {
        assert_eq!(AccountKind::parse("40"), Some(AccountKind::Clabe));
        assert_eq!(AccountKind::parse("CLABE"), Some(AccountKind::Clabe));
        assert_eq!(AccountKind::parse("3"), Some(AccountKind::Card));
        assert_eq!(AccountKind::parse("10"), Some(AccountKind::Phone));
        assert_eq!(AccountKind::parse("string"), None);
        assert_eq!(AccountKind::from_len(16), Some(AccountKind::Card));
    }

    #[test]
    fn every_bank_code_is_three_digits_and_unique() {
        for (i, b) in BANKS.iter().enumerate() {
            assert_eq!(b.code.len(), 3);
            assert_eq!(b.institution.len(), 5);
            assert!(BANKS[i + 1..].iter().all(|o| o.code != b.code));
        }
    }
}
