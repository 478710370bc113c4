//! `kind = "kpi"`: one figure, large.

use toml::Value;

use crate::layout::tiles::{BrandRef, Metric, OptionReader, TileOptions, hint};

#[derive(Debug, Clone, PartialEq)]
pub struct KpiOptions {
    pub metric: Metric,
    pub brand: BrandRef,
}

impl TileOptions for KpiOptions {
    const OPTIONS: &'static [&'static str] = &["metric", "brand"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        let metric = match options.get("metric") {
            Some(Value::String(name)) => Metric::parse(name).unwrap_or_else(|| {
                options.error(
                    Some("metric"),
                    format!(
                        "unknown metric '{name}'{}: use one of {}",
                        hint(name, &Metric::NAMES),
                        Metric::NAMES.join(", ")
                    ),
                );
                Metric::MentionsLastHour
            }),
            written => {
                let option = written.map(|_| "metric");
                options.error(
                    option,
                    format!(
                        "a kpi tile needs `metric = \"…\"`, one of {}",
                        Metric::NAMES.join(", ")
                    ),
                );
                Metric::MentionsLastHour
            }
        };
        Self {
            metric,
            brand: options.brand("brand"),
        }
    }
}
