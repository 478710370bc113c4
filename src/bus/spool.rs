//! The hub's disk spool: messages that could not be published (NATS away, a publish not
//! acknowledged) wait here, in order, and are published first when NATS is back. It survives
//! a restart of the hub: what a killed hub had spooled is published by the next one.
//!
//! Two files in the spool folder: `spool.jsonl`, one `Outgoing` per line, appended; and
//! `spool.offset`, how many bytes of it are published. Once all is published both are emptied.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::wire::Outgoing;

const SPOOL_FILE: &str = "spool.jsonl";
const OFFSET_FILE: &str = "spool.offset";

pub struct Spool {
    dir: PathBuf,
    file: File,
    /// Bytes in the spool file.
    len: u64,
    /// Bytes of it already published.
    published: u64,
    /// Lines waiting: known exactly for what this run appended, counted at open for the rest.
    waiting: u64,
}

impl Spool {
    pub fn open(dir: &Path) -> anyhow::Result<Spool> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the spool folder {}", dir.display()))?;
        let path = dir.join(SPOOL_FILE);
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open the spool {}", path.display()))?;
        let len = cut_half_written_line(&file)
            .with_context(|| format!("cannot read the spool {}", path.display()))?;
        let published = std::fs::read_to_string(dir.join(OFFSET_FILE))
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .unwrap_or(0)
            .min(len);
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            file,
            len,
            published,
            waiting: 0,
        };
        spool.waiting = spool.count_waiting();
        Ok(spool)
    }

    fn count_waiting(&mut self) -> u64 {
        let Ok(mut reader) = self.reader() else {
            return 0;
        };
        let mut count = 0;
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            count += 1;
            line.clear();
        }
        count
    }

    fn reader(&self) -> std::io::Result<BufReader<File>> {
        let mut file = File::open(self.dir.join(SPOOL_FILE))?;
        file.seek(SeekFrom::Start(self.published))?;
        Ok(BufReader::new(file))
    }

    pub fn is_empty(&self) -> bool {
        self.published >= self.len
    }

    /// Messages waiting to be published.
    pub fn waiting(&self) -> u64 {
        if self.is_empty() { 0 } else { self.waiting }
    }

    /// Appends messages, in order. An error (a full disk) leaves the spool as it was before
    /// the call: the caller counts them as lost.
    pub fn append(&mut self, messages: &[Outgoing]) -> std::io::Result<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::with_capacity(messages.len() * 512);
        for message in messages {
            serde_json::to_writer(&mut bytes, message)?;
            bytes.push(b'\n');
        }
        if let Err(error) = self.file.write_all(&bytes).and_then(|()| self.file.flush()) {
            // Cut what was half written, so that the next line starts clean.
            let _ = self.file.set_len(self.len);
            return Err(error);
        }
        self.len += bytes.len() as u64;
        self.waiting += messages.len() as u64;
        Ok(())
    }

    /// Up to `max` of the oldest messages not yet published, each with the spool offset after
    /// it, and the offset after the last line read. A line that cannot be read is skipped.
    pub fn peek(&self, max: usize) -> std::io::Result<Peeked> {
        let mut reader = self.reader()?;
        let mut offset = self.published;
        let mut messages = Vec::new();
        let mut line = String::new();
        while messages.len() < max {
            line.clear();
            let read = reader.read_line(&mut line)?;
            if read == 0 {
                break;
            }
            offset += read as u64;
            match serde_json::from_str::<Outgoing>(line.trim_end()) {
                Ok(message) => messages.push((message, offset)),
                Err(error) => {
                    tracing::warn!(%error, offset, "unreadable line in the bus spool skipped");
                }
            }
        }
        Ok(Peeked {
            messages,
            read_to: offset,
        })
    }

    /// Everything up to `offset` is published (`count` messages); once all is, the spool is
    /// emptied.
    pub fn mark_published(&mut self, offset: u64, count: u64) -> std::io::Result<()> {
        self.published = offset.min(self.len);
        self.waiting = self.waiting.saturating_sub(count);
        if self.is_empty() {
            self.file.set_len(0)?;
            self.len = 0;
            self.published = 0;
            self.waiting = 0;
        }
        std::fs::write(self.dir.join(OFFSET_FILE), self.published.to_string())
    }
}

/// What `Spool::peek` read.
pub struct Peeked {
    pub messages: Vec<(Outgoing, u64)>,
    pub read_to: u64,
}

/// A hub killed in the middle of an append leaves half a line at the end: cut it, so that the
/// next append starts on a line of its own. Returns the file's length after.
fn cut_half_written_line(file: &File) -> std::io::Result<u64> {
    use std::io::Read;
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(0);
    }
    // Lines are a few kilobytes: the last newline is in the last megabyte.
    let from = len.saturating_sub(1 << 20);
    let mut tail = Vec::new();
    let mut reader = file;
    reader.seek(SeekFrom::Start(from))?;
    reader.read_to_end(&mut tail)?;
    if tail.last() == Some(&b'\n') {
        return Ok(len);
    }
    let keep = match tail.iter().rposition(|&b| b == b'\n') {
        Some(at) => from + at as u64 + 1,
        None if from == 0 => 0,
        None => return Ok(len),
    };
    file.set_len(keep)?;
    tracing::warn!(
        cut = len - keep,
        "the bus spool ended in a half-written line (the hub was killed): cut"
    );
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u32) -> Outgoing {
        Outgoing {
            subject: "vigie.mention.petit_loup.x".into(),
            id: format!("c/{n}"),
            body: format!("{{\"n\":{n},\"text\":\"ligne\\nsuivante\"}}"),
        }
    }

    #[test]
    fn spooled_messages_come_back_in_order_and_survive_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spool = Spool::open(dir.path()).expect("opens");
        assert!(spool.is_empty());
        spool
            .append(&(0..5).map(message).collect::<Vec<_>>())
            .expect("appended");
        let first = spool.peek(2).expect("read").messages;
        assert_eq!(
            first.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(),
            vec![message(0), message(1)]
        );
        spool.mark_published(first[1].1, 2).expect("marked");
        assert_eq!(spool.waiting(), 3);
        drop(spool);

        // The hub restarts: the three not yet published are still there, and only they.
        let mut spool = Spool::open(dir.path()).expect("reopens");
        assert_eq!(spool.waiting(), 3);
        let rest = spool.peek(10).expect("read").messages;
        assert_eq!(
            rest.iter().map(|(m, _)| m.id.clone()).collect::<Vec<_>>(),
            ["c/2", "c/3", "c/4"]
        );
        spool.mark_published(rest[2].1, 3).expect("marked");
        assert!(spool.is_empty());
        assert_eq!(
            std::fs::metadata(dir.path().join(SPOOL_FILE))
                .expect("file")
                .len(),
            0,
            "an empty spool takes no room"
        );
    }

    #[test]
    fn a_half_written_last_line_is_cut_and_the_next_append_starts_clean() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spool = Spool::open(dir.path()).expect("opens");
        spool.append(&[message(1)]).expect("appended");
        drop(spool);
        let mut file = OpenOptions::new()
            .append(true)
            .open(dir.path().join(SPOOL_FILE))
            .expect("file");
        file.write_all(b"{\"subject\":\"vigie.men")
            .expect("written");
        let mut spool = Spool::open(dir.path()).expect("reopens");
        spool.append(&[message(2)]).expect("appended");
        let read = spool.peek(10).expect("read").messages;
        assert_eq!(
            read.into_iter().map(|(m, _)| m).collect::<Vec<_>>(),
            vec![message(1), message(2)]
        );
    }
}
