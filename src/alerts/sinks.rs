//! Alert sinks (`[[alert_sinks]]`): webhooks that receive alerts as generic JSON or as
//! Slack/Mattermost-compatible text. Each sink has its own queue and delivers in order,
//! retrying with exponential backoff; a dead sink delays only itself, and the analysis only
//! ever `try_send`s into the sinks' channel, so nothing here can slow it down.

use std::time::Duration;

use crossbeam_channel::Receiver;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::{Alert, AlertChange, Severity};
use crate::i18n::Locale;

/// What a sink is told: an alert raised, updated or ended by the analysis, or taken in hand or
/// resolved by the room on the control page.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkEvent {
    Change(AlertChange),
    Handled(Handled),
}

/// Someone took an alert in hand (`note` is `None`) or resolved it with a note.
#[derive(Debug, Clone, PartialEq)]
pub struct Handled {
    pub alert: Alert,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub resolved: Option<String>,
}

impl From<AlertChange> for SinkEvent {
    fn from(change: AlertChange) -> Self {
        SinkEvent::Change(change)
    }
}

impl SinkEvent {
    pub fn alert(&self) -> &Alert {
        match self {
            SinkEvent::Change(change) => change.alert(),
            SinkEvent::Handled(handled) => &handled.alert,
        }
    }

    /// The generic JSON: `{"event": "raised" | "updated" | "ended", "alert": {…}}`, or
    /// `{"event": "acknowledged" | "resolved", "alert": {…}, "by": …, "at": …, "note": …}`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            SinkEvent::Change(change) => serde_json::to_value(change).unwrap_or_default(),
            SinkEvent::Handled(handled) => {
                let mut body = serde_json::json!({
                    "event": if handled.resolved.is_some() { "resolved" } else { "acknowledged" },
                    "alert": handled.alert,
                    "by": handled.by,
                    "at": handled.at,
                });
                if let Some(note) = &handled.resolved {
                    body["note"] = serde_json::Value::String(note.clone());
                }
                body
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SinkFormat {
    /// `{"event": "raised" | "updated" | "ended" | "acknowledged" | "resolved", "alert": {…}}`.
    #[default]
    Json,
    /// `{"text": "…"}`: Slack and Mattermost incoming webhooks.
    Slack,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSinkConfig {
    pub name: String,
    #[serde(default)]
    pub format: SinkFormat,
    /// The webhook's address, or the environment variable that holds it (Slack webhook
    /// addresses are secrets).
    pub url: Option<String>,
    pub url_env: Option<String>,
    /// Alerts below this severity are not sent.
    #[serde(default = "default_min_severity")]
    pub min_severity: Severity,
    /// Also send each update of an alert in progress, not only its start and end.
    #[serde(default)]
    pub send_updates: bool,
}

fn default_min_severity() -> Severity {
    Severity::Warning
}

impl AlertSinkConfig {
    /// What is wrong with this sink, for the config error.
    pub fn problem(&self) -> Option<String> {
        match (&self.url, &self.url_env) {
            (Some(_), Some(_)) => Some("give `url` or `url_env`, not both".into()),
            (None, None) => Some("needs `url = \"https://…\"` or `url_env = \"VARIABLE\"`".into()),
            (Some(url), None) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                Some(format!("url '{url}' must start with http:// or https://"))
            }
            _ => None,
        }
    }

    fn address(&self) -> Option<String> {
        match (&self.url, &self.url_env) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(var)) => std::env::var(var).ok().filter(|v| !v.trim().is_empty()),
            (None, None) => None,
        }
    }

    fn wants(&self, event: &SinkEvent) -> bool {
        event.alert().severity >= self.min_severity
            && (self.send_updates || !matches!(event, SinkEvent::Change(AlertChange::Updated(_))))
    }
}

/// How deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub first_wait: Duration,
    pub max_wait: Duration,
    pub attempts: u32,
    pub timeout: Duration,
}

impl Default for Retry {
    /// 1 s, 2 s, 4 s … up to 5 min between tries, 12 tries: about 20 minutes of patience.
    fn default() -> Self {
        Self {
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(300),
            attempts: 12,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Changes waiting per sink beyond this are dropped, oldest first, and logged.
const QUEUE: usize = 1000;

/// The sinks' thread.
pub struct SinksHandle {
    done: Receiver<()>,
    thread: std::thread::JoinHandle<()>,
}

impl SinksHandle {
    /// Once the analysis has dropped its sender: waits up to `grace` for what is queued to be
    /// delivered, then leaves the rest (and its retries) behind, logged, so that a stop is
    /// never held up by a dead webhook.
    pub fn finish(self, grace: Duration) {
        match self.done.recv_timeout(grace) {
            Ok(()) | Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                let _ = self.thread.join();
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                tracing::warn!(
                    "alert sinks still retrying at exit: undelivered alerts left behind"
                );
            }
        }
    }
}

/// Delivers `changes` to every sink until the channel closes; runs on its own thread.
pub fn start_sinks(
    sinks: Vec<AlertSinkConfig>,
    locale: Locale,
    changes: Receiver<SinkEvent>,
    retry: Retry,
) -> std::io::Result<SinksHandle> {
    let (done_tx, done) = crossbeam_channel::bounded(1);
    let thread = std::thread::Builder::new()
        .name("vigie-alert-sinks".into())
        .spawn(move || {
            let _done = DoneOnDrop(done_tx);
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    tracing::error!("alert sinks cannot start: {error}");
                    return;
                }
            };
            runtime.block_on(run(sinks, locale, changes, retry));
        })?;
    Ok(SinksHandle { done, thread })
}

/// Says "done" however the thread ends.
struct DoneOnDrop(crossbeam_channel::Sender<()>);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        let _ = self.0.try_send(());
    }
}

async fn run(
    sinks: Vec<AlertSinkConfig>,
    locale: Locale,
    changes: Receiver<SinkEvent>,
    retry: Retry,
) {
    let client = match reqwest::Client::builder()
        .timeout(retry.timeout)
        .user_agent(concat!("vigie/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!("alert sinks cannot start: {error}");
            return;
        }
    };
    let mut queues = Vec::new();
    let mut workers = Vec::new();
    for sink in sinks {
        let (tx, rx) = mpsc::channel::<SinkEvent>(QUEUE);
        workers.push(tokio::spawn(deliver_all(
            sink.clone(),
            locale,
            client.clone(),
            rx,
            retry,
        )));
        queues.push((sink, tx));
    }
    // The crossbeam receiver blocks: read it on a blocking thread and hand over.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let reader = tokio::task::spawn_blocking(move || {
        for change in changes.iter() {
            if tx.send(change).is_err() {
                break;
            }
        }
    });
    while let Some(change) = rx.recv().await {
        for (sink, queue) in &queues {
            if !sink.wants(&change) {
                continue;
            }
            if queue.try_send(change.clone()).is_err() {
                tracing::warn!(sink = %sink.name, "alert sink queue full: alert dropped");
            }
        }
    }
    drop(queues);
    for worker in workers {
        let _ = worker.await;
    }
    let _ = reader.await;
}

async fn deliver_all(
    sink: AlertSinkConfig,
    locale: Locale,
    client: reqwest::Client,
    mut queue: mpsc::Receiver<SinkEvent>,
    retry: Retry,
) {
    while let Some(change) = queue.recv().await {
        let Some(url) = sink.address() else {
            tracing::error!(
                sink = %sink.name,
                "alert sink has no address: ${} is not set",
                sink.url_env.as_deref().unwrap_or("")
            );
            continue;
        };
        let body = match sink.format {
            SinkFormat::Json => change.to_json(),
            SinkFormat::Slack => serde_json::json!({ "text": slack_text(&change, locale) }),
        };
        deliver(&sink.name, &client, &url, &body, retry).await;
    }
}

/// Posts `body` until a 2xx answer or the last attempt. Returns the number of attempts made.
pub async fn deliver(
    name: &str,
    client: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
    retry: Retry,
) -> u32 {
    let mut wait = retry.first_wait;
    for attempt in 1..=retry.attempts {
        let failure = match client.post(url).json(body).send().await {
            Ok(response) if response.status().is_success() => return attempt,
            Ok(response) => format!("HTTP {}", response.status().as_u16()),
            Err(error) => error.to_string(),
        };
        if attempt == retry.attempts {
            tracing::error!(sink = %name, "alert not delivered after {attempt} attempts: {failure}");
            return attempt;
        }
        tracing::warn!(sink = %name, "alert delivery failed ({failure}), attempt {attempt}/{}, next in {:?}", retry.attempts, wait);
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(retry.max_wait);
    }
    retry.attempts
}

/// The Slack/Mattermost text: severity, summary, and the evidence posts quoted; for an alert
/// the room handled, who and the note.
pub fn slack_text(event: &SinkEvent, locale: Locale) -> String {
    let change = match event {
        SinkEvent::Change(change) => change,
        SinkEvent::Handled(handled) => return handled_text(handled, locale),
    };
    let alert = change.alert();
    let (mark, word) = match (alert.severity, locale) {
        (Severity::Critical, Locale::Fr) => ("🔴", "CRITIQUE"),
        (Severity::Critical, Locale::En) => ("🔴", "CRITICAL"),
        (Severity::Warning, Locale::Fr) => ("🟠", "ATTENTION"),
        (Severity::Warning, Locale::En) => ("🟠", "WARNING"),
        (Severity::Info, Locale::Fr) => ("🔵", "INFO"),
        (Severity::Info, Locale::En) => ("🔵", "INFO"),
    };
    let state = match (change, locale) {
        (AlertChange::Ended(_), Locale::Fr) => " (terminée)",
        (AlertChange::Ended(_), Locale::En) => " (ended)",
        (AlertChange::Updated(_), Locale::Fr) => " (mise à jour)",
        (AlertChange::Updated(_), Locale::En) => " (update)",
        (AlertChange::Raised(_), _) => "",
    };
    let mut text = format!("{mark} *{word}*{state} — {}", alert.summary);
    for post in &alert.evidence {
        let line: String = post
            .text
            .chars()
            .take(200)
            .collect::<String>()
            .replace('\n', " ");
        text.push_str(&format!("\n> @{} ({}): {line}", post.author, post.platform));
        if let Some(url) = &post.url {
            text.push_str(&format!(" <{url}>"));
        }
    }
    text
}

fn handled_text(handled: &Handled, locale: Locale) -> String {
    let time = handled
        .at
        .with_timezone(&chrono::Local)
        .format("%H:%M")
        .to_string();
    let by = &handled.by;
    let summary = &handled.alert.summary;
    match (&handled.resolved, locale) {
        (None, Locale::Fr) => format!("👀 *Pris en charge* par {by} à {time} — {summary}"),
        (None, Locale::En) => format!("👀 *Handled* by {by} at {time} — {summary}"),
        (Some(note), Locale::Fr) if note.is_empty() => {
            format!("✅ *Résolue* par {by} à {time} — {summary}")
        }
        (Some(note), Locale::En) if note.is_empty() => {
            format!("✅ *Resolved* by {by} at {time} — {summary}")
        }
        (Some(note), Locale::Fr) => {
            format!("✅ *Résolue* par {by} à {time} — {summary}\n> {note}")
        }
        (Some(note), Locale::En) => {
            format!("✅ *Resolved* by {by} at {time} — {summary}\n> {note}")
        }
    }
}
