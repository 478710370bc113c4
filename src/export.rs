//! `vigie export`: the history for analysts, as JSON Lines or CSV, streamed from the store
//! (a month of mentions never sits in memory). The columns are the store's (see `store` and the
//! README); brands are their names, times RFC 3339 in UTC.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::store::{Store, StoredMention};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportTable {
    /// Every counted mention with its brands, sentiment and tone.
    Mentions,
    /// Each brand's mentions per minute by tone, and their engagement.
    Minutes,
    /// Every alert, with its evidence (JSON Lines) or its summary (CSV).
    Alerts,
    /// Every action taken from the control page: who, what, when, from where.
    Audit,
}

const MENTION_HEADER: &str = "id,created_at,platform,author_handle,author_name,author_reach,lang,\
    brands,sentiment,tone,likes,shares,replies,reply_to,url,text";

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Serialize)]
struct MentionLine<'a> {
    id: &'a str,
    created_at: String,
    platform: crate::model::Platform,
    author: &'a crate::model::Author,
    lang: &'a str,
    brands: &'a [String],
    sentiment: f32,
    tone: crate::model::Tone,
    engagement: crate::model::Engagement,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    text: &'a str,
}

fn mention_line(row: &StoredMention, format: ExportFormat) -> anyhow::Result<String> {
    let m = &row.mention;
    Ok(match format {
        ExportFormat::Jsonl => serde_json::to_string(&MentionLine {
            id: &m.id,
            created_at: time(m.created_at),
            platform: m.platform,
            author: &m.author,
            lang: &row.lang,
            brands: &row.brands,
            sentiment: row.sentiment,
            tone: row.tone,
            engagement: m.engagement,
            reply_to: m.reply_to.as_deref(),
            url: m.url.as_deref(),
            text: &m.text,
        })?,
        ExportFormat::Csv => [
            csv_field(&m.id),
            time(m.created_at),
            m.platform.label().to_string(),
            csv_field(&m.author.handle),
            csv_field(&m.author.display_name),
            m.author.reach.to_string(),
            row.lang.clone(),
            csv_field(&row.brands.join(";")),
            format!("{:.4}", row.sentiment),
            format!("{:?}", row.tone).to_lowercase(),
            m.engagement.likes.to_string(),
            m.engagement.shares.to_string(),
            m.engagement.replies.to_string(),
            csv_field(m.reply_to.as_deref().unwrap_or("")),
            csv_field(m.url.as_deref().unwrap_or("")),
            csv_field(&m.text),
        ]
        .join(","),
    })
}

/// Writes `table` from `since` to `until` to `out`; the rows written.
pub fn export(
    store: &Store,
    table: ExportTable,
    format: ExportFormat,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    out: &mut impl Write,
) -> anyhow::Result<u64> {
    let mut rows = 0u64;
    match table {
        ExportTable::Mentions => {
            if format == ExportFormat::Csv {
                writeln!(out, "{MENTION_HEADER}")?;
            }
            let mut failed: Option<anyhow::Error> = None;
            store.for_each_mention(since, until, |row| {
                if failed.is_some() {
                    return;
                }
                let written = mention_line(&row, format)
                    .and_then(|line| writeln!(out, "{line}").map_err(anyhow::Error::from));
                match written {
                    Ok(()) => rows += 1,
                    Err(error) => failed = Some(error),
                }
            })?;
            if let Some(error) = failed {
                return Err(error);
            }
        }
        ExportTable::Minutes => {
            if format == ExportFormat::Csv {
                writeln!(out, "minute,brand,negative,neutral,positive,engagement")?;
            }
            for (brand, minute, negative, neutral, positive, engagement) in
                store.minutes_between(since, until)?
            {
                let at = DateTime::from_timestamp(minute * 60, 0).unwrap_or_default();
                match format {
                    ExportFormat::Jsonl => writeln!(
                        out,
                        "{}",
                        serde_json::json!({
                            "minute": time(at), "brand": brand, "negative": negative,
                            "neutral": neutral, "positive": positive, "engagement": engagement,
                        })
                    )?,
                    ExportFormat::Csv => writeln!(
                        out,
                        "{},{},{negative},{neutral},{positive},{engagement}",
                        time(at),
                        csv_field(&brand)
                    )?,
                }
                rows += 1;
            }
        }
        ExportTable::Alerts => {
            if format == ExportFormat::Csv {
                writeln!(out, "started_at,ended_at,rule,severity,brand,summary")?;
            }
            for alert in store.alerts_between(since, until)? {
                match format {
                    ExportFormat::Jsonl => writeln!(out, "{alert}")?,
                    ExportFormat::Csv => {
                        let field = |name: &str| {
                            alert
                                .get(name)
                                .and_then(|v| v.as_str())
                                .unwrap_or("")
                                .to_string()
                        };
                        writeln!(
                            out,
                            "{},{},{},{},{},{}",
                            field("started_at"),
                            field("ended_at"),
                            csv_field(&field("rule")),
                            field("severity"),
                            csv_field(&field("brand")),
                            csv_field(&field("summary"))
                        )?;
                    }
                }
                rows += 1;
            }
        }
        ExportTable::Audit => {
            if format == ExportFormat::Csv {
                writeln!(out, "at,user,from,action,target,detail")?;
            }
            for entry in store.audit_between(since, until)? {
                match format {
                    ExportFormat::Jsonl => writeln!(
                        out,
                        "{}",
                        serde_json::json!({
                            "at": time(entry.at), "user": entry.user, "from": entry.from,
                            "action": entry.action, "target": entry.target,
                            "detail": entry.detail,
                        })
                    )?,
                    ExportFormat::Csv => writeln!(
                        out,
                        "{},{},{},{},{},{}",
                        time(entry.at),
                        csv_field(&entry.user),
                        csv_field(&entry.from),
                        csv_field(&entry.action),
                        csv_field(&entry.target),
                        csv_field(&entry.detail)
                    )?,
                }
                rows += 1;
            }
        }
    }
    out.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("il a dit \"non\""), "\"il a dit \"\"non\"\"\"");
        assert_eq!(csv_field("deux\nlignes"), "\"deux\nlignes\"");
    }
}
