//! HTML to plain text, for Mastodon statuses and feed summaries: the wall shows words, not
//! markup. Paragraphs and line breaks become line breaks, links keep their text, Mastodon's
//! hidden link parts (`<span class="invisible">https://</span>`) are dropped, and character
//! references are decoded. Not a full HTML parser: these are short, machine-written fragments.

/// Plain text of an HTML fragment, with runs of blank space folded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Depth inside `<span class="invisible">`, whose text Mastodon hides.
    let mut hidden = 0usize;
    // Depth of spans opened inside a hidden one, so its own `</span>` is recognised.
    let mut span_depth = 0usize;
    let mut hidden_at: Vec<usize> = Vec::new();
    while let Some(start) = rest.find('<') {
        if hidden == 0 {
            push_text(&mut out, &rest[..start]);
        }
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            // A lone '<' is text.
            if hidden == 0 {
                push_text(&mut out, &rest[start..]);
            }
            rest = "";
            break;
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("span", false) => {
                span_depth += 1;
                if tag.contains("invisible") {
                    hidden += 1;
                    hidden_at.push(span_depth);
                }
            }
            ("span", true) => {
                if hidden_at.last() == Some(&span_depth) {
                    hidden_at.pop();
                    hidden -= 1;
                }
                span_depth = span_depth.saturating_sub(1);
            }
            ("br", _) | ("p", true) | ("li", false) | ("div", true) | ("blockquote", _)
                if hidden == 0 =>
            {
                out.push('\n');
            }
            ("script" | "style", false) => {
                // Never text: skip to the closing tag.
                let close = format!("</{name}");
                rest = rest
                    .to_ascii_lowercase()
                    .find(&close)
                    .and_then(|at| rest[at..].find('>').map(|gt| &rest[at + gt + 1..]))
                    .unwrap_or("");
            }
            _ => {}
        }
    }
    if hidden == 0 {
        push_text(&mut out, rest);
    }
    fold_space(&out)
}

fn push_text(out: &mut String, text: &str) {
    decode_entities_into(out, text);
}

/// Decodes character references (`&amp;`, `&#39;`, `&#x1F600;`, the common named ones).
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    decode_entities_into(&mut out, text);
    out
}

fn decode_entities_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| decode_reference(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn decode_reference(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "ndash" => '–',
        "mdash" => '—',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "ccedil" => 'ç',
        "ecirc" => 'ê',
        "euro" => '€',
        _ => return None,
    })
}

/// Folds spaces and tabs into one, keeps at most one blank line, trims the ends.
fn fold_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut newlines = 0;
    for c in text.chars() {
        if c == '\n' {
            newlines += 1;
            pending_space = false;
        } else if c.is_whitespace() && c != '\u{a0}' {
            pending_space = true;
        } else {
            if !out.is_empty() {
                if newlines > 0 {
                    out.push_str(if newlines > 1 { "\n\n" } else { "\n" });
                } else if pending_space {
                    out.push(' ');
                }
            }
            newlines = 0;
            pending_space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mastodon_status_reads_as_its_words() {
        let html = r#"<p>J&#39;adore <a href="https://mastodon.social/tags/PetitLoup" class="mention hashtag" rel="tag">#<span>PetitLoup</span></a> &amp; leurs pyjamas !</p><p>Voir <a href="https://example.com/a/very/long/path" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very</span><span class="invisible">/long/path</span></a><br>merci</p>"#;
        assert_eq!(
            html_to_text(html),
            "J'adore #PetitLoup & leurs pyjamas !\nVoir example.com/a/very\nmerci"
        );
    }

    #[test]
    fn references_and_stray_ampersands() {
        assert_eq!(
            decode_entities("a &lt;b&gt; &#x1F600; &eacute;t&eacute; AT&T"),
            "a <b> 😀 été AT&T"
        );
        assert_eq!(html_to_text("1 < 2 &unknown; x"), "1 < 2 &unknown; x");
        assert_eq!(html_to_text("<script>alert(1)</script>ok"), "ok");
    }
}
