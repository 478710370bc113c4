//! Who is asking: passwords checked against their argon2 hashes, sessions held by an HttpOnly
//! cookie with a CSRF token each, failed logins limited per address, and the automation token.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::OsRng;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use rand::RngCore;

use super::config::{ControlUser, Role};

/// A session ends this long after its login, whatever is done with it.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; the oldest goes first (a phone logging in again and again).
const MAX_SESSIONS: usize = 1_000;
/// Failed logins from one address within `FAILURE_WINDOW` before it must wait.
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses whose failures are remembered at most (an address beyond is let through to the
/// password check, which costs the asker as much as it costs us).
const MAX_TRACKED: usize = 10_000;

/// The PHC string `vigie passwd` prints for `password`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| anyhow::anyhow!("cannot hash the password: {error}"))?;
    Ok(hash.to_string())
}

/// Whether `hash` is an argon2 hash in its PHC form; what is wrong with it otherwise.
pub fn check_hash(hash: &str) -> Result<(), String> {
    let parsed = PasswordHash::new(hash).map_err(|_| "is not a PHC string".to_string())?;
    if !parsed.algorithm.as_str().starts_with("argon2") {
        return Err(format!("uses {}, not argon2", parsed.algorithm.as_str()));
    }
    if parsed.hash.is_none() || parsed.salt.is_none() {
        return Err("has no salt or no hash".to_string());
    }
    Ok(())
}

/// The configured users, and the password check.
pub struct Users {
    users: Vec<ControlUser>,
    /// Checked when the name is unknown, so that an unknown name takes as long to refuse as a
    /// wrong password.
    decoy: String,
}

impl Users {
    pub fn new(users: Vec<ControlUser>) -> anyhow::Result<Users> {
        Ok(Users {
            users,
            decoy: hash_password("not a password of anyone")?,
        })
    }

    /// The user's name and role when `password` is theirs. Slow on purpose (argon2): call it
    /// off the async threads.
    pub fn check(&self, name: &str, password: &str) -> Option<(String, Role)> {
        let user = self.users.iter().find(|u| u.name == name);
        let hash = user.map_or(self.decoy.as_str(), |u| u.password_hash.as_str());
        let parsed = PasswordHash::new(hash).ok()?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        match user {
            Some(user) if matches => Some((user.name.clone(), user.role)),
            _ => None,
        }
    }
}

/// A logged-in user.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: String,
    pub role: Role,
    /// Sent back with every form and every call from the page (`X-CSRF-Token`): another site
    /// can make the browser send the cookie, not read this.
    pub csrf: String,
    pub started: Instant,
}

#[derive(Default)]
pub struct Sessions {
    by_token: HashMap<String, Session>,
    order: VecDeque<String>,
}

impl Sessions {
    /// A new session for `user`: its cookie token and the session.
    pub fn open(&mut self, user: String, role: Role, now: Instant) -> (String, Session) {
        while self.by_token.len() >= MAX_SESSIONS {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.by_token.remove(&oldest);
                }
                None => break,
            }
        }
        let token = random_token();
        let session = Session {
            user,
            role,
            csrf: random_token(),
            started: now,
        };
        self.by_token.insert(token.clone(), session.clone());
        self.order.push_back(token.clone());
        (token, session)
    }

    /// The session of a cookie token, while it lasts.
    pub fn get(&mut self, token: &str, now: Instant) -> Option<Session> {
        let session = self.by_token.get(token)?;
        if now.duration_since(session.started) > SESSION_LIFETIME {
            self.close(token);
            return None;
        }
        Some(session.clone())
    }

    pub fn close(&mut self, token: &str) {
        if self.by_token.remove(token).is_some() {
            self.order.retain(|t| t != token);
        }
    }
}

/// Failed logins per address.
#[derive(Default)]
pub struct LoginLimiter {
    failures: HashMap<IpAddr, VecDeque<Instant>>,
}

impl LoginLimiter {
    /// How long `address` must wait before it may try again; `None` when it may now.
    pub fn wait(&mut self, address: IpAddr, now: Instant) -> Option<Duration> {
        let failures = self.failures.get_mut(&address)?;
        while failures
            .front()
            .is_some_and(|at| now.duration_since(*at) >= FAILURE_WINDOW)
        {
            failures.pop_front();
        }
        if failures.is_empty() {
            self.failures.remove(&address);
            return None;
        }
        if failures.len() < MAX_FAILURES {
            return None;
        }
        let oldest = *failures.front()?;
        Some(FAILURE_WINDOW.saturating_sub(now.duration_since(oldest)))
    }

    pub fn failed(&mut self, address: IpAddr, now: Instant) {
        if self.failures.len() >= MAX_TRACKED && !self.failures.contains_key(&address) {
            self.failures.retain(|_, f| {
                f.back()
                    .is_some_and(|at| now.duration_since(*at) < FAILURE_WINDOW)
            });
            if self.failures.len() >= MAX_TRACKED {
                return;
            }
        }
        let failures = self.failures.entry(address).or_default();
        failures.push_back(now);
        while failures.len() > MAX_FAILURES {
            failures.pop_front();
        }
    }

    pub fn succeeded(&mut self, address: IpAddr) {
        self.failures.remove(&address);
    }
}

/// 32 random bytes in hex, from the thread's cryptographic generator.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in a time that does not depend on where they first differ.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    let mut difference = given.len() ^ expected.len();
    for (i, byte) in expected.iter().enumerate() {
        difference |= usize::from(given.get(i).copied().unwrap_or(0) ^ byte);
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, role: Role, password: &str) -> ControlUser {
        ControlUser {
            name: name.into(),
            role,
            password_hash: hash_password(password).expect("hash"),
        }
    }

    #[test]
    fn a_password_matches_its_hash_only() {
        let users = Users::new(vec![
            user("camille", Role::Operator, "correct horse"),
            user("léo", Role::Viewer, "battery staple"),
        ])
        .expect("users");
        assert_eq!(
            users.check("camille", "correct horse"),
            Some(("camille".into(), Role::Operator))
        );
        assert_eq!(users.check("camille", "battery staple"), None);
        assert_eq!(
            users.check("léo", "battery staple"),
            Some(("léo".into(), Role::Viewer))
        );
        assert_eq!(users.check("nobody", "correct horse"), None);
        assert_eq!(users.check("camille", ""), None);
    }

    #[test]
    fn hashes_are_checked_for_their_form() {
        let hash = hash_password("x").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert_eq!(check_hash(&hash), Ok(()));
        assert!(check_hash("hunter2").is_err());
        assert!(check_hash("$2b$12$abcdefghijklmnopqrstuv").is_err());
        assert!(check_hash("$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA").is_err());
    }

    #[test]
    fn a_session_lasts_its_lifetime_and_a_closed_one_is_gone() {
        let mut sessions = Sessions::default();
        let start = Instant::now();
        let (token, session) = sessions.open("camille".into(), Role::Operator, start);
        assert_eq!(token.len(), 64);
        assert_ne!(token, session.csrf);
        assert_eq!(
            sessions.get(&token, start).map(|s| s.user),
            Some("camille".into())
        );
        assert_eq!(sessions.get("forged", start), None);
        assert_eq!(
            sessions.get(&token, start + SESSION_LIFETIME + Duration::from_secs(1)),
            None
        );
        let (token, _) = sessions.open("camille".into(), Role::Operator, start);
        sessions.close(&token);
        assert_eq!(sessions.get(&token, start), None);
    }

    #[test]
    fn an_address_waits_after_five_failures_and_only_that_address() {
        let mut limiter = LoginLimiter::default();
        let now = Instant::now();
        let guesser: IpAddr = "192.0.2.7".parse().expect("address");
        let colleague: IpAddr = "192.0.2.8".parse().expect("address");
        for n in 0..MAX_FAILURES {
            assert_eq!(limiter.wait(guesser, now), None, "attempt {n}");
            limiter.failed(guesser, now + Duration::from_secs(n as u64));
        }
        let wait = limiter
            .wait(guesser, now + Duration::from_secs(10))
            .expect("must wait");
        assert!(
            wait > Duration::from_secs(14 * 60) && wait <= FAILURE_WINDOW,
            "{wait:?}"
        );
        assert_eq!(limiter.wait(colleague, now), None);
        assert_eq!(
            limiter.wait(guesser, now + FAILURE_WINDOW + Duration::from_secs(5)),
            None
        );
        limiter.failed(colleague, now);
        limiter.succeeded(colleague);
        assert_eq!(limiter.wait(colleague, now), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
        assert!(!same_secret("abcd", "abc"));
        assert!(!same_secret("", "abc"));
    }
}
