//! The replay source: JSON Lines of `Mention`s, each sent when event time reaches the moment it
//! was received (`received_at`, which `vigie record` writes) or else its `created_at`, so that
//! `--speed` replays a recorded day faster, in the order it arrived. A malformed line is counted
//! and logged with its line number, then skipped. A jump of event time beyond `MAX_JUMP` (a
//! line dated in the year 2999, a recording paused for a night) is logged and not waited out:
//! the replay's timeline shifts back by the jump and goes on at its pace.

mod config;
pub use config::ReplayConfig;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::SourceEvent;

pub struct ReplaySource {
    name: String,
    path: PathBuf,
    /// Lines already handed over, so a restart after an I/O error resumes after them.
    lines_done: u64,
    timeline: Timeline,
}

/// The longest step of event time a replay waits out between two lines.
pub const MAX_JUMP: TimeDelta = TimeDelta::hours(1);

/// Where the replay is in event time, and by how much the lines that follow a jump are moved
/// back to be paced.
#[derive(Debug, Default, Clone)]
struct Timeline {
    last: Option<DateTime<Utc>>,
    shift: TimeDelta,
}

impl Timeline {
    /// When a line due at `due` is to be sent, the last line's (or the clock's `now`) being
    /// the reference; and the jump left out, if it was one.
    fn pace(
        &mut self,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> (DateTime<Utc>, Option<TimeDelta>) {
        let last = *self.last.get_or_insert(now);
        // Out of chrono's range (a file that jumps between the years 1 and 9999): a jump too.
        let mut paced = due
            .checked_sub_signed(self.shift)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut jump = None;
        // Either way: after a line from the year 2999 the lines of today come back, and they
        // are paced from where the replay is, not sent all at once.
        if (paced - last).abs() > MAX_JUMP {
            jump = Some(paced - last);
            // Where `due` now paces as `last`.
            self.shift = due - last;
            paced = last;
        }
        self.last = Some(last.max(paced));
        (paced, jump)
    }
}

impl ReplaySource {
    pub fn new(name: String, path: PathBuf) -> Self {
        Self {
            name,
            path,
            lines_done: 0,
            timeline: Timeline::default(),
        }
    }
}

/// One line of a replay file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayLine {
    pub event: SourceEvent,
    /// When the line is due: when it was received, else when it was posted; `None` for a
    /// hand-written deletion, which follows the line before it.
    pub due: Option<DateTime<Utc>>,
}

#[derive(serde::Deserialize)]
struct Received {
    #[serde(default)]
    received_at: Option<DateTime<Utc>>,
}

/// Parses one line of a replay file; `None` for a blank line. A line is a `Mention` (a post),
/// or, as `vigie record` writes edits and deletions, a `SourceEvent` whose first key is
/// `"event"`; either may carry `received_at`.
pub fn parse_line(line: &str) -> Option<Result<ReplayLine, serde_json::Error>> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return None;
    }
    let is_event = trimmed
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"event\""));
    let event = if is_event {
        serde_json::from_str(trimmed)
    } else {
        serde_json::from_str(trimmed).map(SourceEvent::Post)
    };
    Some(event.and_then(|event| {
        let received: Received = serde_json::from_str(trimmed)?;
        let posted = match &event {
            SourceEvent::Post(m) | SourceEvent::Edit(m) => Some(m.created_at),
            SourceEvent::Delete { .. } | SourceEvent::Acked { .. } | SourceEvent::Checkpoint(_) => {
                None
            }
        };
        Ok(ReplayLine {
            due: received.received_at.or(posted),
            event,
        })
    }))
}

/// How `vigie record` writes one event received at `received_at`: a post as a plain `Mention`,
/// so that hand-written and recorded files look the same, edits and deletions tagged.
pub fn record_line(event: &SourceEvent, received_at: DateTime<Utc>) -> serde_json::Result<String> {
    let mut value = match event {
        SourceEvent::Post(mention) => serde_json::to_value(mention)?,
        SourceEvent::Acked { event, .. } => return record_line(event, received_at),
        // Not an event of the recording: no line.
        SourceEvent::Checkpoint(_) => return Ok(String::new()),
        other => serde_json::to_value(other)?,
    };
    if let serde_json::Value::Object(fields) = &mut value {
        fields.insert("received_at".into(), serde_json::to_value(received_at)?);
    }
    serde_json::to_string(&value)
}

/// When the first well-formed line of a replay file is due: where a replay clock starts.
pub fn first_timestamp(path: &Path) -> anyhow::Result<Option<DateTime<Utc>>> {
    use std::io::BufRead;
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open replay file {}", path.display()))?;
    // By bytes: a line that is not UTF-8 is skipped here, and counted by the source.
    for line in std::io::BufReader::new(file).split(b'\n') {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        let Ok(line) = std::str::from_utf8(&line) else {
            continue;
        };
        if let Some(Ok(ReplayLine { due: Some(due), .. })) = parse_line(line) {
            return Ok(Some(due));
        }
    }
    Ok(None)
}

impl Source for ReplaySource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            let file = tokio::fs::File::open(&self.path)
                .await
                .with_context(|| format!("cannot open {}", self.path.display()))?;
            // By bytes, not `lines()`: a line that is not UTF-8 is one malformed line, counted
            // and skipped, where a read error made the source restart on it for ever.
            let mut lines = BufReader::new(file).split(b'\n');
            let mut number = 0u64;
            while let Some(bytes) = lines
                .next_segment()
                .await
                .with_context(|| format!("cannot read {}", self.path.display()))?
            {
                number += 1;
                if number <= self.lines_done {
                    continue;
                }
                self.lines_done = number;
                let Ok(line) = std::str::from_utf8(&bytes) else {
                    let location = format!("{}:{number}", self.path.display());
                    ctx.sink.malformed(&location, "not UTF-8 text");
                    continue;
                };
                let ReplayLine { event, due } = match parse_line(line) {
                    None => continue,
                    Some(Ok(line)) => line,
                    Some(Err(error)) => {
                        let location = format!("{}:{number}", self.path.display());
                        ctx.sink.malformed(&location, &error.to_string());
                        continue;
                    }
                };
                if let Some(due) = due {
                    let (due, jump) = self.timeline.pace(due, ctx.clock.now());
                    if let Some(jump) = jump {
                        tracing::warn!(
                            source = %self.name,
                            "{}:{number}: event time jumps {} {}: not waited out, the replay \
                             goes on from here at its pace",
                            self.path.display(),
                            humantime::format_duration(jump.abs().to_std().unwrap_or_default()),
                            if jump > TimeDelta::zero() { "ahead" } else { "back" },
                        );
                    }
                    let delay = ctx.clock.real_delay_until(due);
                    if !delay.is_zero() && !ctx.sleep_or_shutdown(delay).await {
                        return Ok(SourceEnd::Shutdown);
                    }
                }
                if !ctx.sink.send_event(event, ctx.clock.now()).await {
                    return Ok(SourceEnd::Shutdown);
                }
            }
            Ok(SourceEnd::Exhausted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{ManualClock, SharedClock};
    use crate::ingest::{HealthBoard, MentionSink};
    use std::io::Write;
    use std::sync::Arc;

    /// What a replay source runs with on `clock`: its context, the channel it sends to, its
    /// health board and its (unused) shutdown.
    struct Harness {
        ctx: SourceContext,
        rx: crossbeam_channel::Receiver<SourceEvent>,
        board: HealthBoard,
        _shutdown: tokio::sync::watch::Sender<bool>,
    }

    fn harness(clock: SharedClock) -> Harness {
        let (tx, rx) = crossbeam_channel::bounded(16);
        let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
        let board = HealthBoard::default();
        let ctx = SourceContext {
            sink: MentionSink::new("replay", tx, &board),
            clock,
            shutdown,
        };
        Harness {
            ctx,
            rx,
            board,
            _shutdown: shutdown_tx,
        }
    }

    #[tokio::test]
    async fn a_malformed_line_is_counted_and_skipped_and_the_rest_replays() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        let good = |id: &str| {
            format!(
                r#"{{"id":"{id}","platform":"mastodon","author":{{"handle":"a"}},"text":"Petit Loup","created_at":"2026-11-20T10:00:00Z"}}"#
            )
        };
        writeln!(file, "{}", good("r:1")).expect("write");
        writeln!(file, "{{\"id\": \"r:2\", \"platform\": ").expect("write");
        writeln!(file).expect("write");
        // Not UTF-8 (Latin-1 bytes): one more malformed line, not the end of the replay.
        file.write_all(b"{\"id\":\"r:9\",\"text\":\"Petit Loup d\xe9\xe7u\"}\n")
            .expect("write");
        writeln!(file, "{}", good("r:3")).expect("write");
        writeln!(file, r#"{{"event":"delete","id":"r:1"}}"#).expect("write");
        file.flush().expect("flush");

        let Harness {
            ctx,
            rx,
            board,
            _shutdown,
        } = harness(Arc::new(ManualClock::new(Utc::now())));
        let mut source = ReplaySource::new("replay".into(), file.path().to_path_buf());
        let end = source.run(ctx).await.expect("replay runs");
        assert_eq!(end, SourceEnd::Exhausted);
        let events: Vec<SourceEvent> = rx.try_iter().collect();
        let described: Vec<String> = events
            .iter()
            .map(|event| match event {
                SourceEvent::Post(m) => format!("post {}", m.id),
                SourceEvent::Edit(m) => format!("edit {}", m.id),
                SourceEvent::Delete { id } => format!("delete {id}"),
                SourceEvent::Acked { .. } => "acked".into(),
                SourceEvent::Checkpoint(_) => "checkpoint".into(),
            })
            .collect();
        assert_eq!(described, vec!["post r:1", "post r:3", "delete r:1"]);
        let at: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("time");
        let recorded = record_line(&events[2], at).expect("serialises");
        assert_eq!(
            recorded,
            r#"{"event":"delete","id":"r:1","received_at":"2026-11-25T12:00:00Z"}"#
        );
        let back = parse_line(&recorded).expect("a line").expect("parses");
        assert_eq!((back.event, back.due), (events[2].clone(), Some(at)));
        let health = board.snapshot(Utc::now(), chrono::TimeDelta::minutes(5));
        assert_eq!(health[0].malformed, 2);
        assert_eq!(health[0].received, 3);
        assert_eq!(
            first_timestamp(file.path()).expect("readable"),
            Some("2026-11-20T10:00:00Z".parse().expect("valid"))
        );
    }

    #[tokio::test]
    async fn a_jump_of_event_time_is_not_waited_out_and_the_rest_keeps_its_pace() {
        let start: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("time");
        let line = |id: &str, at: &str| {
            format!(
                r#"{{"id":"{id}","platform":"mastodon","author":{{"handle":"a"}},"text":"Petit Loup","created_at":"{at}"}}"#
            )
        };
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        writeln!(file, "{}", line("r:1", "2026-11-20T10:00:00Z")).expect("write");
        // One line from far in the future, then a recording that resumes a day later.
        writeln!(file, "{}", line("r:2", "2999-01-01T00:00:00Z")).expect("write");
        writeln!(file, "{}", line("r:3", "2026-11-20T10:00:01Z")).expect("write");
        writeln!(file, "{}", line("r:4", "2026-11-21T10:00:00Z")).expect("write");
        writeln!(file, "{}", line("r:5", "2026-11-21T10:00:01Z")).expect("write");
        file.flush().expect("flush");

        let Harness {
            ctx, rx, _shutdown, ..
        } = harness(Arc::new(crate::clock::ScaledClock::new(start, 1.0)));
        let mut source = ReplaySource::new("replay".into(), file.path().to_path_buf());
        let began = std::time::Instant::now();
        let end = tokio::time::timeout(std::time::Duration::from_secs(20), source.run(ctx))
            .await
            .expect("the replay does not wait for the year 2999, nor for the next day")
            .expect("replay runs");
        assert_eq!(end, SourceEnd::Exhausted);
        assert_eq!(rx.try_iter().count(), 5);
        // r:5 still waits its second after r:4: the pace is kept after a jump.
        assert!(began.elapsed() >= std::time::Duration::from_millis(900));
    }

    #[test]
    fn a_timeline_that_swings_between_the_ends_of_time_never_overflows() {
        let mut timeline = Timeline::default();
        let start: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("time");
        let ends = [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC];
        for n in 0..10 {
            let (paced, jump) = timeline.pace(ends[n % 2], start);
            assert_eq!(
                paced, start,
                "every swing is a jump, paced where the replay is"
            );
            assert!(jump.is_some());
        }
        // And ordinary lines after it keep their pace from there.
        let (first, _) = timeline.pace(start + TimeDelta::days(3), start);
        let (second, jump) =
            timeline.pace(start + TimeDelta::days(3) + TimeDelta::seconds(5), start);
        assert_eq!(second - first, TimeDelta::seconds(5));
        assert_eq!(jump, None);
    }
}
