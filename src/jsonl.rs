//! Writes a channel's items to a JSON Lines file on a thread of its own, so that a slow or full
//! disk never holds up the sources or the analysis. Lines are appended (an existing recording is
//! never overwritten) and flushed after each burst, so a killed process loses at most the burst
//! in flight. A write error is logged with the file's path, and writing is tried again with the
//! next item: the program goes on.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::thread::JoinHandle;

use anyhow::Context;
use crossbeam_channel::Receiver;

pub struct JsonlWriter {
    thread: JoinHandle<u64>,
}

impl JsonlWriter {
    /// Opens (creating) `path` for appending and writes every item `rx` receives until every
    /// sender is gone.
    pub fn start<T: Send + 'static>(
        path: &Path,
        rx: Receiver<T>,
        line: fn(&T) -> serde_json::Result<String>,
    ) -> anyhow::Result<JsonlWriter> {
        Self::start_settled(path, rx, line, drop)
    }

    /// `start`, and each item written is then handed to `written` once its line is flushed
    /// (an acknowledgement is committed there); an item not written is dropped.
    pub fn start_settled<T: Send + 'static>(
        path: &Path,
        rx: Receiver<T>,
        line: fn(&T) -> serde_json::Result<String>,
        settled: fn(T),
    ) -> anyhow::Result<JsonlWriter> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {} for writing", path.display()))?;
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("vigie-jsonl".into())
            .spawn(move || write_all(&path, file, rx, line, settled))
            .context("cannot start the writer thread")?;
        Ok(JsonlWriter { thread })
    }

    /// Waits for the writer to drain (its senders must be dropped first); the lines written.
    pub fn finish(self) -> u64 {
        self.thread.join().unwrap_or(0)
    }
}

fn write_all<T>(
    path: &Path,
    file: File,
    rx: Receiver<T>,
    line: fn(&T) -> serde_json::Result<String>,
    settled: fn(T),
) -> u64 {
    let mut out = BufWriter::new(file);
    let mut written = 0u64;
    let mut failures = 0u64;
    let mut unflushed = Vec::new();
    while let Ok(first) = rx.recv() {
        for item in std::iter::once(first).chain(rx.try_iter()) {
            // An empty line is an item that has none (nothing written, still settled).
            let result = line(&item).map_err(std::io::Error::other).and_then(|text| {
                if text.is_empty() {
                    Ok(())
                } else {
                    writeln!(out, "{text}")
                }
            });
            match result {
                Ok(()) => {
                    written += 1;
                    unflushed.push(item);
                }
                Err(error) => {
                    failures += 1;
                    if crate::sparse_log::worth_logging(failures) {
                        tracing::error!(file = %path.display(), failures, "cannot write: {error}");
                    }
                }
            }
        }
        match out.flush() {
            Ok(()) => unflushed.drain(..).for_each(settled),
            Err(error) => {
                unflushed.clear();
                tracing::error!(file = %path.display(), "cannot write: {error}");
            }
        }
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_and_counted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "{\"kept\":true}\n").expect("write");
        let (tx, rx) = crossbeam_channel::unbounded::<u32>();
        let writer = JsonlWriter::start(&path, rx, serde_json::to_string).expect("opens");
        for n in 0..3 {
            tx.send(n).expect("send");
        }
        drop(tx);
        assert_eq!(writer.finish(), 3);
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{\"kept\":true}\n0\n1\n2\n"
        );
    }
}
