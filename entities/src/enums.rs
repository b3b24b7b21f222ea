//! Closed vocabularies, stored as their kebab-case text and exchanged as such
//! in JSON (the API's field values are part of the contract with clients).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        // utoipa does not see a `rename` whose literal came through the macro,
        // so the container rule names the variants for the spec; every `$text`
        // is the kebab-case of its variant (a test holds the two together).
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $text)] #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value as sent on the wire.
            pub const ALL: &'static [&'static str] = &[$($text),+];

            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!("must be one of: {}", [$($text),+].join(", "))),
                }
            }
        }
    };
}

text_enum!(
    /// The law a product group falls under (Wmo 2015 or Jeugdwet).
    Law { Wmo = "wmo", Jeugdwet = "jeugdwet" }
);

text_enum!(
    /// The unit a product is delivered and priced in (iWmo eenheid).
    Unit {
        Minute = "minute",
        Hour = "hour",
        DayPart = "day-part",
        Day = "day",
        Week = "week",
        Month = "month",
        Piece = "piece",
        Euro = "euro",
    }
);

text_enum!(
    /// Funding variant (uitvoeringsvariant): effort-based (P×Q), output-based, task-based.
    FundingVariant { Effort = "effort", Output = "output", Task = "task" }
);

text_enum!(
    /// What one arrangement (output funding) is priced per: a calendar
    /// month, or a stay (the allocation's whole period).
    ArrangementPeriod { Month = "month", Stay = "stay" }
);

text_enum!(
    /// How a task budget is shared among the region's municipalities.
    TaskBudgetSplit { None = "none", Inhabitants = "inhabitants", PlannedClients = "planned-clients" }
);

text_enum!(
    /// How the provider was admitted: open house, SAS tender or EU tender.
    ProcurementForm { OpenHouse = "open-house", SasTender = "sas-tender", EuTender = "eu-tender" }
);

text_enum!(
    /// The form of a procurement (inkoopprocedure): an open-house admission
    /// (no public contract, seed 004 §6), the European or the national
    /// procedure for social and other specific services (SAS), or a
    /// private procurement with a single or several invited quotations.
    ProcedureForm {
        OpenHouse = "open-house",
        SasEuropean = "sas-european",
        SasNational = "sas-national",
        PrivateSingle = "private-single",
        PrivateMultiple = "private-multiple",
    }
);

text_enum!(
    /// Contract lifecycle: active, proposed for outflow, terminated.
    ContractStatus { Active = "active", OutflowProposed = "outflow-proposed", Terminated = "terminated" }
);

text_enum!(
    /// Why a contract ends early. `ordinary` needs the contract's notice;
    /// the grounds for cause (a failed integrity or financial check,
    /// underperformance) and an ending by agreement do not.
    TerminationGround {
        Ordinary = "ordinary",
        IntegrityCheck = "integrity-check",
        FinancialCheck = "financial-check",
        Underperformance = "underperformance",
        ByAgreement = "by-agreement",
    }
);

text_enum!(
    /// What a contract amendment changes.
    AmendmentKind {
        /// A one-off extension outside the contract's options.
        Extension = "extension",
        Lots = "lots",
        Municipalities = "municipalities",
        PilotClause = "pilot-clause",
        Other = "other",
    }
);

text_enum!(
    /// An enrolment (aanmelding): applied, then admitted or rejected.
    EnrolmentStatus { Applied = "applied", Admitted = "admitted", Rejected = "rejected" }
);

text_enum!(
    /// An item of an enrolment's checklist, as the region's requirements name it.
    Requirement {
        QualityMark = "quality-mark",
        Certificate = "certificate",
        /// Verklaring omtrent gedrag.
        Vog = "vog",
        FinancialStatement = "financial-statement",
        /// Declaration of compliance with the Governance Code Zorg 2022.
        GovernanceCode = "governance-code",
        ProvenExperience = "proven-experience",
    }
);

text_enum!(
    /// The office's assessment of one item of evidence.
    Assessment { Pending = "pending", Accepted = "accepted", Rejected = "rejected" }
);

text_enum!(
    /// A check of the compliance register.
    ComplianceKind {
        /// Bibob integrity screening.
        Integrity = "integrity",
        Financial = "financial",
        GovernanceCode = "governance-code",
        /// Wet normering topinkomens.
        Wnt = "wnt",
        QualityMark = "quality-mark",
    }
);

text_enum!(
    /// The outcome of a compliance check.
    CheckOutcome { Passed = "passed", Failed = "failed" }
);

text_enum!(
    /// What a contract signal reports.
    ContractSignalKind {
        CheckExpiring = "check-expiring",
        CheckExpired = "check-expired",
        ContractEnding = "contract-ending",
        EuThreshold = "eu-threshold",
    }
);

text_enum!(
    /// What a steering signal reports.
    SteeringSignalKind {
        /// A client waits longer than the product group's norm.
        WaitingNorm = "waiting-norm",
        /// A municipality × product group has fewer active providers than the minimum.
        Coverage = "coverage",
        /// Two allocations of one client in one product group overlap.
        CareOverlap = "care-overlap",
    }
);

/// Who referred a client (iJw COD327, `../shared/iwmo/codelists/
/// COD327_Code_verwijzer.md`), exchanged as its two-digit code. Not a
/// `text_enum!`: the codes are not the kebab-case of the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Referrer {
    /// 01 Gemeente: the municipality's access team.
    #[serde(rename = "01")]
    Municipality,
    /// 02 Huisarts: a general practitioner.
    #[serde(rename = "02")]
    GeneralPractitioner,
    /// 03 Jeugdarts: a youth doctor.
    #[serde(rename = "03")]
    YouthDoctor,
    /// 04 Gecertificeerde instelling: a certified institution.
    #[serde(rename = "04")]
    CertifiedInstitution,
    /// 05 Medisch specialist.
    #[serde(rename = "05")]
    MedicalSpecialist,
    /// 06 Zelfverwijzer / geen verwijzer: self-referral or none.
    #[serde(rename = "06")]
    SelfReferral,
    /// 08 Rechter, Officier van Justitie, functionaris Justitiële jeugdinrichting.
    #[serde(rename = "08")]
    Court,
}

impl Referrer {
    /// Every code as sent on the wire.
    pub const ALL: &'static [&'static str] = &["01", "02", "03", "04", "05", "06", "08"];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Municipality => "01",
            Self::GeneralPractitioner => "02",
            Self::YouthDoctor => "03",
            Self::CertifiedInstitution => "04",
            Self::MedicalSpecialist => "05",
            Self::SelfReferral => "06",
            Self::Court => "08",
        }
    }

    /// The code list's Dutch name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Municipality => "Gemeente",
            Self::GeneralPractitioner => "Huisarts",
            Self::YouthDoctor => "Jeugdarts",
            Self::CertifiedInstitution => "Gecertificeerde instelling",
            Self::MedicalSpecialist => "Medisch specialist",
            Self::SelfReferral => "Zelfverwijzer / geen verwijzer",
            Self::Court => {
                "Rechter, Officier van Justitie, functionaris Justitiële jeugdinrichting"
            }
        }
    }
}

impl std::str::FromStr for Referrer {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "01" => Self::Municipality,
            "02" => Self::GeneralPractitioner,
            "03" => Self::YouthDoctor,
            "04" => Self::CertifiedInstitution,
            "05" => Self::MedicalSpecialist,
            "06" => Self::SelfReferral,
            "08" => Self::Court,
            _ => {
                return Err(format!(
                    "must be a COD327 code: one of {}",
                    Self::ALL.join(", ")
                ))
            }
        })
    }
}

#[cfg(test)]
mod referrer_tests {
    use super::Referrer;

    #[test]
    fn referrers_are_their_cod327_codes_in_schema_json_and_text() {
        let schema = serde_json::to_value(<Referrer as utoipa::PartialSchema>::schema()).unwrap();
        let listed: Vec<String> = serde_json::from_value(schema["enum"].clone()).unwrap();
        assert_eq!(listed, Referrer::ALL);
        for code in Referrer::ALL {
            let parsed: Referrer = code.parse().unwrap();
            assert_eq!(parsed.as_str(), *code);
            assert_eq!(serde_json::to_value(parsed).unwrap(), *code);
        }
        // 07 is not in the list.
        assert!("07".parse::<Referrer>().is_err());
        assert!("2".parse::<Referrer>().is_err());
    }
}

text_enum!(
    /// Frequency window of an allocated volume.
    VolumeFrequency { Day = "day", Week = "week", Month = "month", Total = "total" }
);

text_enum!(
    /// A client's gender as the iWmo messages carry it (Geslacht 0, 1, 2).
    Gender { Unknown = "unknown", Male = "male", Female = "female" }
);

impl Gender {
    /// The iWmo Geslacht code.
    pub fn iwmo_code(self) -> &'static str {
        match self {
            Self::Unknown => "0",
            Self::Male => "1",
            Self::Female => "2",
        }
    }
}

text_enum!(
    /// Whether a declaration line charges (debit) or reverses an earlier charge (credit).
    DebitCredit { Debit = "debit", Credit = "credit" }
);

text_enum!(
    /// A declaration line's verdict.
    LineStatus { Approved = "approved", Rejected = "rejected" }
);

text_enum!(
    /// A background job run's state.
    JobStatus { Queued = "queued", Running = "running", Succeeded = "succeeded", Failed = "failed" }
);

text_enum!(
    /// Roles a token can carry (DESIGN §4).
    Role {
        PlatformAdmin = "platform-admin",
        RegionAdmin = "region-admin",
        ContractManager = "contract-manager",
        AccessTeam = "access-team",
        /// The region's central access team: allocates for every
        /// municipality, within the groups of the `central-access` policy.
        CentralAccess = "central-access",
        /// A municipality's read-only user: its own monitor and rows.
        Municipality = "municipality",
        Provider = "provider",
        Auditor = "auditor",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        assert_eq!("day-part".parse::<Unit>(), Ok(Unit::DayPart));
        assert_eq!(Unit::DayPart.as_str(), "day-part");
        assert_eq!(
            serde_json::to_string(&ProcurementForm::OpenHouse).unwrap(),
            "\"open-house\""
        );
        assert!("hours".parse::<Unit>().unwrap_err().contains("minute"));
    }

    /// The OpenAPI schema of each enum lists exactly the values on the wire.
    #[test]
    fn schemas_list_the_wire_values() {
        fn values<T: utoipa::PartialSchema>() -> Vec<String> {
            let schema = serde_json::to_value(T::schema()).unwrap();
            serde_json::from_value(schema["enum"].clone()).unwrap()
        }
        macro_rules! check {
            ($($t:ty),+) => {$(
                assert_eq!(values::<$t>(), <$t>::ALL, "{}", stringify!($t));
                for text in <$t>::ALL {
                    let parsed: $t = serde_json::from_value(serde_json::json!(text)).unwrap();
                    assert_eq!(parsed.as_str(), *text);
                }
            )+};
        }
        check!(
            Law,
            Unit,
            FundingVariant,
            ArrangementPeriod,
            TaskBudgetSplit,
            ProcurementForm,
            ProcedureForm,
            ContractStatus,
            VolumeFrequency,
            LineStatus,
            JobStatus,
            Role
        );
    }
}
