//! The controlled vocabularies of the knowledge base: kinds, statuses, roles, stances and
//! reliabilities. Each is stored as text guarded by a CHECK constraint in the database, and is a
//! named enum in the API, so that generated clients get real enum types.

use std::fmt;
use std::io::Write;

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;

/// A value outside a vocabulary; the message lists the accepted values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a known {vocabulary}; expected one of: {expected}")]
pub struct UnknownValue {
    /// The vocabulary's name, such as `commitment kind`.
    pub vocabulary: &'static str,
    /// The value that was given.
    pub value: String,
    /// The accepted values, comma-separated.
    pub expected: String,
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident ($label:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = Text)]
        // Each value is its variant's name in snake_case; `as_str` spells it out, and a test
        // checks that the two agree.
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order the vocabulary lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as it appears in the API and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        vocabulary: $label,
                        value: s.to_owned(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                Ok(text.parse()?)
            }
        }
    };
}

vocabulary! {
    /// What a commitment offers.
    #[schema(example = "troops")]
    CommitmentKind ("commitment kind") {
        /// Soldiers deployed or to be deployed.
        Troops => "troops",
        /// Warships, maritime patrols, mine clearance.
        NavalSupport => "naval_support",
        /// Aircraft, air policing, air defence.
        AirSupport => "air_support",
        /// Money, loans, budget support.
        Funding => "funding",
        /// Shells, rockets, missiles, or the funding of their purchase.
        Ammunition => "ammunition",
        /// Weapons systems, vehicles, materiel.
        Equipment => "equipment",
        /// Bases, depots and infrastructure.
        MilitaryHubs => "military_hubs",
        /// Training of Ukrainian forces.
        Training => "training",
        /// Intelligence sharing.
        Intelligence => "intelligence",
        /// A political or legal promise to act.
        SecurityGuarantee => "security_guarantee",
    }
}

vocabulary! {
    /// Where a commitment stands: `proposed` (intent signalled), `pledged`, `in_progress`,
    /// `delivered`; or `refused`, `withdrawn` (stopped after having been given), `omitted`
    /// (deliberately left out of a text where it was expected), `endorsed` (backed in words, with
    /// no contribution of its own specified). A status change's `modality` says whether the source
    /// reports it as `announced` (will happen) or `effective` (has happened).
    #[schema(example = "proposed")]
    CommitmentStatus ("commitment status") {
        /// Intent signalled, not yet promised.
        Proposed => "proposed",
        /// Promised.
        Pledged => "pledged",
        /// Being carried out.
        InProgress => "in_progress",
        /// Carried out in full.
        Delivered => "delivered",
        /// Declined.
        Refused => "refused",
        /// Stopped after having been given.
        Withdrawn => "withdrawn",
        /// Deliberately left out of a text where it was expected.
        Omitted => "omitted",
        /// Backed in words, with no contribution of its own specified.
        Endorsed => "endorsed",
    }
}

vocabulary! {
    /// Whether a status change is one the source says will happen (`announced`: "would stop
    /// funding") or one it says has happened (`effective`).
    #[schema(example = "effective")]
    Modality ("modality") {
        /// Said to be going to happen.
        Announced => "announced",
        /// Said to have happened.
        Effective => "effective",
    }
}

vocabulary! {
    /// Where a value comes from: `stated` (its source says it in so many words; `citation_id`
    /// names the citation that does) or `inferred` (an editor derived it: `note` says from what,
    /// `inferred_by` who).
    #[schema(example = "inferred")]
    Basis ("basis") {
        /// The source states it; the citation says where.
        Stated => "stated",
        /// An editor or a documented rule inferred it; the note says why.
        Inferred => "inferred",
    }
}

vocabulary! {
    /// Whether forces committed would take part in combat.
    #[schema(example = "non_combat")]
    ForceRole ("role") {
        /// Would engage in combat.
        Combat => "combat",
        /// Would not engage in combat (reassurance, logistics, training).
        NonCombat => "non_combat",
        /// The source does not say.
        Unspecified => "unspecified",
    }
}

vocabulary! {
    /// The position a statement takes on the matter it addresses.
    #[schema(example = "supportive")]
    Stance ("stance") {
        /// In favour.
        Supportive => "supportive",
        /// Against.
        Opposed => "opposed",
        /// In favour under conditions.
        Conditional => "conditional",
        /// Neither for nor against.
        Neutral => "neutral",
        /// The source does not make it clear.
        Unclear => "unclear",
    }
}

vocabulary! {
    /// How far a source can be trusted. Every citation carries its source's reliability, and a
    /// fact's reliability is that of the most reliable source it rests on.
    #[schema(example = "ai_generated")]
    Reliability ("reliability") {
        /// Generated by an AI system; to be verified against the original reporting.
        AiGenerated => "ai_generated",
        /// Published, but not checked.
        Unverified => "unverified",
        /// Checked against independent sources.
        Verified => "verified",
        /// Issued by a government or an organization about its own acts.
        Official => "official",
    }
}

vocabulary! {
    /// What kind of document a source is.
    #[schema(example = "news_article")]
    SourceKind ("source kind") {
        /// A news article.
        NewsArticle => "news_article",
        /// A communique issued by a meeting or an organization.
        Communique => "communique",
        /// A statement issued by a government or an official.
        OfficialStatement => "official_statement",
        /// A transcript of spoken words.
        Transcript => "transcript",
        /// A report or study.
        Report => "report",
        /// Any other document.
        Other => "other",
    }
}

vocabulary! {
    /// What kind of thing happened.
    #[schema(example = "meeting")]
    EventKind ("event kind") {
        /// A summit of heads of state or government.
        Summit => "summit",
        /// A meeting of officials.
        Meeting => "meeting",
        /// A declaration issued.
        Declaration => "declaration",
        /// Reports of attacks or fighting.
        AttackReport => "attack_report",
        /// Anything else.
        Other => "other",
    }
}

vocabulary! {
    /// Whose figure a claim is: a report, or the claim of a party to the war.
    #[schema(example = "party_claim")]
    ClaimKind ("claim kind") {
        /// A figure reported by the source or by others it relays.
        Report => "report",
        /// A figure claimed by a party to the war, not a verified fact.
        PartyClaim => "party_claim",
    }
}

vocabulary! {
    /// What kind of body an organization is.
    #[schema(example = "alliance")]
    OrganizationKind ("organization kind") {
        /// A military alliance.
        Alliance => "alliance",
        /// A political and economic union.
        Union => "union",
        /// A grouping of states for a purpose.
        Coalition => "coalition",
        /// Any other body.
        Other => "other",
    }
}

vocabulary! {
    /// What a key may do: `editor` writes facts; `admin` also manages keys.
    #[schema(example = "editor")]
    KeyRole ("key role") {
        /// Adds, corrects and retracts facts.
        Editor => "editor",
        /// Everything an editor does, and manages keys.
        Admin => "admin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_parses_back_to_itself() {
        for kind in CommitmentKind::ALL {
            assert_eq!(kind.as_str().parse::<CommitmentKind>(), Ok(*kind));
        }
        for status in CommitmentStatus::ALL {
            assert_eq!(status.as_str().parse::<CommitmentStatus>(), Ok(*status));
        }
    }

    #[test]
    fn serde_and_as_str_spell_every_value_alike() {
        fn check<T: serde::Serialize + Copy + std::fmt::Display>(all: &[T]) {
            for v in all {
                assert_eq!(
                    serde_json::to_value(v).unwrap(),
                    serde_json::Value::String(v.to_string())
                );
            }
        }
        check(CommitmentKind::ALL);
        check(CommitmentStatus::ALL);
        check(ForceRole::ALL);
        check(Stance::ALL);
        check(Reliability::ALL);
        check(SourceKind::ALL);
        check(EventKind::ALL);
        check(ClaimKind::ALL);
        check(OrganizationKind::ALL);
        check(KeyRole::ALL);
        check(Modality::ALL);
        check(Basis::ALL);
    }

    #[test]
    fn an_unknown_value_lists_the_accepted_ones() {
        let err = "tanks".parse::<CommitmentKind>().unwrap_err();
        assert!(err.to_string().contains("`tanks` is not a known commitment kind"));
        assert!(err.to_string().contains("naval_support"));
    }

    #[test]
    fn reliability_orders_from_weakest_to_strongest() {
        assert!(Reliability::AiGenerated < Reliability::Unverified);
        assert!(Reliability::Verified < Reliability::Official);
    }
}
