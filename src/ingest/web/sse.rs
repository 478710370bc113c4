//! Server-sent events (the WHATWG `text/event-stream` format), parsed incrementally from the
//! chunks of a response: `event:`, `data:` (several lines joined by `\n`), `id:`, comments
//! (`:thump`, Mastodon's heartbeat), and any of `\n`, `\r\n` or `\r` as line end, even when a
//! chunk boundary falls inside one. An event larger than the limit is skipped whole and
//! reported, never kept in memory.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `message` when the server named none.
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

/// What the parser hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    Event(SseEvent),
    /// A comment line: the server is alive.
    Heartbeat,
    /// An event longer than the limit was skipped.
    Oversized {
        bytes: usize,
    },
}

pub struct SseParser {
    max_event: usize,
    /// Bytes of the line not yet ended.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` starting this one belongs to it.
    after_cr: bool,
    event: String,
    data: String,
    id: Option<String>,
    has_data: bool,
    /// Bytes of the event in progress, counted to enforce `max_event`.
    event_bytes: usize,
    oversized: bool,
}

impl SseParser {
    pub fn new(max_event: usize) -> Self {
        Self {
            max_event,
            line: Vec::new(),
            after_cr: false,
            event: String::new(),
            data: String::new(),
            id: None,
            has_data: false,
            event_bytes: 0,
            oversized: false,
        }
    }

    /// Feeds a chunk; the complete items it ends go to `out`.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut Vec<SseItem>) {
        if self.after_cr && chunk.first() == Some(&b'\n') {
            chunk = &chunk[1..];
        }
        self.after_cr = false;
        while let Some(end) = chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
            let is_cr = chunk[end] == b'\r';
            let (head, tail) = chunk.split_at(end);
            self.take_line_part(head);
            let line = std::mem::take(&mut self.line);
            self.line_ended(&line, out);
            self.line = line;
            self.line.clear();
            chunk = &tail[1..];
            if is_cr {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
        }
        self.take_line_part(chunk);
    }

    fn take_line_part(&mut self, part: &[u8]) {
        self.event_bytes += part.len();
        if self.event_bytes > self.max_event {
            self.oversized = true;
        }
        if !self.oversized {
            self.line.extend_from_slice(part);
        }
    }

    fn line_ended(&mut self, line: &[u8], out: &mut Vec<SseItem>) {
        if line.is_empty() && !self.oversized {
            self.dispatch(out);
            return;
        }
        if self.oversized {
            if line.is_empty() {
                out.push(SseItem::Oversized {
                    bytes: self.event_bytes,
                });
                self.reset_event();
            }
            return;
        }
        let line = String::from_utf8_lossy(line);
        if let Some(_comment) = line.strip_prefix(':') {
            if !self.has_data {
                self.event_bytes = 0;
            }
            out.push(SseItem::Heartbeat);
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            // `retry` and unknown fields: the reconnect delay is the supervisor's.
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseItem>) {
        if self.has_data {
            let event = if self.event.is_empty() {
                "message".to_string()
            } else {
                std::mem::take(&mut self.event)
            };
            out.push(SseItem::Event(SseEvent {
                event,
                data: std::mem::take(&mut self.data),
                id: self.id.clone(),
            }));
        }
        self.reset_event();
    }

    fn reset_event(&mut self) {
        self.event.clear();
        self.data.clear();
        self.has_data = false;
        self.event_bytes = 0;
        self.oversized = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_chunks(input: &[u8], chunk: usize, max: usize) -> Vec<SseItem> {
        let mut parser = SseParser::new(max);
        let mut out = Vec::new();
        for part in input.chunks(chunk) {
            parser.push(part, &mut out);
        }
        out
    }

    fn event(name: &str, data: &str) -> SseItem {
        SseItem::Event(SseEvent {
            event: name.into(),
            data: data.into(),
            id: None,
        })
    }

    #[test]
    fn events_split_anywhere_read_the_same() {
        let input = b":thump\r\nevent: update\r\ndata: {\"a\":1}\r\n\r\nevent: delete\rdata: 42\r\revent:x\ndata:l1\ndata: l2\n\ndata: plain\n\n";
        let expected = vec![
            SseItem::Heartbeat,
            event("update", "{\"a\":1}"),
            event("delete", "42"),
            event("x", "l1\nl2"),
            event("message", "plain"),
        ];
        for chunk in [1, 2, 3, 7, input.len()] {
            assert_eq!(
                parse_in_chunks(input, chunk, 1024),
                expected,
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn an_oversized_event_is_skipped_and_the_next_one_is_read() {
        let mut input = b"event: update\ndata: ".to_vec();
        input.extend(std::iter::repeat_n(b'x', 5000));
        input.extend_from_slice(b"\n\nevent: delete\ndata: 7\n\n");
        let items = parse_in_chunks(&input, 1000, 1024);
        assert!(matches!(items[0], SseItem::Oversized { bytes } if bytes > 5000));
        assert_eq!(items[1], event("delete", "7"));
        assert_eq!(items.len(), 2);
    }
}
