//! `kind = "influential_negative"`: a negative post by an author followed by at least
//! `min_reach` people.

use serde::Deserialize;
use toml::Spanned;

use super::{Condition, OptionError, Options, Post};
use crate::alerts::Trigger;
use crate::i18n::Locale;
use crate::model::Tone;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfluentialNegativeOptions {
    min_reach: Option<Spanned<u64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InfluentialNegative {
    pub min_reach: u64,
}

pub(super) fn read(options: Options<'_>) -> Result<Box<dyn Condition>, OptionError> {
    let whole = options.span();
    let raw: InfluentialNegativeOptions = options.read()?;
    let Some(min_reach) = raw.min_reach else {
        return Err(OptionError::new(
            whole,
            "kind influential_negative needs `min_reach`",
        ));
    };
    Ok(Box::new(InfluentialNegative {
        min_reach: min_reach.into_inner(),
    }))
}

impl Condition for InfluentialNegative {
    fn kind(&self) -> &'static str {
        "influential_negative"
    }

    fn on_post(&self, post: &Post<'_>, _brand: usize) -> Option<Trigger> {
        let author = &post.enriched.mention.author;
        (post.enriched.tone == Tone::Negative && author.reach >= self.min_reach).then(|| {
            Trigger::InfluentialNegative {
                author: author.handle.clone(),
                reach: author.reach,
            }
        })
    }

    fn ends_when_posts_stop(&self) -> bool {
        true
    }
}

pub(crate) fn summary(locale: Locale, brand: &str, author: &str, reach: u64) -> String {
    match locale {
        Locale::Fr => format!("{brand} : message négatif de @{author} ({reach} abonnés)"),
        Locale::En => format!("{brand}: negative post by @{author} ({reach} followers)"),
    }
}
