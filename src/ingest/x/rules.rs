//! The filtered stream's rules, kept in step with the brands: one rule per brand (its
//! keywords, `OR`-ed, retweets left out), tagged `vigie:<brand>`. At each connection the rules
//! X holds are read; ours that no brand asks for any more are deleted, the missing ones added,
//! and rules that another tool added (any other tag) are left alone. `vigie check` sends the
//! same additions with `dry_run=true`, so a rule X would refuse is known before the wall runs.

use serde::{Deserialize, Serialize};

use crate::config::BrandConfig;
use crate::ingest::web::http::{self, Limits};

/// Tags of the rules this wall owns.
pub const TAG_PREFIX: &str = "vigie:";
/// X's longest rule on the Pro tier (512 on the others).
pub const MAX_RULE_CHARS: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub value: String,
    #[serde(default)]
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HeldRule {
    pub id: String,
    pub value: String,
    #[serde(default)]
    pub tag: String,
}

/// The rules the brands ask for; `custom` rules (X's syntax, as the user wrote them) instead
/// when given.
pub fn desired(brands: &[BrandConfig], custom: &[String]) -> Vec<Rule> {
    if !custom.is_empty() {
        return custom
            .iter()
            .enumerate()
            .map(|(i, value)| Rule {
                value: value.clone(),
                tag: format!("{TAG_PREFIX}rule {}", i + 1),
            })
            .collect();
    }
    brands
        .iter()
        .filter_map(|brand| {
            let mut terms: Vec<String> = Vec::new();
            for keyword in &brand.keywords {
                let keyword = keyword.trim().to_lowercase();
                // `@handle` and `#tag` are X operators; a phrase is quoted.
                let term = if keyword.contains(char::is_whitespace) {
                    format!("\"{}\"", keyword.trim_start_matches(['@', '#']))
                } else {
                    keyword
                };
                if term.len() > 1 && !terms.contains(&term) {
                    terms.push(term);
                }
            }
            (!terms.is_empty()).then(|| Rule {
                value: format!("({}) -is:retweet", terms.join(" OR ")),
                tag: format!("{TAG_PREFIX}{}", brand.name),
            })
        })
        .collect()
}

/// What to change so that X holds `desired`: our rules no longer wanted (ids), and the
/// wanted ones it does not hold.
pub fn diff(held: &[HeldRule], desired: &[Rule]) -> (Vec<Rule>, Vec<String>) {
    let add = desired
        .iter()
        .filter(|rule| !held.iter().any(|h| h.value == rule.value))
        .cloned()
        .collect();
    let delete = held
        .iter()
        .filter(|h| h.tag.starts_with(TAG_PREFIX))
        .filter(|h| !desired.iter().any(|rule| rule.value == h.value))
        .map(|h| h.id.clone())
        .collect();
    (add, delete)
}

#[derive(Deserialize)]
struct RawRules {
    #[serde(default)]
    data: Vec<HeldRule>,
}

#[derive(Deserialize)]
struct RawChange {
    #[serde(default)]
    errors: Vec<RawRuleError>,
}

#[derive(Deserialize)]
struct RawRuleError {
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    details: Vec<String>,
    #[serde(default)]
    title: String,
}

/// The rules endpoint of one X API.
pub struct RulesApi<'a> {
    pub client: &'a reqwest::Client,
    pub base_url: &'a str,
    pub token: &'a str,
    pub token_env: &'a str,
    pub limits: &'a Limits,
}

impl RulesApi<'_> {
    fn url(&self) -> String {
        format!("{}/2/tweets/search/stream/rules", self.base_url)
    }

    pub async fn held(&self) -> anyhow::Result<Vec<HeldRule>> {
        let request = self.client.get(self.url()).bearer_auth(self.token);
        let response = http::send(request, self.limits).await?;
        let response = http::check(response, Some(self.token_env))?;
        let body = http::read_body(response, self.limits).await?;
        let raw: RawRules = serde_json::from_slice(&body)
            .map_err(|e| anyhow::anyhow!("X rules unreadable: {e}"))?;
        Ok(raw.data)
    }

    /// Adds `rules` (only checks them with `dry_run`); each refusal as "rule: why".
    pub async fn add(&self, rules: &[Rule], dry_run: bool) -> anyhow::Result<Vec<String>> {
        if rules.is_empty() {
            return Ok(Vec::new());
        }
        let body = serde_json::json!({ "add": rules });
        self.change(body, dry_run).await
    }

    pub async fn delete(&self, ids: &[String]) -> anyhow::Result<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.change(serde_json::json!({ "delete": { "ids": ids } }), false)
            .await
    }

    async fn change(&self, body: serde_json::Value, dry_run: bool) -> anyhow::Result<Vec<String>> {
        let mut request = self
            .client
            .post(self.url())
            .bearer_auth(self.token)
            .json(&body);
        if dry_run {
            request = request.query(&[("dry_run", "true")]);
        }
        let response = http::send(request, self.limits).await?;
        // A refused rule comes back as a 400 with the reasons in the body.
        let refused = response.status() == reqwest::StatusCode::BAD_REQUEST;
        let response = if refused {
            response
        } else {
            http::check(response, Some(self.token_env))?
        };
        let body = http::read_body(response, self.limits).await?;
        let raw: RawChange = serde_json::from_slice(&body)
            .map_err(|e| anyhow::anyhow!("X rules answer unreadable: {e}"))?;
        Ok(raw
            .errors
            .into_iter()
            .map(|e| {
                let why = if e.details.is_empty() {
                    e.title
                } else {
                    e.details.join("; ")
                };
                match e.value {
                    Some(value) => format!("rule '{value}': {why}"),
                    None => why,
                }
            })
            .collect())
    }

    /// Makes X hold `desired`; the refusals, if any.
    pub async fn sync(&self, desired: &[Rule]) -> anyhow::Result<Vec<String>> {
        let held = self.held().await?;
        let (add, delete) = diff(&held, desired);
        let mut refused = self.delete(&delete).await?;
        refused.extend(self.add(&add, false).await?);
        Ok(refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand(name: &str, keywords: &[&str]) -> BrandConfig {
        BrandConfig {
            name: name.into(),
            own: false,
            color: "#ffffff".into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            exclude: Vec::new(),
            accounts: Vec::new(),
        }
    }

    #[test]
    fn one_rule_per_brand_and_only_ours_are_touched() {
        let rules = desired(
            &[brand(
                "Petit Loup",
                &["Petit Loup", "#PetitLoup", "@petitloup"],
            )],
            &[],
        );
        assert_eq!(
            rules,
            [Rule {
                value: "(\"petit loup\" OR #petitloup OR @petitloup) -is:retweet".into(),
                tag: "vigie:Petit Loup".into()
            }]
        );
        let held = [
            HeldRule {
                id: "1".into(),
                value: rules[0].value.clone(),
                tag: "vigie:Petit Loup".into(),
            },
            HeldRule {
                id: "2".into(),
                value: "(mini mousse) -is:retweet".into(),
                tag: "vigie:Mini Mousse".into(),
            },
            HeldRule {
                id: "3".into(),
                value: "from:someone".into(),
                tag: "another tool".into(),
            },
        ];
        let wanted = [
            rules[0].clone(),
            Rule {
                value: "bebe cargo".into(),
                tag: "vigie:Bébé Cargo".into(),
            },
        ];
        let (add, delete) = diff(&held, &wanted);
        assert_eq!(add, [wanted[1].clone()]);
        assert_eq!(delete, ["2"], "ours no longer wanted; another tool's kept");
    }
}
