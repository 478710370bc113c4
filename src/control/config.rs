//! `[control]`: where the control page listens, who may log in and with which role, and the
//! variable holding the automation token. There is no default user: without one the page does
//! not start, and `vigie check` says so.

use std::net::SocketAddr;

use serde::Deserialize;
use toml::Spanned;

use crate::config::{ConfigError, SourceText};

/// What a user may do. Each role can do all that the ones before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees the page: the screens, the alerts, the posts, the figures.
    Viewer,
    /// Acts on the wall: acknowledges and resolves alerts, pins, hides, blocks, approves,
    /// switches layouts, writes the banner, drives the pages.
    Operator,
    /// An operator who may also put the lobby screens on their safe layout and change the
    /// auto-approval rules.
    Admin,
}

impl Role {
    pub const NAMES: [&'static str; 3] = ["viewer", "operator", "admin"];

    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "viewer" => Some(Role::Viewer),
            "operator" => Some(Role::Operator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ControlUser {
    pub name: String,
    pub role: Role,
    /// An argon2 hash in its PHC form (`$argon2id$v=19$…`), as `vigie passwd` prints it.
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ControlConfig {
    pub listen: SocketAddr,
    pub users: Vec<ControlUser>,
    /// The environment variable whose value is the API token (`Authorization: Bearer`).
    pub token_env: Option<String>,
    /// Marks the session cookie `Secure`: set it when the page is served over HTTPS by a
    /// reverse proxy, so that the browser never sends the cookie in clear.
    pub secure_cookies: bool,
}

impl Default for ControlConfig {
    fn default() -> Self {
        ControlConfig {
            listen: default_listen(),
            users: Vec::new(),
            token_env: None,
            secure_cookies: false,
        }
    }
}

impl ControlConfig {
    /// Why the page does not start, when it does not.
    pub fn why_off(&self) -> Option<&'static str> {
        self.users.is_empty().then_some(
            "no [[control.users]] in the config: the control page does not start (add one with \
             the hash `vigie passwd` prints)",
        )
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8788))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawControl {
    listen: Option<Spanned<String>>,
    #[serde(default)]
    users: Vec<Spanned<RawUser>>,
    token_env: Option<Spanned<String>>,
    #[serde(default)]
    secure_cookies: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    name: Spanned<String>,
    role: Spanned<String>,
    password_hash: Spanned<String>,
}

/// Checks `[control]`; every user's errors are reported, each at its line.
pub(crate) fn validate(
    source: &SourceText,
    raw: RawControl,
) -> Result<ControlConfig, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let listen = match raw.listen {
        None => default_listen(),
        Some(text) => match text.get_ref().parse::<SocketAddr>() {
            Ok(address) => address,
            Err(_) => {
                errors.push(source.error_at(
                    Some(text.span()),
                    format!(
                        "[control] listen = \"{}\" is not an address and port such as \
                         \"127.0.0.1:8788\"",
                        text.get_ref()
                    ),
                ));
                default_listen()
            }
        },
    };
    let mut users: Vec<ControlUser> = Vec::new();
    for user in raw.users {
        let span = user.span();
        let user = user.into_inner();
        let name = user.name.get_ref().trim().to_string();
        if name.is_empty() || name.chars().any(|c| c.is_control()) {
            errors.push(source.error_at(
                Some(user.name.span()),
                "[[control.users]] name must be a non-empty name without control characters",
            ));
        } else if users.iter().any(|u| u.name == name) {
            errors.push(source.error_at(
                Some(span.clone()),
                format!("[[control.users]] '{name}' is listed twice"),
            ));
        }
        let role = Role::parse(user.role.get_ref()).unwrap_or_else(|| {
            errors.push(source.error_at(
                Some(user.role.span()),
                format!(
                    "[[control.users]] '{name}': role '{}' is not one of {}",
                    user.role.get_ref(),
                    Role::NAMES.join(", ")
                ),
            ));
            Role::Viewer
        });
        let hash = user.password_hash.get_ref().trim().to_string();
        if let Err(problem) = super::auth::check_hash(&hash) {
            errors.push(source.error_at(
                Some(user.password_hash.span()),
                format!(
                    "[[control.users]] '{name}': password_hash {problem}: write the line \
                     `vigie passwd` prints"
                ),
            ));
        }
        users.push(ControlUser {
            name,
            role,
            password_hash: hash,
        });
    }
    let token_env = match raw.token_env {
        None => None,
        Some(name) => {
            let valid = !name.get_ref().is_empty()
                && name
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                errors.push(source.error_at(
                    Some(name.span()),
                    "[control] token_env must be the name of an environment variable \
                     (letters, digits and '_')",
                ));
            }
            Some(name.into_inner())
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ControlConfig {
        listen,
        users,
        token_env,
        secure_cookies: raw.secure_cookies,
    })
}
