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
/// Login attempts from one address within `FAILURE_WINDOW` that may fail before it must wait.
pub const MAX_FAILURES: usize = 5;
/// Failed attempts on one account, from anywhere, before it must wait: more than an address's,
/// so that one guesser cannot lock a colleague out as easily as they are stopped themselves.
pub const MAX_ACCOUNT_FAILURES: usize = 20;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses whose attempts are remembered at most; past it, a new address is refused until
/// old ones expire (guessing from many addresses is still stopped per account).
const MAX_TRACKED: usize = 10_000;
/// Sessions one user may hold; a new login ends their oldest.
const SESSIONS_PER_USER: usize = 20;

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

    /// Whether `name` is a configured user.
    pub fn knows(&self, name: &str) -> bool {
        self.users.iter().any(|u| u.name == name)
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
    /// A new session for `user`: its cookie token and the session. Ended sessions go first;
    /// then, over a user's share, that user's oldest; over the whole bound, the oldest of all.
    pub fn open(&mut self, user: String, role: Role, now: Instant) -> (String, Session) {
        self.purge(now);
        let mine: Vec<String> = self
            .order
            .iter()
            .filter(|t| self.by_token.get(*t).is_some_and(|s| s.user == user))
            .cloned()
            .collect();
        for token in mine
            .iter()
            .take((mine.len() + 1).saturating_sub(SESSIONS_PER_USER))
        {
            self.close(token);
        }
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

    /// Drops the sessions past their lifetime (the oldest are first in `order`).
    fn purge(&mut self, now: Instant) {
        while let Some(oldest) = self.order.front() {
            let ended = self
                .by_token
                .get(oldest)
                .is_none_or(|s| now.duration_since(s.started) > SESSION_LIFETIME);
            if !ended {
                break;
            }
            if let Some(token) = self.order.pop_front() {
                self.by_token.remove(&token);
            }
        }
    }
}

/// Login attempts per address and per account. An attempt is counted when it starts, before
/// its password is checked, so that attempts sent all at once are stopped like attempts in a
/// row; a success takes its own attempt back and nothing else.
#[derive(Default)]
pub struct LoginLimiter {
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
    by_account: HashMap<String, VecDeque<Instant>>,
}

/// Drops the attempts older than the window; the wait left when `max` remain.
fn wait_in(attempts: &mut VecDeque<Instant>, max: usize, now: Instant) -> Option<Duration> {
    while attempts
        .front()
        .is_some_and(|at| now.duration_since(*at) >= FAILURE_WINDOW)
    {
        attempts.pop_front();
    }
    if attempts.len() < max {
        return None;
    }
    let oldest = *attempts.front()?;
    Some(FAILURE_WINDOW.saturating_sub(now.duration_since(oldest)))
}

impl LoginLimiter {
    /// Counts an attempt from `address` on `account` (`None`: a name nobody has, which all
    /// count together), or says how long to wait before one.
    pub fn begin(
        &mut self,
        address: IpAddr,
        account: Option<&str>,
        now: Instant,
    ) -> Result<(), Duration> {
        let account = account.unwrap_or("").to_string();
        if !self.by_address.contains_key(&address) && self.by_address.len() >= MAX_TRACKED {
            self.by_address.retain(|_, attempts| {
                attempts
                    .back()
                    .is_some_and(|at| now.duration_since(*at) < FAILURE_WINDOW)
            });
            if self.by_address.len() >= MAX_TRACKED {
                return Err(FAILURE_WINDOW);
            }
        }
        let by_address = self.by_address.entry(address).or_default();
        let by_account = self.by_account.entry(account).or_default();
        let wait = wait_in(by_address, MAX_FAILURES, now)
            .into_iter()
            .chain(wait_in(by_account, MAX_ACCOUNT_FAILURES, now))
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        by_address.push_back(now);
        by_account.push_back(now);
        Ok(())
    }

    /// Takes back the attempt `begin` counted, which succeeded.
    pub fn succeeded(&mut self, address: IpAddr, account: &str) {
        if let Some(attempts) = self.by_address.get_mut(&address) {
            attempts.pop_back();
        }
        if let Some(attempts) = self.by_account.get_mut(account) {
            attempts.pop_back();
        }
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
            let at = now + Duration::from_secs(n as u64);
            assert_eq!(
                limiter.begin(guesser, Some("camille"), at),
                Ok(()),
                "attempt {n}"
            );
        }
        let wait = limiter
            .begin(guesser, Some("camille"), now + Duration::from_secs(10))
            .expect_err("must wait");
        assert!(
            wait > Duration::from_secs(14 * 60) && wait <= FAILURE_WINDOW,
            "{wait:?}"
        );
        // Another account from the same address waits too; another address does not.
        assert!(limiter.begin(guesser, Some("léo"), now).is_err());
        assert_eq!(limiter.begin(colleague, Some("camille"), now), Ok(()));
        limiter.succeeded(colleague, "camille");
        let later = now + FAILURE_WINDOW + Duration::from_secs(5);
        assert_eq!(limiter.begin(guesser, Some("camille"), later), Ok(()));
    }

    #[test]
    fn a_success_takes_back_its_own_attempt_only() {
        let mut limiter = LoginLimiter::default();
        let now = Instant::now();
        let viewer: IpAddr = "192.0.2.9".parse().expect("address");
        // Four wrong guesses at the admin, then a login of one's own, again and again: the
        // guesses still add up.
        for _ in 0..(MAX_FAILURES - 1) {
            assert_eq!(limiter.begin(viewer, Some("ana"), now), Ok(()));
        }
        assert_eq!(limiter.begin(viewer, Some("léo"), now), Ok(()));
        limiter.succeeded(viewer, "léo");
        assert_eq!(limiter.begin(viewer, Some("ana"), now), Ok(()));
        assert!(limiter.begin(viewer, Some("ana"), now).is_err());
    }

    #[test]
    fn an_account_waits_after_guesses_from_many_addresses() {
        let mut limiter = LoginLimiter::default();
        let now = Instant::now();
        for n in 0..MAX_ACCOUNT_FAILURES {
            let address = IpAddr::from([198, 51, 100, n as u8]);
            assert_eq!(limiter.begin(address, Some("ana"), now), Ok(()), "{n}");
        }
        let fresh = IpAddr::from([203, 0, 113, 1]);
        assert!(limiter.begin(fresh, Some("ana"), now).is_err());
        assert_eq!(limiter.begin(fresh, Some("camille"), now), Ok(()));
    }

    #[test]
    fn a_user_holds_a_bounded_number_of_sessions_and_others_keep_theirs() {
        let mut sessions = Sessions::default();
        let now = Instant::now();
        let (operator, _) = sessions.open("camille".into(), Role::Operator, now);
        let tokens: Vec<String> = (0..SESSIONS_PER_USER * 3)
            .map(|_| sessions.open("léo".into(), Role::Viewer, now).0)
            .collect();
        assert!(
            sessions.get(&operator, now).is_some(),
            "a viewer cannot evict an operator"
        );
        let live = tokens
            .iter()
            .filter(|t| sessions.get(t, now).is_some())
            .count();
        assert_eq!(live, SESSIONS_PER_USER);
        assert!(sessions.get(&tokens[tokens.len() - 1], now).is_some());
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
