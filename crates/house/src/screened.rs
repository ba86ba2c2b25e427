//! The answers of the lists to names already screened against them.
//!
//! Trade repeats: the same buyers appear on invoice after invoice, so most names a submission
//! screens were screened moments before against the same lists. Screening is a pure function
//! of the lists and the query, so an answer is kept with the lists it came from
//! ([`crate::Lists`] holds the cache): a list update brings new lists, and with them an empty
//! cache, so no answer outlives the lists that gave it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use screening::normalize::NameError;
use screening::{Match, Query, Schema, Screener};

/// Most answers kept for one version of the lists; when it is reached the cache starts empty
/// again (bounds memory whatever the names; busy names come back at once).
pub const SCREENED_NAMES_CACHED_MAX: usize = 65_536;

/// What makes two screenings the same: every input of [`Screener::screen`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    name: String,
    schema: Option<Schema>,
    birth_date: Option<String>,
    countries: Vec<String>,
    /// The threshold's bits (`f64` is not `Eq`; the same setting gives the same bits).
    threshold: u64,
    limit: usize,
}

/// Answers by query, for one version of the lists.
#[derive(Debug, Default)]
pub struct ScreenCache {
    answers: Mutex<HashMap<Key, Arc<Vec<Match>>>>,
}

impl ScreenCache {
    /// The matches of `name` (with what else is known of it) on `screener`, at or above
    /// `threshold`, at most `limit`: screened once, then answered from the cache.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn screen(
        &self,
        screener: &Screener,
        name: &str,
        schema: Option<Schema>,
        birth_date: Option<&str>,
        countries: &[String],
        threshold: f64,
        limit: usize,
    ) -> Result<Arc<Vec<Match>>, NameError> {
        let key = Key {
            name: name.to_owned(),
            schema,
            birth_date: birth_date.map(str::to_owned),
            countries: countries.to_vec(),
            threshold: threshold.to_bits(),
            limit,
        };
        if let Some(answer) = self.lock().get(&key) {
            return Ok(Arc::clone(answer));
        }
        let mut query = Query::name(name);
        query.schema = schema;
        query.facts.birth_date = birth_date.and_then(screening::screener::parse_partial_date);
        query.facts.countries = countries.to_vec();
        let matches =
            screening::with_scratch(|scratch| screener.screen(&query, threshold, limit, scratch))?;
        let answer = Arc::new(matches);
        let mut answers = self.lock();
        if answers.len() >= SCREENED_NAMES_CACHED_MAX {
            answers.clear();
        }
        answers.insert(key, Arc::clone(&answer));
        Ok(answer)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Vec<Match>>>> {
        // A panic while the lock was held leaves whole entries only.
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use screening::Scratch;

    use super::*;

    #[test]
    fn a_name_screened_again_gets_the_first_answer_and_it_is_the_screeners() {
        let lists = crate::Lists::bundled().expect("the bundled lists");
        let screen = |name: &str| {
            lists
                .screened
                .screen(&lists.screener, name, None, None, &[], 0.8, 10)
                .expect("screened")
        };
        let first = screen("Qasem Soleimani");
        assert!(!first.is_empty(), "a listed person is found");
        assert!(Arc::ptr_eq(&first, &screen("Qasem Soleimani")));
        let direct = lists
            .screener
            .screen(
                &Query::name("Qasem Soleimani"),
                0.8,
                10,
                &mut Scratch::default(),
            )
            .expect("screened");
        assert_eq!(*first, direct);
        // Another threshold, another answer.
        assert!(!Arc::ptr_eq(&first, &{
            lists
                .screened
                .screen(&lists.screener, "Qasem Soleimani", None, None, &[], 0.9, 10)
                .expect("screened")
        }));
        // New lists start with nothing kept.
        let other = crate::Lists::from_screener(Arc::clone(&lists.screener), "v2");
        assert!(other.screened.lock().is_empty());
    }
}
