//! Onboarding: a participant's details checked, every name screened, and the outcome recorded
//! with its alerts, its case and its ledger account in one change.

use model::{
    BankAccount, BankAccountInput, Identifier, Participant, ParticipantInput, Party, PartyInput,
    PartyKind,
};
use screening::Schema;
use serde::{Deserialize, Serialize};

use crate::error::HouseError;
use crate::types::*;
use crate::{Commit, House, Lists, audit, expect, ids, record};

/// A legal-name hit at or above this score rejects the applicant outright: the registered name
/// is the listed organisation's. Hits below it, and every owner or director hit, go to review.
pub const AUTO_REJECT_SCORE: f64 = 0.98;
/// Most hits kept per screened name.
pub const HITS_PER_NAME_MAX: usize = 5;

/// A participant's details as an applicant gives them (a JSON file or CLI flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardingInput {
    pub id: String,
    pub legal_name: String,
    pub registration_number: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    pub zone: String,
    #[serde(default)]
    pub lei: Option<String>,
    pub iban: String,
    pub bic: String,
    /// The name of the bank that keeps the account; screened with its BIC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    #[serde(default)]
    pub beneficial_owners: Vec<PartyDetails>,
    #[serde(default)]
    pub directors: Vec<PartyDetails>,
}

/// A beneficial owner or director.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyDetails {
    pub name: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// ISO 3166 alpha-2 codes.
    #[serde(default)]
    pub nationalities: Vec<String>,
}

impl OnboardingInput {
    /// The participant, validated; errors name the field.
    pub fn to_participant(&self) -> Result<Participant, HouseError> {
        let field =
            |name: &str, e: &dyn std::fmt::Display| HouseError::invalid(name, e.to_string());
        let id = self.id.parse().map_err(|e| field("id", &e))?;
        let zone = self.zone.parse().map_err(|e| field("zone", &e))?;
        let country = self.country.parse().map_err(|e| field("country", &e))?;
        let lei = match &self.lei {
            Some(lei) => Some(lei.parse().map_err(|e| field("lei", &e))?),
            None => None,
        };
        if self.registration_number.trim().is_empty() {
            return Err(HouseError::invalid(
                "registration_number",
                "must not be empty",
            ));
        }
        let registration = Identifier::new("registration", &self.registration_number)
            .map_err(|e| field("registration_number", &e))?;
        let bank_account = BankAccount::new(BankAccountInput {
            iban: self.iban.parse().map_err(|e| field("iban", &e))?,
            bic: self.bic.parse().map_err(|e| field("bic", &e))?,
        })
        .map_err(|e| field("bic", &e))?;
        let owners = parties(&self.beneficial_owners, "beneficial_owners", "owner")?;
        let directors = parties(&self.directors, "directors", "director")?;
        Participant::new(ParticipantInput {
            id,
            legal_name: self.legal_name.clone(),
            zone,
            country,
            lei,
            identifiers: vec![registration],
            beneficial_owners: owners,
            directors,
            bank_account: Some(bank_account),
        })
        .map_err(|e| {
            let text = e.to_string();
            let field = field_of(&text).unwrap_or("participant").to_owned();
            HouseError::invalid(field, text)
        })
    }
}

/// The field a model validation message names (`… field "legal_name": …`).
fn field_of(text: &str) -> Option<&str> {
    let start = text.find("field \"")? + 7;
    let end = text[start..].find('"')? + start;
    Some(&text[start..end])
}

fn parties(list: &[PartyDetails], field: &str, prefix: &str) -> Result<Vec<Party>, HouseError> {
    list.iter()
        .enumerate()
        .map(|(i, p)| {
            let at = |name: &str| format!("{field}[{i}].{name}");
            let birth_date = match &p.birth_date {
                Some(d) => Some(d.parse().map_err(|e: model::DateError| {
                    HouseError::invalid(at("birth_date"), e.to_string())
                })?),
                None => None,
            };
            let mut countries = Vec::with_capacity(p.nationalities.len());
            for (k, n) in p.nationalities.iter().enumerate() {
                countries.push(n.parse::<model::CountryCode>().map_err(|e| {
                    HouseError::invalid(at(&format!("nationalities[{k}]")), e.to_string())
                })?);
            }
            Party::new(PartyInput {
                id: format!("{prefix}-{}", i + 1)
                    .parse()
                    .map_err(|e: model::IdError| HouseError::invalid(at("id"), e.to_string()))?,
                kind: PartyKind::Person,
                name: p.name.clone(),
                birth_date,
                country: countries.first().copied(),
                identifiers: Vec::new(),
            })
            .map_err(|e| HouseError::invalid(at("name"), e.to_string()))
        })
        .collect()
}

impl House {
    /// Screens one name against the lists in force.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn screen_name(
        &self,
        lists: &Lists,
        role: NameRole,
        party: Option<String>,
        name: &str,
        birth_date: Option<String>,
        countries: Vec<String>,
        schema: Option<Schema>,
        field: &str,
    ) -> Result<ScreenedName, HouseError> {
        let matches = lists
            .screened
            .screen(
                &lists.screener,
                name,
                schema,
                birth_date.as_deref(),
                &countries,
                self.config.config.screening_threshold,
                HITS_PER_NAME_MAX,
            )
            .map_err(|e| HouseError::invalid(field, format!("{name:?}: {e}")))?;
        let hits = matches
            .iter()
            .map(|m| Hit {
                explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
                entity_id: m.entity_id.clone(),
                caption: m.caption.clone(),
                list: m.list.clone(),
                score: m.score,
            })
            .collect();
        Ok(ScreenedName {
            role,
            party,
            name: name.to_owned(),
            birth_date,
            countries,
            person: schema == Some(Schema::Person),
            hits,
        })
    }

    /// Screens an invoice counterparty: against the schema its kind names, and against every
    /// schema when the kind is not given (a person named as counterparty must not pass because
    /// only organisations were looked at).
    pub(crate) fn screen_counterparty(
        &self,
        lists: &Lists,
        party: &InvoiceParty,
    ) -> Result<ScreenedName, HouseError> {
        let schema = match party.kind {
            Some(CounterpartyKind::Person) => Some(Schema::Person),
            Some(CounterpartyKind::Organization) => Some(Schema::Organization),
            None => None,
        };
        self.screen_name(
            lists,
            NameRole::InvoiceCounterparty,
            None,
            &party.name,
            None,
            party.country.iter().cloned().collect(),
            schema,
            "invoice_counterparty.name",
        )
    }

    /// Screens a bank: its BIC against the BICs listed entities carry (by institution, the
    /// first 8 characters, so every branch of a listed bank is found), and its name, when
    /// given, against the listed organisations.
    pub(crate) fn screen_bank(
        &self,
        lists: &Lists,
        bic: &str,
        bank_name: Option<&str>,
        field: &str,
    ) -> Result<ScreenedName, HouseError> {
        let mut hits: Vec<Hit> = lists
            .banks
            .find(bic)
            .iter()
            .map(|b| Hit {
                entity_id: b.entity_id.clone(),
                caption: b.caption.clone(),
                list: b.list.clone(),
                score: 1.0,
                explanation: serde_json::json!({
                    "matched": "bic",
                    "matched_name": b.bic,
                    "bic": bic,
                    "rule": "the account's BIC names the listed institution (first 8 characters)",
                }),
            })
            .collect();
        let mut name = format!("BIC {bic}");
        if let Some(bank) = bank_name {
            let by_name = self.screen_name(
                lists,
                NameRole::Bank,
                None,
                bank,
                None,
                Vec::new(),
                Some(Schema::Organization),
                &format!("{field}.bank_name"),
            )?;
            for hit in by_name.hits {
                if !hits.iter().any(|h| h.entity_id == hit.entity_id) {
                    hits.push(hit);
                }
            }
            name = format!("{bank} (BIC {bic})");
        }
        Ok(ScreenedName {
            role: NameRole::Bank,
            party: None,
            name,
            birth_date: None,
            countries: Vec::new(),
            person: false,
            hits,
        })
    }

    /// Screens the bank of every zone house account: the zone's index and what was found.
    pub(crate) fn screen_house_accounts(
        &self,
        lists: &Lists,
    ) -> Result<Vec<(usize, ScreenedName)>, HouseError> {
        let mut out = Vec::new();
        for (i, z) in self.config.config.zones.iter().enumerate() {
            let field = format!("zones[{i}].house_account");
            let screened = self.screen_bank(
                lists,
                &z.house_account.bic,
                z.house_account.bank_name.as_deref(),
                &field,
            )?;
            out.push((
                i,
                ScreenedName {
                    party: Some(format!("zone {}", z.code)),
                    ..screened
                },
            ));
        }
        Ok(out)
    }

    /// Screens a participant's legal name, owners, directors and bank.
    pub(crate) fn screen_participant(
        &self,
        lists: &Lists,
        p: &Participant,
        bank_name: Option<&str>,
    ) -> Result<Vec<ScreenedName>, HouseError> {
        let mut out = vec![self.screen_name(
            lists,
            NameRole::LegalName,
            None,
            p.legal_name(),
            None,
            vec![p.country().as_str().to_owned()],
            Some(Schema::Organization),
            "legal_name",
        )?];
        for (role, list, field) in [
            (
                NameRole::BeneficialOwner,
                p.beneficial_owners(),
                "beneficial_owners",
            ),
            (NameRole::Director, p.directors(), "directors"),
        ] {
            for (i, party) in list.iter().enumerate() {
                out.push(
                    self.screen_name(
                        lists,
                        role,
                        Some(party.id().to_string()),
                        party.name(),
                        party.birth_date().map(|d| d.to_string()),
                        party
                            .country()
                            .map(|c| c.as_str().to_owned())
                            .into_iter()
                            .collect(),
                        Some(Schema::Person),
                        &format!("{field}[{i}].name"),
                    )?,
                );
            }
        }
        if let Some(account) = p.bank_account() {
            out.push(self.screen_bank(lists, account.bic().as_str(), bank_name, "bic")?);
        }
        Ok(out)
    }

    /// Onboards a participant. The same details again return the record as it is; other
    /// details under an id in use are refused.
    pub fn onboard(
        &self,
        actor: &str,
        input: &OnboardingInput,
    ) -> Result<ParticipantRecord, HouseError> {
        crate::check_actor("actor", actor)?;
        let participant = input.to_participant()?;
        let today = model::calendar::utc_date(self.now());
        for (field, list) in [
            ("beneficial_owners", participant.beneficial_owners()),
            ("directors", participant.directors()),
        ] {
            for (i, party) in list.iter().enumerate() {
                if let Some(born) = party.birth_date().filter(|d| *d > today) {
                    return Err(HouseError::invalid(
                        format!("{field}[{i}].birth_date"),
                        format!("{born} is in the future (today is {today})"),
                    ));
                }
            }
        }
        let zone = self.config.zone(participant.zone()).ok_or_else(|| {
            HouseError::invalid("zone", format!("no zone {} in this instrument", input.zone))
        })?;
        let country = participant.country().as_str().to_owned();
        if !zone.countries.is_empty() && !zone.countries.contains(&country) {
            return Err(HouseError::invalid(
                "country",
                format!("{country} is not a country of zone {}", zone.code),
            ));
        }
        let bank_name = match &input.bank_name {
            Some(name) => Some(
                model::clean_text(name, model::LEGAL_NAME_LEN_MAX)
                    .map_err(|e| HouseError::invalid("bank_name", e.to_string()))?,
            ),
            None => None,
        };
        for _ in 0..crate::ATTEMPTS_MAX {
            if let Some(rec) = self.try_onboard(actor, input, &participant, bank_name.clone())? {
                return Ok(rec);
            }
        }
        Err(HouseError::Contention {
            what: format!("participant {}", participant.id()),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// One attempt at onboarding; `None` when another writer got in between (the same id or
    /// key taken, other lists put in force): read again and retry.
    fn try_onboard(
        &self,
        actor: &str,
        input: &OnboardingInput,
        participant: &Participant,
        bank_name: Option<String>,
    ) -> Result<Option<ParticipantRecord>, HouseError> {
        let id = participant.id().to_string();
        if let Some(existing) = self.load::<ParticipantRecord>(kind::PARTICIPANT, &id)? {
            if existing.value.participant == *participant {
                return Ok(Some(existing.value));
            }
            return Err(HouseError::NotAllowed(format!(
                "participant {id} exists with other details"
            )));
        }
        let keys = self.unique_keys(participant, input)?;
        // One version of the lists for every name of this participant, and the one recorded:
        // the version in force, expected still in force when the participant is recorded.
        let in_force = self.screening_lists()?;
        let lists = in_force.lists;
        let screening = self.screen_participant(&lists, participant, bank_name.as_deref())?;
        let now = self.now();
        let auto_reject = screening.iter().any(|s| {
            s.role == NameRole::LegalName && s.hits.iter().any(|h| h.score >= AUTO_REJECT_SCORE)
        });
        let hits = screening.iter().any(|s| !s.hits.is_empty());
        let status = if auto_reject {
            ParticipantStatus::Rejected
        } else if hits {
            ParticipantStatus::PendingReview
        } else {
            ParticipantStatus::Active
        };
        let subject = format!("participant:{id}");
        let mut alerts = Vec::new();
        if status == ParticipantStatus::PendingReview {
            alerts = screening_alerts(&subject, &id, &screening, &lists.version, now);
        }
        let account = ids::participant_account(&self.config, &id);
        let rec = ParticipantRecord {
            participant: participant.clone(),
            registration_number: input.registration_number.trim().to_owned(),
            bank_name,
            status,
            account_id: account.id,
            screening,
            lists_version: lists.version.clone(),
            onboarded_at: now,
            onboarded_by: actor.to_owned(),
            open_alerts: alerts.iter().map(|a| a.id.clone()).collect(),
        };
        let mut change = store::Change {
            expect: vec![expect(kind::PARTICIPANT, &id, None), in_force.expect],
            accounts: vec![account],
            ..store::Change::default()
        };
        if !alerts.is_empty() {
            self.open_case(&mut change, &subject, &id, &mut alerts, now, None)?;
        }
        for (key_kind, key) in &keys {
            change.expect.push(expect(key_kind, key, None));
            change.put.push(record(
                key_kind,
                key,
                1,
                "taken",
                (&id, ""),
                now,
                &KeyOwner { owner: id.clone() },
            )?);
        }
        change.put.push(record(
            kind::PARTICIPANT,
            &id,
            1,
            status.as_str(),
            (&id, ""),
            now,
            &rec,
        )?);
        change.audit.push(audit(
            actor,
            "participant.onboarded",
            subject,
            &serde_json::json!({
                "status": status.as_str(),
                "lists_version": lists.version,
                "threshold": self.config.config.screening_threshold,
                "auto_reject_score": AUTO_REJECT_SCORE,
                "screening": rec.screening,
                "alerts": rec.open_alerts,
            }),
        )?);
        // Lost a race: the next attempt answers as if a request that onboarded the same id
        // meanwhile came first, or refuses a key taken meanwhile, or screens against the
        // lists put in force meanwhile.
        Ok(match self.commit(change, "the participant's account")? {
            Commit::Done => Some(rec),
            Commit::Raced(_) => None,
        })
    }
}

impl House {
    /// The keys a participant must not share with another: its IBAN and its registration
    /// number in its country. Refused, naming the field and the holder, when one is taken.
    fn unique_keys(
        &self,
        participant: &Participant,
        input: &OnboardingInput,
    ) -> Result<Vec<(&'static str, String)>, HouseError> {
        let mut keys = Vec::new();
        if let Some(account) = participant.bank_account() {
            keys.push((kind::IBAN, "iban", account.iban().as_str().to_owned()));
        }
        let registration: String = input
            .registration_number
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        keys.push((
            kind::REGISTRATION,
            "registration_number",
            format!("{}:{registration}", participant.country().as_str()),
        ));
        let id = participant.id().to_string();
        for (key_kind, field, key) in &keys {
            if let Some(taken) = self.load::<KeyOwner>(key_kind, key)?
                && taken.value.owner != id
            {
                return Err(HouseError::invalid(
                    *field,
                    format!(
                        "{} is already that of participant {}: one firm, one participant",
                        key.split_once(':').map_or(key.as_str(), |(_, k)| k),
                        taken.value.owner
                    ),
                ));
            }
        }
        Ok(keys.into_iter().map(|(k, _, key)| (k, key)).collect())
    }
}

/// One alert per hit of every screened name.
pub(crate) fn screening_alerts(
    subject: &str,
    participant: &str,
    screening: &[ScreenedName],
    lists_version: &str,
    now: u64,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for name in screening {
        for hit in &name.hits {
            let who = match &name.party {
                Some(p) => format!("{} {p}", name.role.as_str()),
                None => name.role.as_str().to_owned(),
            };
            alerts.push(Alert {
                id: alert_id(&[subject, "sanctions", &who, &hit.entity_id, lists_version]),
                subject: subject.to_owned(),
                participant: participant.to_owned(),
                category: "sanctions".into(),
                code: "sanctions_hit".into(),
                explanation: format!(
                    "{who} {:?} matches {} {:?} on {} with score {:.3} (matched name {:?})",
                    name.name,
                    hit.entity_id,
                    hit.caption,
                    hit.list,
                    hit.score,
                    hit.explanation
                        .get("matched_name")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default(),
                ),
                inputs: serde_json::json!({
                    "name": name.name, "role": name.role, "party": name.party,
                    "birth_date": name.birth_date, "countries": name.countries,
                    "hit": hit, "lists_version": lists_version,
                }),
                status: AlertStatus::Open,
                case: String::new(),
                created_at: now,
            });
        }
    }
    alerts
}

/// A short, stable alert id from what the alert is about.
pub(crate) fn alert_id(parts: &[&str]) -> String {
    format!("al-{:015x}", ids::derive(parts) >> 3)
}
