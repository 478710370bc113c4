//! Lobby approval: a layout with `approval = true` shows in its streams only the posts the room
//! approved on the control page, or that an auto-approve rule lets through:
//!
//! ```toml
//! approval = true
//! [auto_approve]
//! own_accounts = true               # the brand's own accounts ([[brands]] accounts)
//! positive_from_followers = 10000   # positive posts of authors with at least this many
//! ```
//!
//! Approval comes on top of the lobby's own filter, never instead: an approved post that the
//! lobby's lists keep off stays off.

use serde::Deserialize;
use toml::Spanned;

use crate::config::Config;
use crate::model::{EnrichedMention, Tone};

/// What a layout that asks for approval lets through without the room.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Approval {
    /// Handles of the own brand's accounts (lower case, no `@`), when their posts pass.
    pub own_accounts: Vec<String>,
    /// Positive posts of authors with at least this many followers pass.
    pub positive_from_followers: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAutoApprove {
    own_accounts: Option<bool>,
    positive_from_followers: Option<Spanned<u64>>,
}

/// The most followers a rule may ask for: beyond, it is a typo.
const MAX_FOLLOWERS: u64 = 1_000_000_000;

impl Approval {
    /// Reads `approval` and `[auto_approve]`; an error for an `[auto_approve]` without
    /// `approval = true`, or a bound out of range.
    pub(super) fn read(
        approval: Option<bool>,
        auto: Option<&Spanned<RawAutoApprove>>,
        config: &Config,
        mut error: impl FnMut(Option<std::ops::Range<usize>>, String),
    ) -> Option<Approval> {
        if approval != Some(true) {
            if let Some(auto) = auto {
                error(
                    Some(auto.span()),
                    "[auto_approve] needs `approval = true`: without it every post is shown".into(),
                );
            }
            return None;
        }
        let Some(auto) = auto else {
            return Some(Approval::default());
        };
        let auto = auto.get_ref();
        let own_accounts = if auto.own_accounts == Some(true) {
            let accounts = config
                .brands
                .iter()
                .find(|b| b.own)
                .map(|b| b.accounts.clone())
                .unwrap_or_default();
            if accounts.is_empty() {
                error(
                    None,
                    "[auto_approve] own_accounts: the own brand lists no `accounts` in config.toml"
                        .into(),
                );
            }
            accounts
        } else {
            Vec::new()
        };
        let positive_from_followers = auto.positive_from_followers.as_ref().and_then(|n| {
            if (1..=MAX_FOLLOWERS).contains(n.get_ref()) {
                Some(*n.get_ref())
            } else {
                error(
                    Some(n.span()),
                    format!("positive_from_followers is from 1 to {MAX_FOLLOWERS}"),
                );
                None
            }
        });
        Some(Approval {
            own_accounts,
            positive_from_followers,
        })
    }

    /// Whether a rule lets `mention` through without the room.
    pub fn auto_approves(&self, mention: &EnrichedMention) -> bool {
        let author = &mention.mention.author;
        let handle = author.handle.trim_start_matches('@');
        let own = self
            .own_accounts
            .iter()
            .any(|account| account.eq_ignore_ascii_case(handle));
        let known_and_positive = self
            .positive_from_followers
            .is_some_and(|min| mention.tone == Tone::Positive && author.reach >= min);
        own || known_and_positive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_accounts_and_positive_posts_of_known_authors_pass_and_nothing_else() {
        let rules = Approval {
            own_accounts: vec!["petitloup".into()],
            positive_from_followers: Some(10_000),
        };
        let post = |handle: &str, reach: u64, tone: Tone| {
            let mut card = crate::model::test_card("p", "texte");
            card.mention.author.handle = handle.into();
            card.mention.author.reach = reach;
            card.tone = tone;
            card
        };
        assert!(rules.auto_approves(&post("@PetitLoup", 0, Tone::Negative)));
        assert!(rules.auto_approves(&post("lea", 10_000, Tone::Positive)));
        assert!(!rules.auto_approves(&post("lea", 9_999, Tone::Positive)));
        assert!(!rules.auto_approves(&post("lea", 500_000, Tone::Neutral)));
        assert!(!rules.auto_approves(&post("petitloup_fan", 0, Tone::Positive)));
        assert!(!Approval::default().auto_approves(&post("petitloup", 1_000_000, Tone::Positive)));
    }

    fn shipped() -> Config {
        Config::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
            .expect("the shipped config")
    }

    const SCREEN: &str = "\n[[screen]]\nname = \"main\"\nareas = \"stream\"\n\
                          [screen.tiles.stream]\nkind = \"stream\"\n";

    #[test]
    fn approval_and_its_rules_are_read_from_the_layout_and_errors_are_located() {
        let config = shipped();
        let path = std::path::Path::new("lobby.toml");
        let parse = |head: &str| {
            let text = format!("{head}{SCREEN}");
            crate::layout::Layout::parse(path, &text, &config)
        };
        let layout = parse(
            "approval = true\n[auto_approve]\nown_accounts = true\npositive_from_followers = 5000\n",
        )
        .expect("reads");
        assert_eq!(
            layout.approval,
            Some(Approval {
                own_accounts: vec!["petitloup".into()],
                positive_from_followers: Some(5000),
            })
        );
        assert_eq!(parse("").expect("reads").approval, None);
        assert_eq!(
            parse("approval = true\n").expect("reads").approval,
            Some(Approval::default())
        );
        let errors = parse("[auto_approve]\nown_accounts = true\n").expect_err("no approval");
        assert!(
            errors.to_string().contains("lobby.toml:1:")
                && errors.to_string().contains("approval = true"),
            "{errors}"
        );
        let errors = parse("approval = true\n[auto_approve]\npositive_from_followers = 0\n")
            .expect_err("a zero bound");
        assert!(errors.to_string().contains("lobby.toml:3:"), "{errors}");
        let errors = parse("approval = true\n[auto_approve]\nfollowers = 10\n")
            .expect_err("an unknown rule");
        assert!(errors.to_string().contains("followers"), "{errors}");
    }
}
