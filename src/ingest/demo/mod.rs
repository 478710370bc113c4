//! The built-in demo source: a believable day for a kids' clothing brand and three
//! competitors, in French and English, on several platforms, paced by the clock so that
//! `--speed` accelerates it.

mod config;
pub use config::DemoConfig;

mod generator;
mod scenario;
mod texts;

use chrono::TimeDelta;

pub use generator::{DemoGenerator, platforms};
pub use scenario::{ExtraKind, Scenario};
pub use texts::{BRAND_ANSWER, BRANDS, VIRAL_POST};

use super::{Source, SourceContext, SourceEnd, SourceFuture};

/// The incident of a scenario comes this long after the wall starts, so a new user sees it.
pub const INCIDENT_AFTER_START: TimeDelta = TimeDelta::minutes(2);

pub struct DemoSource {
    name: String,
    scenario: Scenario,
    seed: u64,
    history_hours: u32,
    generator: Option<DemoGenerator>,
}

impl DemoSource {
    pub fn new(name: String, scenario: Scenario, seed: u64, history_hours: u32) -> Self {
        Self {
            name,
            scenario,
            seed,
            history_hours,
            generator: None,
        }
    }
}

impl Source for DemoSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            let now = ctx.clock.now();
            // Kept across restarts so a restarted demo resumes where it was.
            let generator = self.generator.get_or_insert_with(|| {
                DemoGenerator::new(
                    self.seed,
                    self.scenario,
                    now - TimeDelta::hours(i64::from(self.history_hours)),
                    now + INCIDENT_AFTER_START,
                )
            });
            let mut sent = 0u64;
            loop {
                let due = generator.peek().created_at;
                let delay = ctx.clock.real_delay_until(due);
                if !delay.is_zero() && !ctx.sleep_or_shutdown(delay).await {
                    return Ok(SourceEnd::Shutdown);
                }
                let mention = generator.pop();
                if !ctx.sink.send(mention, ctx.clock.now()).await {
                    return Ok(SourceEnd::Shutdown);
                }
                sent += 1;
                // The history burst sends without sleeping: look at the shutdown flag now and
                // then, and let the other sources run.
                if sent.is_multiple_of(512) {
                    if *ctx.shutdown.borrow() {
                        return Ok(SourceEnd::Shutdown);
                    }
                    tokio::task::yield_now().await;
                }
            }
        })
    }
}

#[cfg(test)]
pub mod tests_support {
    use chrono::{DateTime, Utc};

    use crate::model::{Author, Engagement, Mention, Platform};

    pub fn plain_mention(id: &str, at: DateTime<Utc>) -> Mention {
        Mention {
            id: id.into(),
            platform: Platform::X,
            author: Author {
                handle: "someone".into(),
                display_name: "Someone".into(),
                reach: 10,
                avatar: None,
            },
            text: "Petit Loup".into(),
            lang: Some("fr".into()),
            created_at: at,
            url: None,
            engagement: Engagement::default(),
            reply_to: None,
            picture: None,
            rating: None,
        }
    }
}
