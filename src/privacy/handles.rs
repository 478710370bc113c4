//! Who posted, kept off a lobby: @handles hidden but for the brands' own, and a neutral label
//! for the author.

use crate::i18n::Locale;
use crate::text::fold;

/// The text with every @handle written as "@…", but for the handles in `keep` (folded, such as
/// the brands' own): a lobby must not show who posted, nor whom they answered.
pub fn hide_handles(text: &str, keep: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        let starts_handle = c == '@'
            && previous.is_none_or(|p| !p.is_alphanumeric())
            && chars
                .peek()
                .is_some_and(|(_, n)| n.is_alphanumeric() || *n == '_');
        if !starts_handle {
            out.push(c);
            previous = Some(c);
            continue;
        }
        let mut end = start + 1;
        while let Some(&(i, n)) = chars.peek() {
            // Handles hold letters, digits, `_`, `.` and `@domain`; a final dot ends a sentence.
            if n.is_alphanumeric() || matches!(n, '_' | '.' | '@' | '-') {
                end = i + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let mut handle = &text[start + 1..end];
        let trailing = handle.len() - handle.trim_end_matches(['.', '-']).len();
        handle = &handle[..handle.len() - trailing];
        if keep.contains(&fold(handle)) {
            out.push('@');
            out.push_str(handle);
        } else {
            out.push_str("@…");
        }
        out.push_str(&text[end - trailing..end]);
        previous = text[..end].chars().next_back();
    }
    out
}

/// The handles a lobby keeps readable: the brands' names, folded and squashed ("Petit Loup"
/// keeps "@petitloup").
pub fn brand_handles<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    names
        .into_iter()
        .map(|name| fold(name).chars().filter(|c| c.is_alphanumeric()).collect())
        .collect()
}

/// What a lobby card shows instead of the author: a neutral label.
pub fn neutral_author(locale: Locale) -> &'static str {
    match locale {
        Locale::Fr => "un internaute",
        Locale::En => "a member of the public",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_hidden_but_the_brands_and_emails_are_not_handles() {
        let keep = vec!["petitloup".to_string()];
        assert_eq!(
            hide_handles("@lea_12 Bonjour Léa, merci ! @PetitLoup", &keep),
            "@… Bonjour Léa, merci ! @PetitLoup"
        );
        assert_eq!(hide_handles("vu par @lou@piaille.fr.", &keep), "vu par @….",);
        assert_eq!(
            hide_handles("écrire à service@petitloup.fr ou @ bientôt", &keep),
            "écrire à service@petitloup.fr ou @ bientôt"
        );
    }
}
