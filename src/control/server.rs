//! The control page's HTTP server: login, the JSON API under `/api/`, `/metrics` and
//! `/health`. Every route but `/health`, `/metrics` and the login checks who asks (a session
//! cookie, or the API token) and what their role allows; every write from a session carries its
//! CSRF token; every action is written to the audit log.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{LoginLimiter, Sessions, Users, same_secret};
use super::config::{ControlConfig, Role};
use super::journal::Journal;
use super::live::LiveView;
use super::lock;
use super::room::{BannerMessage, Pin, Review, Room, RoomChange, Rotation, author_key};
use crate::alerts::sinks::{Handled, SinkEvent};
use crate::i18n::Locale;
use crate::privacy::LobbyFilter;
use crate::store::AuditEntry;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vigie_session";
/// The header a page's script sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Connections served at once: a room's phones and laptops, and a monitoring scraper.
const MAX_CONNECTIONS: usize = 64;
/// A client that has not sent its request headers by then is closed.
const HEADER_DEADLINE: Duration = Duration::from_secs(10);
/// Request bodies are small JSON objects or forms.
const MAX_BODY: usize = 16 * 1024;
/// Audit entries kept in memory for the page.
const AUDIT_KEPT: usize = 1_000;
/// A pin lasts this long unless the request says; at most `MAX_PIN_MINUTES`.
const DEFAULT_PIN_MINUTES: i64 = 30;
const MAX_PIN_MINUTES: i64 = 24 * 60;
const MAX_BANNER_MINUTES: i64 = 24 * 60;
const MAX_BANNER_CHARS: usize = 200;
const MAX_NOTE_CHARS: usize = 1_000;
/// Posts listed on the page.
const PAGE_POSTS: usize = 40;
/// A request (its body included) must be answered within this, or its connection is freed.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// Password checks at once: each costs argon2's memory and a core for a tenth of a second,
/// and the wall and its analysis need the rest of the machine.
const PASSWORD_CHECKS: usize = 2;
/// Post ids and authors the room may name: longer ones are no platform's.
const MAX_ID_CHARS: usize = 512;
/// Hidden posts and blocked authors the room keeps at most.
const MAX_DECISIONS: usize = 10_000;

/// What the server needs of the running wall.
pub struct ControlSetup {
    pub config: ControlConfig,
    /// The page's language and title: the wall's.
    pub locale: Locale,
    pub title: String,
    /// The API token, read from `config.token_env` by the caller.
    pub token: Option<String>,
    pub room: Arc<Room>,
    pub live: Arc<LiveView>,
    /// Where actions and the room's decisions are kept (the history); `None` without one.
    pub journal: Option<Journal>,
    /// The layouts the room may switch the wall to, by name.
    pub layouts: Vec<String>,
    /// The lobby's filter, for what the approval queue says of each post.
    pub lobby: LobbyFilter,
    /// The alert sinks, told when the room takes an alert in hand or resolves it.
    pub sinks: Option<crossbeam_channel::Sender<SinkEvent>>,
    /// A hub's way to its displays' pictures.
    pub remote: Option<crate::bus::room::RemoteDisplays>,
    /// The major platforms no source listens to, named under the sources.
    pub blind_spots: Vec<&'static str>,
}

struct Inner {
    locale: Locale,
    title: String,
    users: Users,
    sessions: Mutex<Sessions>,
    limiter: Mutex<LoginLimiter>,
    token: Option<String>,
    secure_cookies: bool,
    room: Arc<Room>,
    live: Arc<LiveView>,
    audit: Mutex<VecDeque<AuditEntry>>,
    journal: Option<Journal>,
    layouts: Vec<String>,
    lobby: LobbyFilter,
    sinks: Option<crossbeam_channel::Sender<SinkEvent>>,
    remote: Option<crate::bus::room::RemoteDisplays>,
    blind_spots: Vec<&'static str>,
    password_checks: tokio::sync::Semaphore,
}

#[derive(Clone)]
struct Control(Arc<Inner>);

/// The address a request came from.
#[derive(Debug, Clone, Copy)]
struct Peer(IpAddr);

/// Who is acting.
#[derive(Debug, Clone)]
struct Actor {
    name: String,
    role: Role,
    from: IpAddr,
}

/// The server, running on a thread of its own until `stop`.
pub struct ControlServer {
    pub address: SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ControlServer {
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("the control server's thread panicked");
        }
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.shut();
    }
}

/// Binds `config.listen` (an error now if it cannot) and serves until stopped.
pub fn start(setup: ControlSetup) -> anyhow::Result<ControlServer> {
    let listener = std::net::TcpListener::bind(setup.config.listen)
        .with_context(|| format!("the control page cannot listen on {}", setup.config.listen))?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let app = router(setup)?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("vigie-control".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    tracing::error!(%error, "the control page cannot start its runtime");
                    return;
                }
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::error!(%error, "the control page cannot listen");
                        return;
                    }
                };
                let connections = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
                loop {
                    let accepted = tokio::select! {
                        accepted = listener.accept() => accepted,
                        _ = stopped.wait_for(|stop| *stop) => return,
                    };
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            tracing::warn!(%error, "the control page cannot accept");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    };
                    let Ok(permit) = connections.clone().try_acquire_owned() else {
                        tracing::warn!(limit = MAX_CONNECTIONS, "control connection refused");
                        continue;
                    };
                    let app = app.clone().layer(Extension(Peer(peer.ip())));
                    tokio::spawn(crate::serve::serve_connection(
                        stream,
                        app,
                        permit,
                        HEADER_DEADLINE,
                        "control page",
                    ));
                }
            });
        })?;
    tracing::info!(%address, "control page listening");
    Ok(ControlServer {
        address,
        stop,
        thread: Some(thread),
    })
}

fn router(setup: ControlSetup) -> anyhow::Result<Router> {
    let inner = Inner {
        locale: setup.locale,
        title: setup.title,
        users: Users::new(setup.config.users)?,
        sessions: Mutex::new(Sessions::default()),
        limiter: Mutex::new(LoginLimiter::default()),
        token: setup.token.filter(|t| !t.is_empty()),
        secure_cookies: setup.config.secure_cookies,
        room: setup.room,
        live: setup.live,
        audit: Mutex::new(
            setup
                .journal
                .as_ref()
                .map(|journal| journal.latest(AUDIT_KEPT).into())
                .unwrap_or_default(),
        ),
        journal: setup.journal,
        layouts: setup.layouts,
        lobby: setup.lobby,
        sinks: setup.sinks,
        remote: setup.remote,
        blind_spots: setup.blind_spots,
        password_checks: tokio::sync::Semaphore::new(PASSWORD_CHECKS),
    };
    Ok(Router::new()
        .route("/", get(page))
        .route("/login", get(login_page))
        .route("/static/control.css", get(style))
        .route("/static/control.js", get(script))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/state", get(state))
        .route("/api/posts", get(posts))
        .route("/api/audit", get(audit))
        .route("/api/alerts/{id}/acknowledge", post(acknowledge))
        .route("/api/alerts/{id}/resolve", post(resolve))
        .route("/api/posts/{id}/pin", post(pin))
        .route("/api/posts/{id}/unpin", post(unpin))
        .route("/api/posts/{id}/hide", post(hide))
        .route("/api/posts/{id}/unhide", post(unhide))
        .route("/api/authors/block", post(block))
        .route("/api/authors/unblock", post(unblock))
        .route("/api/banner", post(banner))
        .route("/api/layout", post(switch_layout))
        .route("/api/lobby-safe", post(lobby_safe))
        .route("/api/rotation", post(rotation))
        .route("/api/approval", get(approval_queue))
        .route("/api/screens/{file}", get(screen_picture))
        .route("/api/displays/{name}/screens/{file}", get(display_picture))
        .route("/api/posts/{id}/approve", post(approve))
        .route("/api/posts/{id}/reject", post(reject))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(within_deadline))
        .layer(axum::middleware::map_response(guard_headers))
        .with_state(Control(Arc::new(inner))))
}

/// A client that sends its body a byte at a time, or never, gives its connection back.
async fn within_deadline(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "the request did not arrive in time",
        )
        .into_response(),
    }
}

/// On every answer: the page's own files only (no inline script, no foreign origin), never in
/// a frame (a foreign page cannot overlay its buttons), no referrer, no type sniffing.
async fn guard_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

const STYLE: &str = include_str!("../../assets/control/control.css");
const SCRIPT: &str = include_str!("../../assets/control/control.js");

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

async fn login_page(State(control): State<Control>) -> Response {
    html(super::page::login_page(
        control.0.locale,
        &control.0.title,
        None,
    ))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    q: String,
}

/// The page for a session; the login form for anyone else.
async fn page(
    State(control): State<Control>,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    let session = session_token(&headers)
        .and_then(|token| lock(&control.0.sessions).get(token, Instant::now()));
    let Some(session) = session else {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
    };
    let figures = control.0.live.figures();
    let room = control.0.room.snapshot();
    let posts = control.0.live.search(&query.q, PAGE_POSTS);
    let problem = control.0.journal.as_ref().and_then(Journal::problem);
    let showing = control.0.live.showing();
    let (waiting, approved) = match &showing.approval {
        Some(rules) => (
            super::approval::queue(&control.0.live, &room, rules, &control.0.lobby, QUEUE_POSTS),
            super::approval::approved(&control.0.live, &room, QUEUE_POSTS),
        ),
        None => (Vec::new(), Vec::new()),
    };
    html(super::page::control_page(&super::page::PageState {
        locale: control.0.locale,
        title: &control.0.title,
        user: &session.user,
        role: session.role,
        csrf: &session.csrf,
        figures: figures.as_deref(),
        room: &room,
        posts: &posts,
        query: &query.q,
        now: Utc::now(),
        problem: problem.as_deref(),
        showing: &showing,
        layouts: &control.0.layouts,
        waiting: &waiting,
        approved: &approved,
        displays: &control.0.live.displays(),
        blind_spots: &control.0.blind_spots,
    }))
}

/// An error as the API answers it: a status and a sentence.
struct ApiError(StatusCode, String, Option<Duration>);

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError(status, message.into(), None)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(status, message, retry) = self;
        let mut response = (status, axum::Json(json!({ "error": message }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(retry) = retry
            && let Ok(value) = HeaderValue::from_str(&retry.as_secs().max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

type ApiResult = Result<Response, ApiError>;

/// The session cookie's value in `headers`.
fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

impl Control {
    /// Who asks, if they may do what needs `role`; `write`: the request changes something, and
    /// a session must then show its CSRF token.
    fn authorize(
        &self,
        headers: &HeaderMap,
        peer: Peer,
        role: Role,
        write: bool,
    ) -> Result<Actor, ApiError> {
        let actor = self.identify(headers, peer, write)?;
        if actor.role < role {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "{} may not do this: it needs the {} role",
                    actor.name,
                    role.name()
                ),
            ));
        }
        Ok(actor)
    }

    fn identify(&self, headers: &HeaderMap, peer: Peer, write: bool) -> Result<Actor, ApiError> {
        if let Some(authorization) = headers.get(header::AUTHORIZATION) {
            // The scheme's name is case-insensitive (RFC 7235).
            let given = authorization
                .to_str()
                .ok()
                .and_then(|value| value.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim());
            return match (&self.0.token, given) {
                (Some(token), Some(given)) if same_secret(given, token) => Ok(Actor {
                    name: "api".into(),
                    role: Role::Operator,
                    from: peer.0,
                }),
                _ => Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "wrong or unknown API token",
                )),
            };
        }
        let session = session_token(headers)
            .and_then(|token| lock(&self.0.sessions).get(token, Instant::now()))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "log in first, or send the API token",
                )
            })?;
        if write {
            let sent = headers
                .get(CSRF_HEADER)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("");
            if !same_secret(sent, &session.csrf) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "missing or wrong CSRF token: reload the page",
                ));
            }
        }
        Ok(Actor {
            name: session.user,
            role: session.role,
            from: peer.0,
        })
    }

    /// Tells the alert sinks, without ever waiting for them (a full queue is logged).
    fn tell_sinks(&self, handled: Handled) {
        if let Some(sinks) = &self.0.sinks
            && sinks.try_send(SinkEvent::Handled(handled)).is_err()
        {
            tracing::warn!("alert sinks are not keeping up: the room's handling not sent");
        }
    }

    fn entry(actor: &Actor, action: &str, target: &str, detail: &str) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            user: actor.name.clone(),
            from: actor.from.to_string(),
            action: action.into(),
            target: target.into(),
            detail: detail.into(),
        }
    }

    /// Logs `entry` and keeps it for the page.
    fn remember(&self, entry: AuditEntry) {
        tracing::info!(
            user = %entry.user,
            from = %entry.from,
            action = %entry.action,
            target = ?entry.target,
            detail = ?entry.detail,
            "control action"
        );
        let mut audit = lock(&self.0.audit);
        audit.push_front(entry);
        audit.truncate(AUDIT_KEPT);
    }

    /// Audits an action that changes nothing in the room (a login, a logout).
    fn record(&self, actor: &Actor, action: &str) {
        let entry = Self::entry(actor, action, "", "");
        if let Some(journal) = &self.0.journal {
            let _ = journal.record(&entry);
        }
        self.remember(entry);
    }

    /// Applies a change to the room for `actor`, audits it (in the history when there is one,
    /// with the room's decisions as they stand after it) and answers with the room's new
    /// state, and a warning when the history did not take it.
    fn act(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &str,
        change: RoomChange,
    ) -> Response {
        let entry = Self::entry(actor, action, target, detail);
        let kept = match &self.0.journal {
            Some(journal) => journal.apply(&self.0.room, change, &entry),
            None => {
                self.0.room.change(change);
                Ok(())
            }
        };
        self.remember(entry);
        let mut answer = json!({ "ok": true, "room": self.0.room.snapshot() });
        if let Err(warning) = kept {
            answer["warning"] = Value::String(warning);
        }
        axum::Json(answer).into_response()
    }
}

/// A JSON body, `{}` when empty. A body must say it is JSON: a foreign page can send a
/// `text/plain` POST without asking the browser first, not an `application/json` one.
fn body_of<T: for<'de> Deserialize<'de> + Default>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as application/json",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, format!("bad JSON body: {error}")))
}

/// Whether a request that names its origin comes from this page's own (a foreign page's
/// script would otherwise lock the room out of its logins, or log it into its own account).
fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site" || site == "same-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

/// A post id or an author as the room names it: not empty, not longer than any platform's,
/// no control characters (they would forge lines in the log).
fn checked_name(text: &str) -> Result<(), ApiError> {
    if text.is_empty() || text.chars().count() > MAX_ID_CHARS || text.chars().any(char::is_control)
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "an id or author is 1 to 512 characters, without control characters",
        ));
    }
    Ok(())
}

/// Refuses a new hidden post or blocked author past the room's bound.
fn room_for_one_more(control: &Control, blocked: bool) -> Result<(), ApiError> {
    let count = control.0.room.read(|room| {
        if blocked {
            room.blocked.len()
        } else {
            room.hidden.len()
        }
    });
    if count >= MAX_DECISIONS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the room already keeps {MAX_DECISIONS} of these: undo some first"),
        ));
    }
    Ok(())
}

async fn health(State(control): State<Control>) -> Response {
    let figures = control.0.live.figures();
    axum::Json(json!({
        "status": "ok",
        "figures": figures.is_some(),
        "mentions_analysed": figures.as_ref().map_or(0, |f| f.processed),
        "frames_drawn": control.0.live.frames(),
    }))
    .into_response()
}

async fn metrics(State(control): State<Control>) -> Response {
    let figures = control.0.live.figures();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        super::metrics::exposition(figures.as_deref(), control.0.live.frames()),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
struct LoginBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    if !same_origin(&headers) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "log in from the control page itself",
        ));
    }
    let LoginBody { name, password } = body_of(&headers, &body)?;
    let account = control.0.users.knows(&name).then_some(name.as_str());
    if let Err(wait) = lock(&control.0.limiter).begin(peer.0, account, Instant::now()) {
        return Err(ApiError(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many failed logins: try again in {} min",
                wait.as_secs().div_ceil(60).max(1)
            ),
            Some(wait),
        ));
    }
    let Ok(_permit) = control.0.password_checks.try_acquire() else {
        return Err(ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is checking other logins: try again in a second".into(),
            Some(Duration::from_secs(1)),
        ));
    };
    let checker = control.clone();
    let checked = tokio::task::spawn_blocking(move || checker.0.users.check(&name, &password))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the check failed"))?;
    let Some((user, role)) = checked else {
        tracing::warn!(from = %peer.0, "control login refused");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong name or password",
        ));
    };
    lock(&control.0.limiter).succeeded(peer.0, &user);
    let (token, session) = lock(&control.0.sessions).open(user, role, Instant::now());
    let actor = Actor {
        name: session.user.clone(),
        role,
        from: peer.0,
    };
    control.record(&actor, "login");
    let secure = if control.0.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        super::auth::SESSION_LIFETIME.as_secs()
    );
    let mut response = axum::Json(json!({
        "user": session.user,
        "role": role,
        "csrf": session.csrf,
    }))
    .into_response();
    let value = HeaderValue::from_str(&cookie)
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "bad cookie"))?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}

async fn logout(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Viewer, true)?;
    if let Some(token) = session_token(&headers) {
        lock(&control.0.sessions).close(token);
    }
    control.record(&actor, "logout");
    let mut response = axum::Json(json!({ "ok": true })).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("vigie_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

async fn state(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Viewer, false)?;
    let csrf = session_token(&headers)
        .and_then(|token| lock(&control.0.sessions).get(token, Instant::now()))
        .map(|session| session.csrf);
    let room = control.0.room.snapshot();
    let figures = control.0.live.figures();
    let header = figures.as_ref().map(|f| {
        let own = f.brands.iter().position(|b| b.own).unwrap_or(0);
        let hour = f.last_hour.get(own).copied().unwrap_or_default();
        json!({
            "brand": f.brands.get(own).map(|b| b.name.clone()),
            "mentions_last_hour": hour.total(),
            "net_sentiment": hour.net_percent(),
            "active_alerts": f.active_alerts,
            "at": f.now,
        })
    });
    let alerts: Vec<Value> = figures
        .as_ref()
        .map(|f| {
            f.alerts
                .iter()
                .map(|alert| {
                    json!({
                        "id": alert.id,
                        "rule": alert.rule,
                        "severity": alert.severity,
                        "brand": alert.brand,
                        "summary": alert.summary,
                        "started_at": alert.started_at,
                        "ended_at": alert.ended_at,
                        "active": alert.is_active(),
                        "handled": room.handling(alert.id, alert.started_at),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let sources: Vec<Value> = figures
        .as_ref()
        .map(|f| {
            f.sources
                .iter()
                .map(|s| serde_json::to_value(s).unwrap_or(Value::Null))
                .collect()
        })
        .unwrap_or_default();
    Ok(axum::Json(json!({
        "user": { "name": actor.name, "role": actor.role },
        "csrf": csrf,
        "header": header,
        "sources": sources,
        "alerts": alerts,
        "room": room,
        "showing": control.0.live.showing(),
        "layouts": control.0.layouts,
        "displays": control.0.live.displays(),
        "frames_drawn": control.0.live.frames(),
    }))
    .into_response())
}

#[derive(Deserialize)]
struct PostQuery {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

async fn posts(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Query(query): Query<PostQuery>,
) -> ApiResult {
    control.authorize(&headers, peer, Role::Viewer, false)?;
    let room = control.0.room.snapshot();
    let now = Utc::now();
    let found: Vec<Value> = control
        .0
        .live
        .search(&query.q, query.limit.unwrap_or(50).min(500))
        .into_iter()
        .map(|mention| {
            let id = mention.mention.id.clone();
            let author = author_key(&mention);
            json!({
                "id": id,
                "platform": mention.mention.platform.name(),
                "author": mention.mention.author.handle,
                "author_key": author,
                "text": mention.mention.text,
                "created_at": mention.mention.created_at,
                "tone": mention.tone,
                "hidden": room.hidden.contains(&id),
                "blocked": room.blocked.contains(&author),
                "pinned": room.live_pins(now).any(|p| p.mention.mention.id == id),
            })
        })
        .collect();
    Ok(axum::Json(json!({ "posts": found })).into_response())
}

async fn audit(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
) -> ApiResult {
    control.authorize(&headers, peer, Role::Operator, false)?;
    let entries: Vec<AuditEntry> = lock(&control.0.audit).iter().cloned().collect();
    Ok(axum::Json(json!({ "audit": entries })).into_response())
}

/// The alert `id` among those the wall knows.
fn known_alert(control: &Control, id: u64) -> Result<crate::alerts::Alert, ApiError> {
    control
        .0
        .live
        .figures()
        .and_then(|f| f.alerts.iter().find(|a| a.id == id).cloned())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no alert {id} on the wall")))
}

async fn acknowledge(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let alert = known_alert(&control, id)?;
    let first = control
        .0
        .room
        .read(|room| room.handling(id, alert.started_at).is_none());
    let at = Utc::now();
    let change = RoomChange::Acknowledge {
        alert: id,
        started: alert.started_at,
        by: actor.name.clone(),
        at,
    };
    let answer = control.act(&actor, "acknowledge alert", &id.to_string(), "", change);
    // The first to take it in hand keeps it: the sinks hear of that one only.
    if first {
        control.tell_sinks(Handled {
            alert,
            by: actor.name,
            at,
            resolved: None,
        });
    }
    Ok(answer)
}

#[derive(Deserialize, Default)]
struct NoteBody {
    #[serde(default)]
    note: String,
}

async fn resolve(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let NoteBody { note } = body_of(&headers, &body)?;
    let alert = known_alert(&control, id)?;
    let note: String = note.trim().chars().take(MAX_NOTE_CHARS).collect();
    let at = Utc::now();
    let change = RoomChange::Resolve {
        alert: id,
        started: alert.started_at,
        by: actor.name.clone(),
        at,
        note: note.clone(),
    };
    let answer = control.act(&actor, "resolve alert", &id.to_string(), &note, change);
    control.tell_sinks(Handled {
        alert,
        by: actor.name,
        at,
        resolved: Some(note),
    });
    Ok(answer)
}

#[derive(Deserialize, Default)]
struct PinBody {
    minutes: Option<i64>,
}

async fn pin(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let PinBody { minutes } = body_of(&headers, &body)?;
    let minutes = minutes.unwrap_or(DEFAULT_PIN_MINUTES);
    if !(1..=MAX_PIN_MINUTES).contains(&minutes) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("a pin lasts 1 to {MAX_PIN_MINUTES} minutes"),
        ));
    }
    let mention = control
        .0
        .live
        .post(&id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no recent post {id}")))?;
    let change = RoomChange::Pin(Box::new(Pin {
        mention,
        by: actor.name.clone(),
        until: Utc::now() + chrono::TimeDelta::minutes(minutes),
    }));
    Ok(control.act(&actor, "pin post", &id, &format!("{minutes} min"), change))
}

async fn unpin(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    checked_name(&id)?;
    Ok(control.act(
        &actor,
        "unpin post",
        &id,
        "",
        RoomChange::Unpin { id: id.clone() },
    ))
}

async fn hide(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    checked_name(&id)?;
    room_for_one_more(&control, false)?;
    Ok(control.act(
        &actor,
        "hide post",
        &id,
        "",
        RoomChange::Hide { id: id.clone() },
    ))
}

async fn unhide(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    checked_name(&id)?;
    Ok(control.act(
        &actor,
        "unhide post",
        &id,
        "",
        RoomChange::Unhide { id: id.clone() },
    ))
}

#[derive(Deserialize, Default)]
struct AuthorBody {
    /// `platform:handle`, as the posts list gives it.
    author: Option<String>,
    /// Or the id of one of their recent posts.
    post: Option<String>,
}

fn author_of(control: &Control, body: AuthorBody) -> Result<String, ApiError> {
    if let Some(author) = body.author.filter(|a| a.contains(':')) {
        checked_name(&author)?;
        return Ok(author.to_lowercase());
    }
    let id = body.post.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "name the author (\"platform:handle\") or one of their posts",
        )
    })?;
    control
        .0
        .live
        .post(&id)
        .map(|mention| author_key(&mention))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no recent post {id}")))
}

async fn block(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let author = author_of(&control, body_of(&headers, &body)?)?;
    room_for_one_more(&control, true)?;
    Ok(control.act(
        &actor,
        "block author",
        &author,
        "",
        RoomChange::Block {
            author: author.clone(),
        },
    ))
}

async fn unblock(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let author = author_of(&control, body_of(&headers, &body)?)?;
    Ok(control.act(
        &actor,
        "unblock author",
        &author,
        "",
        RoomChange::Unblock {
            author: author.clone(),
        },
    ))
}

#[derive(Deserialize, Default)]
struct BannerBody {
    /// Empty or absent: the banner is taken down.
    #[serde(default)]
    text: String,
    minutes: Option<i64>,
}

async fn banner(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let BannerBody { text, minutes } = body_of(&headers, &body)?;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Ok(control.act(&actor, "clear banner", "", "", RoomChange::Banner(None)));
    }
    if text.chars().count() > MAX_BANNER_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("a banner holds at most {MAX_BANNER_CHARS} characters"),
        ));
    }
    let minutes = minutes.unwrap_or(60);
    if !(1..=MAX_BANNER_MINUTES).contains(&minutes) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("a banner lasts 1 to {MAX_BANNER_MINUTES} minutes"),
        ));
    }
    let message = BannerMessage {
        text: text.clone(),
        by: actor.name.clone(),
        until: Utc::now() + chrono::TimeDelta::minutes(minutes),
    };
    Ok(control.act(
        &actor,
        "set banner",
        "",
        &format!("{text} ({minutes} min)"),
        RoomChange::Banner(Some(message)),
    ))
}

#[derive(Deserialize, Default)]
struct LayoutBody {
    /// A name among the room's layouts; `null`: back to the wall's own.
    layout: Option<String>,
    /// One room's displays only (a hub's).
    room: Option<String>,
}

async fn switch_layout(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let LayoutBody { layout, room } = body_of(&headers, &body)?;
    let layout = layout.map(|name| name.trim().to_string());
    if let Some(name) = &layout
        && !control.0.layouts.contains(name)
    {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no layout '{name}': the room's are {}",
                control.0.layouts.join(", ")
            ),
        ));
    }
    let target = layout.clone().unwrap_or_default();
    let action = if layout.is_some() {
        "switch layout"
    } else {
        "back to own layout"
    };
    let Some(room) = room else {
        return Ok(control.act(&actor, action, &target, "", RoomChange::Layout(layout)));
    };
    if !crate::config::is_nats_name(&room) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "a room's name is letters, digits, '_' and '-' only",
        ));
    }
    let detail = format!("room {room}");
    Ok(control.act(
        &actor,
        action,
        &target,
        &detail,
        RoomChange::RoomLayout { room, layout },
    ))
}

#[derive(Deserialize, Default)]
struct LobbySafeBody {
    on: Option<bool>,
}

async fn lobby_safe(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let LobbySafeBody { on } = body_of(&headers, &body)?;
    let on =
        on.ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "say \"on\": true or false"))?;
    let action = if on {
        "lobby safe on"
    } else {
        "lobby safe off"
    };
    Ok(control.act(&actor, action, "", "", RoomChange::LobbySafe(on)))
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum RotationAction {
    Pause,
    Resume,
    Page,
}

#[derive(Deserialize, Default)]
struct RotationBody {
    action: Option<RotationAction>,
    /// From 1, with `"action": "page"`.
    page: Option<usize>,
}

async fn rotation(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    let RotationBody { action, page } = body_of(&headers, &body)?;
    let action = action.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "say \"action\": \"pause\", \"resume\" or \"page\"",
        )
    })?;
    let (change, action, target) = match action {
        RotationAction::Pause => (Rotation::Held, "pause rotation", String::new()),
        RotationAction::Resume => (Rotation::Turning, "resume rotation", String::new()),
        RotationAction::Page => {
            let pages = control.0.live.showing().pages.len();
            match page {
                Some(page) if (1..=pages).contains(&page) => {
                    (Rotation::Page(page - 1), "show page", page.to_string())
                }
                _ => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        if pages == 0 {
                            "no screen of the wall turns pages now".to_string()
                        } else {
                            format!("a page from 1 to {pages}")
                        },
                    ));
                }
            }
        }
    };
    Ok(control.act(&actor, action, &target, "", RoomChange::Rotation(change)))
}

/// Posts shown on the approval queue and the page's list of approved ones.
const QUEUE_POSTS: usize = 20;

async fn approval_queue(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
) -> ApiResult {
    control.authorize(&headers, peer, Role::Viewer, false)?;
    let showing = control.0.live.showing();
    let Some(rules) = showing.approval else {
        return Ok(
            axum::Json(json!({ "approval": null, "queue": [], "approved": [] })).into_response(),
        );
    };
    let room = control.0.room.snapshot();
    let waiting: Vec<Value> = super::approval::queue(
        &control.0.live,
        &room,
        &rules,
        &control.0.lobby,
        QUEUE_POSTS,
    )
    .iter()
    .map(super::approval::Waiting::to_json)
    .collect();
    let approved: Vec<Value> = super::approval::approved(&control.0.live, &room, QUEUE_POSTS)
        .iter()
        .map(|post| json!({ "id": post.mention.id, "author": post.mention.author.handle, "text": post.mention.text }))
        .collect();
    Ok(
        axum::Json(json!({ "approval": rules, "queue": waiting, "approved": approved }))
            .into_response(),
    )
}

async fn approve(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    review(control, peer, headers, id, true).await
}

async fn reject(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    review(control, peer, headers, id, false).await
}

/// Approves or rejects a recent post for the lobby. A post the lobby's filter keeps off cannot
/// be approved: the filter would keep it off anyway, and the room should know.
async fn review(
    control: Control,
    peer: Peer,
    headers: HeaderMap,
    id: String,
    approved: bool,
) -> ApiResult {
    let actor = control.authorize(&headers, peer, Role::Operator, true)?;
    checked_name(&id)?;
    let post = control.0.live.post(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no recent post {id}: approve posts from the queue"),
        )
    })?;
    if approved && let Some(category) = control.0.lobby.hidden_category(&post.mention.text) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("the lobby's filter keeps this post off ({category}): it cannot be approved"),
        ));
    }
    let change = RoomChange::Review {
        id: id.clone(),
        review: Review {
            approved,
            by: actor.name.clone(),
            at: Utc::now(),
        },
    };
    let action = if approved {
        "approve post"
    } else {
        "reject post"
    };
    Ok(control.act(&actor, action, &id, "", change))
}

/// A picture older than this is taken again.
const PICTURE_FRESH: Duration = Duration::from_secs(1);
/// How long a request waits for the wall to draw the screen: beyond, the wall is stuck.
const PICTURE_WAIT: Duration = Duration::from_secs(5);

/// `GET /api/screens/<name>.png`: the screen as the running wall drew it, at most a second
/// old.
async fn screen_picture(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult {
    control.authorize(&headers, peer, Role::Viewer, false)?;
    let screens = control.0.live.showing().screens;
    let Some(name) = file
        .strip_suffix(".png")
        .filter(|name| screens.iter().any(|s| s == name))
    else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no screen '{file}': the wall's are {}", screens.join(", ")),
        ));
    };
    let live = &control.0.live;
    // Its age is taken once, where its freshness is judged: the header says what was judged.
    let aged = |picture: super::live::Picture| (picture.at.elapsed(), picture);
    let mut picture = live
        .picture(name)
        .map(aged)
        .filter(|(age, _)| *age <= PICTURE_FRESH);
    if picture.is_none() {
        picture = live
            .draw_picture(name, &control.0.room, PICTURE_WAIT)
            .await
            .map(aged);
    }
    let Some((age, picture)) = picture else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the wall did not draw screen '{name}' within {} s: it may be stuck",
                PICTURE_WAIT.as_secs()
            ),
        ));
    };
    let age = age.as_millis().to_string();
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))],
        picture.png.as_ref().clone(),
    )
        .into_response();
    if let Ok(age) = HeaderValue::from_str(&age) {
        response.headers_mut().insert("x-vigie-picture-age-ms", age);
    }
    Ok(response)
}

/// `GET /api/displays/<name>/screens/<screen>.png` (a hub): the display draws its screen and
/// sends it over NATS.
async fn display_picture(
    State(control): State<Control>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    Path((name, file)): Path<(String, String)>,
) -> ApiResult {
    control.authorize(&headers, peer, Role::Viewer, false)?;
    let Some(remote) = &control.0.remote else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "this wall has no displays: it is not a hub",
        ));
    };
    let display = control
        .0
        .live
        .displays()
        .into_iter()
        .find(|d| d.beat.name == name)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no display '{name}'")))?;
    let Some(screen) = file
        .strip_suffix(".png")
        .filter(|screen| display.beat.screens.iter().any(|s| s == screen))
    else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "display '{name}' has no screen '{file}': its are {}",
                display.beat.screens.join(", ")
            ),
        ));
    };
    let png = remote
        .picture(&name, screen)
        .await
        .map_err(|why| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, why))?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))],
        png,
    )
        .into_response())
}
