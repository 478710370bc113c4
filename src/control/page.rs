//! The control page as HTML, rendered on the server from the same state the API gives: the
//! room's figures and sources, the alerts with their buttons, the room's banner, the recent
//! posts with theirs, and what the room pinned, hid or blocked. Its script (`assets/control/
//! control.js`) only sends the buttons' calls to the API with the session's CSRF token and
//! reloads; its style sheet fits a phone and a laptop. French and English, as the wall.

use std::fmt::Write;

use chrono::{DateTime, Local, Utc};

use super::approval::Waiting;
use super::config::Role;
use super::live::{DisplaySeen, Showing, ShownBecause};
use super::room::{RoomState, Rotation, author_key};
use crate::i18n::Locale;
use crate::model::{EnrichedMention, Figures, HealthState, Tone};

/// The page's words, in the wall's language.
pub struct PageLabels {
    pub lang: &'static str,
    pub title: &'static str,
    pub login: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub logout: &'static str,
    pub live: &'static str,
    pub mentions_last_hour: &'static str,
    pub net_sentiment: &'static str,
    pub active_alerts: &'static str,
    pub sources: &'static str,
    pub alerts: &'static str,
    pub no_alerts: &'static str,
    pub acknowledge: &'static str,
    pub resolve: &'static str,
    pub resolve_note: &'static str,
    pub handled: &'static str,
    pub resolved: &'static str,
    pub ended: &'static str,
    pub banner: &'static str,
    pub banner_placeholder: &'static str,
    pub minutes: &'static str,
    pub show_banner: &'static str,
    pub clear_banner: &'static str,
    pub banner_until: &'static str,
    pub posts: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub no_posts: &'static str,
    pub pin: &'static str,
    pub unpin: &'static str,
    pub hide: &'static str,
    pub unhide: &'static str,
    pub block: &'static str,
    pub unblock: &'static str,
    pub pinned: &'static str,
    pub hidden: &'static str,
    pub blocked: &'static str,
    pub decisions: &'static str,
    pub nothing_decided: &'static str,
    pub viewer_only: &'static str,
    pub not_kept: &'static str,
    pub waiting: &'static str,
    pub screens: &'static str,
    pub showing: &'static str,
    pub because_own: &'static str,
    pub because_chosen: &'static str,
    pub because_takeover: &'static str,
    pub because_safe: &'static str,
    pub switch_to: &'static str,
    pub back_to_own: &'static str,
    pub lobby_safe_on: &'static str,
    pub lobby_safe_off: &'static str,
    pub pause_rotation: &'static str,
    pub resume_rotation: &'static str,
    pub page_label: &'static str,
    pub ago: &'static str,
    pub source_live: &'static str,
    pub source_starting: &'static str,
    pub source_finished: &'static str,
    pub source_stale_since: &'static str,
    pub source_failed: &'static str,
    pub last_post: &'static str,
    /// Before the platforms no source listens to.
    pub not_listened: &'static str,
    pub per_minute: &'static str,
    pub quota: &'static str,
    pub today: &'static str,
    pub this_month: &'static str,
    pub received: &'static str,
    pub no_screen_here: &'static str,
    pub displays: &'static str,
    pub room_label: &'static str,
    pub seen: &'static str,
    pub seconds_ago: &'static str,
    pub silent: &'static str,
    pub frames_label: &'static str,
    pub in_room: &'static str,
    pub screen_picture: &'static str,
    pub approval: &'static str,
    pub approval_rules: &'static str,
    pub auto_own: &'static str,
    pub auto_followers: &'static str,
    pub followers: &'static str,
    pub nothing_waiting: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub withdraw: &'static str,
    pub kept_off: &'static str,
    pub flagged: &'static str,
    pub approved_posts: &'static str,
}

pub fn labels(locale: Locale) -> &'static PageLabels {
    match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
    }
}

static FR: PageLabels = PageLabels {
    lang: "fr",
    title: "Pilotage du mur",
    login: "Se connecter",
    name: "Nom",
    password: "Mot de passe",
    logout: "Se déconnecter",
    live: "En direct",
    mentions_last_hour: "Mentions / heure",
    net_sentiment: "Sentiment net",
    active_alerts: "Alertes actives",
    sources: "Sources",
    alerts: "Alertes",
    no_alerts: "Aucune alerte",
    acknowledge: "Prendre en charge",
    resolve: "Résoudre",
    resolve_note: "Note de résolution",
    handled: "pris en charge",
    resolved: "résolue",
    ended: "terminée",
    banner: "Message à la salle",
    banner_placeholder: "Point de crise à 15 h",
    minutes: "min",
    show_banner: "Afficher",
    clear_banner: "Retirer",
    banner_until: "affiché jusqu'à",
    posts: "Publications récentes",
    search: "Chercher",
    search_placeholder: "mot, auteur…",
    no_posts: "Aucune publication",
    pin: "Épingler 30 min",
    unpin: "Désépingler",
    hide: "Masquer",
    unhide: "Réafficher",
    block: "Bloquer l'auteur",
    unblock: "Débloquer",
    pinned: "Épinglées",
    hidden: "Masquées",
    blocked: "Auteurs bloqués",
    decisions: "Décisions de la salle",
    nothing_decided: "Rien d'épinglé, de masqué ni de bloqué",
    viewer_only: "Lecture seule : votre rôle ne permet pas d'agir",
    not_kept: "Les actions s'appliquent au mur mais ne sont pas gardées dans l'historique :",
    waiting: "en attente des premiers chiffres",
    screens: "Écrans",
    showing: "Le mur montre",
    because_own: "sa disposition habituelle",
    because_chosen: "choisie par la salle",
    because_takeover: "tant que l'alerte dure",
    because_safe: "accueil neutre du lobby",
    switch_to: "Passer à",
    back_to_own: "Revenir à la disposition habituelle",
    lobby_safe_on: "Lobby : accueil neutre",
    lobby_safe_off: "Lobby : reprendre l'affichage",
    pause_rotation: "Arrêter la rotation",
    resume_rotation: "Reprendre la rotation",
    page_label: "Page",
    ago: "",
    source_live: "en direct",
    source_starting: "démarre",
    source_finished: "terminée",
    source_stale_since: "muette depuis",
    source_failed: "en panne",
    last_post: "dernier post il y a",
    not_listened: "Plateformes non écoutées :",
    per_minute: "posts / min",
    quota: "quota",
    today: "aujourd'hui",
    this_month: "ce mois",
    received: "reçus",
    no_screen_here: "Ce poste n'a pas d'écran : le choix ci-dessous vaut pour tous ses afficheurs.",
    displays: "Afficheurs",
    room_label: "salle",
    seen: "vu il y a",
    seconds_ago: "s",
    silent: "muet",
    frames_label: "images",
    in_room: "Dans la salle",
    screen_picture: "Écran",
    approval: "Approbation du lobby",
    approval_rules: "Le lobby ne montre que les publications approuvées.",
    auto_own: "D'office : les comptes de la marque.",
    auto_followers: "D'office : les publications positives des auteurs suivis par au moins",
    followers: "abonnés",
    nothing_waiting: "Rien en attente",
    approve: "Approuver",
    reject: "Refuser",
    withdraw: "Retirer du lobby",
    kept_off: "Le filtre du lobby l'écarte",
    flagged: "Mots masqués",
    approved_posts: "Approuvées",
};

static EN: PageLabels = PageLabels {
    lang: "en",
    title: "Wall control",
    login: "Log in",
    name: "Name",
    password: "Password",
    logout: "Log out",
    live: "Live",
    mentions_last_hour: "Mentions / hour",
    net_sentiment: "Net sentiment",
    active_alerts: "Active alerts",
    sources: "Sources",
    alerts: "Alerts",
    no_alerts: "No alert",
    acknowledge: "Take in hand",
    resolve: "Resolve",
    resolve_note: "Resolution note",
    handled: "handled",
    resolved: "resolved",
    ended: "ended",
    banner: "Message to the room",
    banner_placeholder: "Crisis meeting at 3 pm",
    minutes: "min",
    show_banner: "Show",
    clear_banner: "Take down",
    banner_until: "shown until",
    posts: "Recent posts",
    search: "Search",
    search_placeholder: "word, author…",
    no_posts: "No post",
    pin: "Pin 30 min",
    unpin: "Unpin",
    hide: "Hide",
    unhide: "Show again",
    block: "Block author",
    unblock: "Unblock",
    pinned: "Pinned",
    hidden: "Hidden",
    blocked: "Blocked authors",
    decisions: "The room's decisions",
    nothing_decided: "Nothing pinned, hidden or blocked",
    viewer_only: "Read only: your role cannot act",
    not_kept: "Actions reach the wall but are not kept in the history:",
    waiting: "waiting for the first figures",
    screens: "Screens",
    showing: "The wall shows",
    because_own: "its usual layout",
    because_chosen: "chosen by the room",
    because_takeover: "while the alert lasts",
    because_safe: "the lobby's neutral screen",
    switch_to: "Switch to",
    back_to_own: "Back to the usual layout",
    lobby_safe_on: "Lobby: neutral screen",
    lobby_safe_off: "Lobby: show the wall again",
    pause_rotation: "Pause rotation",
    resume_rotation: "Resume rotation",
    page_label: "Page",
    ago: " ago",
    source_live: "live",
    source_starting: "starting",
    source_finished: "finished",
    source_stale_since: "silent since",
    source_failed: "failed",
    last_post: "last post",
    not_listened: "Platforms not listened to:",
    per_minute: "posts / min",
    quota: "quota",
    today: "today",
    this_month: "this month",
    received: "received",
    no_screen_here: "This machine has no screen: the choice below applies to all its displays.",
    displays: "Displays",
    room_label: "room",
    seen: "seen",
    seconds_ago: "s ago",
    silent: "silent",
    frames_label: "frames",
    in_room: "In room",
    screen_picture: "Screen",
    approval: "Lobby approval",
    approval_rules: "The lobby shows approved posts only.",
    auto_own: "Approved by themselves: the brand's accounts.",
    auto_followers: "Approved by themselves: positive posts of authors followed by at least",
    followers: "followers",
    nothing_waiting: "Nothing waiting",
    approve: "Approve",
    reject: "Reject",
    withdraw: "Take off the lobby",
    kept_off: "The lobby's filter keeps it off",
    flagged: "Words masked",
    approved_posts: "Approved",
};

/// Text made safe inside HTML, attribute values included.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A post id as a path segment (`encodeURIComponent`'s set).
pub fn encode_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M").to_string()
}

fn head(out: &mut String, labels: &PageLabels, title: &str, csrf: Option<&str>) {
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · {}</title><link rel=\"stylesheet\" href=\"/static/control.css\">",
        labels.lang,
        escape(title),
        labels.title
    );
    if let Some(csrf) = csrf {
        let _ = write!(out, "<meta name=\"csrf\" content=\"{}\">", escape(csrf));
    }
    out.push_str("<script src=\"/static/control.js\" defer></script></head><body>");
}

/// The login form; `problem`: why the last attempt failed.
pub fn login_page(locale: Locale, title: &str, problem: Option<&str>) -> String {
    let labels = labels(locale);
    let mut out = String::new();
    head(&mut out, labels, title, None);
    let _ = write!(
        out,
        "<main class=\"login\"><h1>{}</h1><p class=\"muted\">{}</p>\
         <form id=\"login\" data-login>\
         <label>{}<input name=\"name\" autocomplete=\"username\" required autofocus></label>\
         <label>{}<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button type=\"submit\">{}</button><p class=\"problem\" id=\"problem\">{}</p></form></main>\
         </body></html>",
        escape(title),
        labels.title,
        labels.name,
        labels.password,
        labels.login,
        problem.map(escape).unwrap_or_default()
    );
    out
}

/// What the page shows, read under the locks and handed to `control_page`.
pub struct PageState<'a> {
    pub locale: Locale,
    pub title: &'a str,
    pub user: &'a str,
    pub role: Role,
    pub csrf: &'a str,
    pub figures: Option<&'a Figures>,
    pub room: &'a RoomState,
    pub posts: &'a [EnrichedMention],
    pub query: &'a str,
    pub now: DateTime<Utc>,
    /// Why the room's actions are not kept in the history, when they are not.
    pub problem: Option<&'a str>,
    /// What the wall shows, and the layouts it may switch to.
    pub showing: &'a Showing,
    pub layouts: &'a [String],
    /// When the wall asks for approval: the posts waiting, and the recent ones approved.
    pub waiting: &'a [Waiting],
    pub approved: &'a [EnrichedMention],
    /// A hub's displays, as they last said.
    pub displays: &'a [DisplaySeen],
    /// The major platforms no source listens to.
    pub blind_spots: &'a [&'static str],
}

/// The whole page.
pub fn control_page(state: &PageState<'_>) -> String {
    let labels = labels(state.locale);
    let acts = state.role >= Role::Operator;
    let mut out = String::with_capacity(32 * 1024);
    head(&mut out, labels, state.title, Some(state.csrf));
    let _ = write!(
        out,
        "<header><h1>{}</h1><span class=\"who\">{} · {}</span>\
         <button class=\"quiet\" data-post=\"/api/logout\" data-then=\"/login\">{}</button></header>",
        escape(state.title),
        escape(state.user),
        state.role.name(),
        labels.logout
    );
    if let Some(problem) = state.problem {
        let _ = write!(
            out,
            "<p class=\"error\" role=\"alert\">{} {}</p>",
            labels.not_kept,
            escape(problem)
        );
    }
    if !acts {
        let _ = write!(out, "<p class=\"notice\">{}</p>", labels.viewer_only);
    }
    // Two columns on a laptop (the room's state and decisions; the alerts and posts to act
    // on); one on a phone, in the order of urgency (the style sheet interleaves them).
    out.push_str("<main><div class=\"column\">");
    live_section(&mut out, labels, state);
    screens_section(&mut out, labels, state, acts);
    banner_section(&mut out, labels, state, acts);
    decisions_section(&mut out, labels, state, acts);
    out.push_str("</div><div class=\"column\">");
    alerts_section(&mut out, labels, state, acts);
    approval_section(&mut out, labels, state, acts);
    posts_section(&mut out, labels, state, acts);
    out.push_str("</div></main></body></html>");
    out
}

fn live_section(out: &mut String, labels: &PageLabels, state: &PageState<'_>) {
    let _ = write!(out, "<section id=\"live\"><h2>{}</h2>", labels.live);
    let Some(figures) = state.figures else {
        let _ = write!(out, "<p class=\"muted\">{}</p></section>", labels.waiting);
        return;
    };
    let own = figures.brands.iter().position(|b| b.own).unwrap_or(0);
    let hour = figures.last_hour.get(own).copied().unwrap_or_default();
    let net = hour
        .net_percent()
        .map_or("—".to_string(), |n| format!("{n:+.0}"));
    let _ = write!(
        out,
        "<div class=\"kpis\"><div class=\"kpi\"><b>{}</b><span>{}</span></div>\
         <div class=\"kpi\"><b>{}</b><span>{}</span></div>\
         <div class=\"kpi{}\"><b>{}</b><span>{}</span></div></div>",
        hour.total(),
        labels.mentions_last_hour,
        net,
        labels.net_sentiment,
        if figures.active_alerts > 0 {
            " alerting"
        } else {
            ""
        },
        figures.active_alerts,
        labels.active_alerts,
    );
    if figures.sources.is_empty() {
        out.push_str("</section>");
        return;
    }
    let _ = write!(out, "<h3>{}</h3><ul class=\"sources\">", labels.sources);
    for source in &figures.sources {
        let (class, what) = match &source.state {
            HealthState::Live => ("ok", labels.source_live.to_string()),
            HealthState::Starting => ("muted", labels.source_starting.to_string()),
            HealthState::Finished => ("muted", labels.source_finished.to_string()),
            HealthState::Stale { since } => (
                "warn",
                format!("{} {}", labels.source_stale_since, clock(*since)),
            ),
            HealthState::Failed { reason, .. } => {
                ("bad", format!("{} : {reason}", labels.source_failed))
            }
        };
        // Its lag: how long since its last post, on the wall's clock.
        let lag = source
            .last_received
            .map(|last| {
                let seconds = (figures.now - last).num_seconds().max(0);
                if seconds < 120 {
                    format!(" · {} {seconds} s{}", labels.last_post, labels.ago)
                } else {
                    format!(" · {} {} min{}", labels.last_post, seconds / 60, labels.ago)
                }
            })
            .unwrap_or_default();
        let rate = format!(" · {:.1} {}", source.per_minute, labels.per_minute);
        let quota = source
            .quota
            .map(|quota| {
                let period = match quota.period {
                    crate::model::QuotaPeriod::Day => labels.today,
                    crate::model::QuotaPeriod::Month => labels.this_month,
                };
                let class = if quota.fraction() >= 0.9 {
                    " class=\"bad\""
                } else {
                    ""
                };
                format!(
                    " · <span{class}>{} {} / {} {period}</span>",
                    labels.quota, quota.used, quota.limit
                )
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            "<li class=\"{class}\"><b>{}</b> {}{}{rate}{quota} · {} {}</li>",
            escape(&source.name),
            escape(&what),
            lag,
            source.received,
            labels.received
        );
    }
    out.push_str("</ul>");
    if !state.blind_spots.is_empty() {
        let _ = write!(
            out,
            "<p class=\"warn blind\">{} {}</p>",
            labels.not_listened,
            escape(&state.blind_spots.join(" · "))
        );
    }
    out.push_str("</section>");
}

fn alerts_section(out: &mut String, labels: &PageLabels, state: &PageState<'_>, acts: bool) {
    let _ = write!(out, "<section id=\"alerts\"><h2>{}</h2>", labels.alerts);
    let alerts = state.figures.map(|f| f.alerts.as_slice()).unwrap_or(&[]);
    if alerts.is_empty() {
        let _ = write!(out, "<p class=\"muted\">{}</p>", labels.no_alerts);
    }
    for alert in alerts {
        let handled = state.room.handling(alert.id, alert.started_at);
        let class = match (alert.is_active(), handled) {
            (false, _) => "ended",
            (true, Some(_)) => "handled",
            (true, None) => "open",
        };
        let _ = write!(
            out,
            "<article class=\"alert {class} severity-{}\" data-alert=\"{}\"><p class=\"summary\">{}</p>\
             <p class=\"muted\">{}",
            serde_json::to_value(alert.severity)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            alert.id,
            escape(&alert.summary),
            clock(alert.started_at)
        );
        if let Some(end) = alert.ended_at {
            let _ = write!(out, " · {} {}", labels.ended, clock(end));
        }
        if let Some(handling) = handled {
            let _ = write!(
                out,
                " · <span class=\"tag\">{} · {} · {}</span>",
                labels.handled,
                escape(&handling.by),
                clock(handling.at)
            );
            if let Some(resolution) = &handling.resolved {
                let _ = write!(
                    out,
                    " · <span class=\"tag\">{} · {} · {}</span> {}",
                    labels.resolved,
                    escape(&resolution.by),
                    clock(resolution.at),
                    escape(&resolution.note)
                );
            }
        }
        out.push_str("</p>");
        if acts {
            out.push_str("<div class=\"actions\">");
            // An ended alert needs no one to take it in hand; it may still be resolved.
            if handled.is_none() && alert.is_active() {
                let _ = write!(
                    out,
                    "<button data-post=\"/api/alerts/{}/acknowledge\">{}</button>",
                    alert.id, labels.acknowledge
                );
            }
            if handled.is_none_or(|h| h.resolved.is_none()) {
                let _ = write!(
                    out,
                    "<form class=\"inline\" data-form=\"/api/alerts/{}/resolve\">\
                     <input name=\"note\" placeholder=\"{}\" aria-label=\"{}\">\
                     <button type=\"submit\">{}</button></form>",
                    alert.id, labels.resolve_note, labels.resolve_note, labels.resolve
                );
            }
            out.push_str("</div>");
        }
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

fn screens_section(out: &mut String, labels: &PageLabels, state: &PageState<'_>, acts: bool) {
    let showing = state.showing;
    let because = match &showing.because {
        ShownBecause::Own => labels.because_own.to_string(),
        ShownBecause::Chosen { .. } => labels.because_chosen.to_string(),
        ShownBecause::Takeover { rule, .. } => {
            format!("{} « {} »", labels.because_takeover, escape(rule))
        }
        ShownBecause::LobbySafe => labels.because_safe.to_string(),
    };
    let _ = write!(out, "<section id=\"screens\"><h2>{}</h2>", labels.screens);
    if showing.layout.is_empty() {
        // A hub: no screen of its own, its displays below.
        let _ = write!(
            out,
            "<p class=\"muted\" id=\"showing\">{}</p>",
            labels.no_screen_here
        );
    } else {
        let _ = write!(
            out,
            "<p class=\"current\" id=\"showing\">{} : <b>{}</b> · {}</p>",
            labels.showing,
            escape(&showing.layout),
            because
        );
    }
    // Each screen as the wall draws it (taken on request, at most a second old).
    if !showing.screens.is_empty() {
        out.push_str("<div class=\"screens\">");
        for screen in &showing.screens {
            screen_figure(
                out,
                &format!("/api/screens/{}.png", encode_segment(screen)),
                labels,
                screen,
            );
        }
        out.push_str("</div>");
    }
    displays_list(out, labels, state, acts);
    if !acts {
        out.push_str("</section>");
        return;
    }
    let chosen = state.room.layout.as_deref();
    out.push_str("<div class=\"actions\">");
    for name in state.layouts {
        let current = pressed(chosen == Some(name.as_str()));
        let body = escape(&serde_json::json!({ "layout": name }).to_string());
        let _ = write!(
            out,
            "<button{current} data-post=\"/api/layout\" data-body=\"{body}\" data-layout=\"{}\">{} {}</button>",
            escape(name),
            labels.switch_to,
            escape(name)
        );
    }
    if chosen.is_some() {
        let _ = write!(
            out,
            "<button class=\"quiet\" data-post=\"/api/layout\" data-body='{{\"layout\":null}}' id=\"back-to-own\">{}</button>",
            labels.back_to_own
        );
    }
    out.push_str("</div><div class=\"actions\">");
    let (safe_label, safe_body) = if state.room.lobby_safe {
        (labels.lobby_safe_off, "{\"on\":false}")
    } else {
        (labels.lobby_safe_on, "{\"on\":true}")
    };
    let _ = write!(
        out,
        "<button data-post=\"/api/lobby-safe\" data-body='{safe_body}' id=\"lobby-safe\">{safe_label}</button>"
    );
    if !showing.pages.is_empty() {
        let (label, action) = match state.room.rotation {
            Rotation::Turning => (labels.pause_rotation, "pause"),
            Rotation::Held | Rotation::Page(_) => (labels.resume_rotation, "resume"),
        };
        let _ = write!(
            out,
            "<button class=\"quiet\" data-post=\"/api/rotation\" data-body='{{\"action\":\"{action}\"}}'>{label}</button>"
        );
        for (index, page) in showing.pages.iter().enumerate() {
            let current = pressed(state.room.rotation == Rotation::Page(index));
            let _ = write!(
                out,
                "<button{current} data-post=\"/api/rotation\" data-body='{{\"action\":\"page\",\"page\":{}}}'>{} {} · {}</button>",
                index + 1,
                labels.page_label,
                index + 1,
                escape(page)
            );
        }
    }
    out.push_str("</div></section>");
}

/// The class a button that shows what is in force gets.
fn pressed(on: bool) -> &'static str {
    if on {
        " class=\"current\" aria-pressed=\"true\""
    } else {
        ""
    }
}

/// A screen's picture, loaded by the script after the page (`data-src`), with its caption.
fn screen_figure(out: &mut String, src: &str, labels: &PageLabels, caption: &str) {
    let _ = write!(
        out,
        "<figure><img data-src=\"{src}\" alt=\"{} {}\" width=\"480\" height=\"270\">\
         <figcaption>{}</figcaption></figure>",
        labels.screen_picture,
        escape(caption),
        escape(caption)
    );
}

/// A hub's displays: each one's room, when it was last heard of, what it shows; then, per
/// room, the layout switch for that room only.
fn displays_list(out: &mut String, labels: &PageLabels, state: &PageState<'_>, acts: bool) {
    if state.displays.is_empty() {
        return;
    }
    let _ = write!(out, "<h3>{}</h3><ul class=\"displays\">", labels.displays);
    for display in state.displays {
        let beat = &display.beat;
        let seen = if display.alive {
            format!(
                "{} {} {}",
                labels.seen, display.seconds_since, labels.seconds_ago
            )
        } else {
            format!(
                "{} · {} {} {}",
                labels.silent, labels.seen, display.seconds_since, labels.seconds_ago
            )
        };
        let _ = write!(
            out,
            "<li class=\"{}\" data-display=\"{}\"><b>{}</b>{} · {} · {} · {} · {} · {} {}</li>",
            if display.alive { "alive" } else { "silent" },
            escape(&beat.name),
            escape(&beat.name),
            beat.room
                .as_deref()
                .map(|room| format!(" · {} {}", labels.room_label, escape(room)))
                .unwrap_or_default(),
            seen,
            escape(&beat.layout),
            escape(&beat.screens.join(", ")),
            escape(&beat.version),
            beat.frames_drawn,
            labels.frames_label
        );
    }
    out.push_str("</ul><div class=\"screens\">");
    for display in state.displays.iter().filter(|d| d.alive) {
        for screen in &display.beat.screens {
            screen_figure(
                out,
                &format!(
                    "/api/displays/{}/screens/{}.png",
                    encode_segment(&display.beat.name),
                    encode_segment(screen)
                ),
                labels,
                &format!("{} · {screen}", display.beat.name),
            );
        }
    }
    out.push_str("</div>");
    if !acts {
        return;
    }
    let mut rooms: Vec<&str> = state
        .displays
        .iter()
        .filter_map(|d| d.beat.room.as_deref())
        .collect();
    rooms.sort_unstable();
    rooms.dedup();
    for room in rooms {
        let chosen = state.room.room_layouts.get(room);
        let _ = write!(
            out,
            "<div class=\"actions\" data-room=\"{}\"><span class=\"muted\">{} {}</span>",
            escape(room),
            labels.in_room,
            escape(room)
        );
        for name in state.layouts {
            let current = pressed(chosen == Some(name));
            let body = escape(&serde_json::json!({ "layout": name, "room": room }).to_string());
            let _ = write!(
                out,
                "<button{current} data-post=\"/api/layout\" data-body=\"{body}\">{}</button>",
                escape(name)
            );
        }
        if chosen.is_some() {
            let body = escape(&serde_json::json!({ "layout": null, "room": room }).to_string());
            let _ = write!(
                out,
                "<button class=\"quiet\" data-post=\"/api/layout\" data-body=\"{body}\">{}</button>",
                labels.back_to_own
            );
        }
        out.push_str("</div>");
    }
}

fn banner_section(out: &mut String, labels: &PageLabels, state: &PageState<'_>, acts: bool) {
    let _ = write!(out, "<section id=\"banner\"><h2>{}</h2>", labels.banner);
    if let Some(banner) = state.room.live_banner(state.now) {
        let _ = write!(
            out,
            "<p class=\"current\">« {} » · {} · {} {}</p>",
            escape(&banner.text),
            escape(&banner.by),
            labels.banner_until,
            clock(banner.until)
        );
        if acts {
            let _ = write!(
                out,
                "<button class=\"quiet\" data-post=\"/api/banner\" data-body='{{\"text\":\"\"}}'>{}</button>",
                labels.clear_banner
            );
        }
    }
    if acts {
        let _ = write!(
            out,
            "<form class=\"inline\" data-form=\"/api/banner\"><input name=\"text\" maxlength=\"200\" \
             placeholder=\"{}\" aria-label=\"{}\" required>\
             <input name=\"minutes\" type=\"number\" min=\"1\" max=\"1440\" value=\"60\" aria-label=\"{}\">\
             <button type=\"submit\">{}</button></form>",
            labels.banner_placeholder, labels.banner, labels.minutes, labels.show_banner
        );
    }
    out.push_str("</section>");
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Negative => "negative",
        Tone::Neutral => "neutral",
        Tone::Positive => "positive",
    }
}

fn category_name(locale_fr: bool, category: crate::privacy::Category) -> &'static str {
    use crate::privacy::Category;
    match (locale_fr, category) {
        (true, Category::Profanity) => "grossièreté",
        (true, Category::Sexual) => "sexuel",
        (true, Category::Slurs) => "insulte haineuse",
        (true, Category::Threats) => "menace",
        (false, category) => category.name(),
    }
}

fn approval_section(out: &mut String, labels: &PageLabels, state: &PageState<'_>, acts: bool) {
    let Some(rules) = &state.showing.approval else {
        return;
    };
    let fr = state.locale == Locale::Fr;
    let _ = write!(
        out,
        "<section id=\"approval\"><h2>{}</h2><p class=\"muted\">{}",
        labels.approval, labels.approval_rules
    );
    if !rules.own_accounts.is_empty() {
        let _ = write!(out, " {}", labels.auto_own);
    }
    if let Some(min) = rules.positive_from_followers {
        let _ = write!(
            out,
            " {} {min} {}.",
            labels.auto_followers, labels.followers
        );
    }
    out.push_str("</p>");
    if state.waiting.is_empty() {
        let _ = write!(out, "<p class=\"muted\">{}</p>", labels.nothing_waiting);
    }
    for waiting in state.waiting {
        let post = &waiting.post;
        let path = encode_segment(&post.mention.id);
        let kept_off = waiting.verdict.hidden;
        let _ = write!(
            out,
            "<article class=\"post waiting {}\" data-waiting-id=\"{}\"><p class=\"meta\"><b>{}</b> @{} · {} {} · {}</p>",
            tone_class(post.tone),
            escape(&post.mention.id),
            post.mention.platform.label(),
            escape(&post.mention.author.handle),
            post.mention.author.reach,
            labels.followers,
            clock(post.mention.created_at)
        );
        match kept_off {
            Some(category) => {
                let _ = write!(
                    out,
                    "<p class=\"text kept-off\">{} : {}</p>",
                    labels.kept_off,
                    category_name(fr, category)
                );
            }
            None => {
                // What the lobby would show: the filter's masked text.
                let _ = write!(
                    out,
                    "<p class=\"text\">{}</p>",
                    escape(&waiting.verdict.text)
                );
                if !waiting.verdict.flagged.is_empty() {
                    let names: Vec<&str> = waiting
                        .verdict
                        .flagged
                        .iter()
                        .map(|c| category_name(fr, *c))
                        .collect();
                    let _ = write!(
                        out,
                        "<p class=\"meta\">{} : {}</p>",
                        labels.flagged,
                        names.join(", ")
                    );
                }
            }
        }
        if acts {
            out.push_str("<div class=\"actions\">");
            if kept_off.is_none() {
                let _ = write!(
                    out,
                    "<button data-post=\"/api/posts/{path}/approve\">{}</button>",
                    labels.approve
                );
            }
            let _ = write!(
                out,
                "<button class=\"quiet\" data-post=\"/api/posts/{path}/reject\">{}</button></div>",
                labels.reject
            );
        }
        out.push_str("</article>");
    }
    if !state.approved.is_empty() {
        let _ = write!(out, "<h3>{}</h3>", labels.approved_posts);
        for post in state.approved {
            let path = encode_segment(&post.mention.id);
            let _ = write!(
                out,
                "<article class=\"post approved\" data-approved-id=\"{}\"><p class=\"meta\">@{} · {}</p><p class=\"text\">{}</p>",
                escape(&post.mention.id),
                escape(&post.mention.author.handle),
                clock(post.mention.created_at),
                escape(&post.mention.text)
            );
            if acts {
                let _ = write!(
                    out,
                    "<div class=\"actions\"><button class=\"quiet\" data-post=\"/api/posts/{path}/reject\">{}</button></div>",
                    labels.withdraw
                );
            }
            out.push_str("</article>");
        }
    }
    out.push_str("</section>");
}

fn posts_section(out: &mut String, labels: &PageLabels, state: &PageState<'_>, acts: bool) {
    let _ = write!(
        out,
        "<section id=\"posts\"><h2>{}</h2><form class=\"search\" method=\"get\" action=\"/\">\
         <input name=\"q\" value=\"{}\" placeholder=\"{}\" aria-label=\"{}\">\
         <button type=\"submit\">{}</button></form>",
        labels.posts,
        escape(state.query),
        labels.search_placeholder,
        labels.search,
        labels.search
    );
    if state.posts.is_empty() {
        let _ = write!(out, "<p class=\"muted\">{}</p>", labels.no_posts);
    }
    for mention in state.posts {
        let id = &mention.mention.id;
        let path = encode_segment(id);
        let author = author_key(mention);
        let hidden = state.room.hidden.contains(id);
        let blocked = state.room.blocked.contains(&author);
        let pinned = state
            .room
            .live_pins(state.now)
            .any(|p| &p.mention.mention.id == id);
        let _ = write!(
            out,
            "<article class=\"post {}{}{}{}\" data-post-id=\"{}\"><p class=\"meta\"><b>{}</b> @{} · {}</p>\
             <p class=\"text\">{}</p>",
            tone_class(mention.tone),
            if hidden { " is-hidden" } else { "" },
            if blocked { " is-blocked" } else { "" },
            if pinned { " is-pinned" } else { "" },
            escape(id),
            mention.mention.platform.label(),
            escape(&mention.mention.author.handle),
            clock(mention.mention.created_at),
            escape(&mention.mention.text)
        );
        if acts {
            out.push_str("<div class=\"actions\">");
            let (pin_path, pin_label) = if pinned {
                ("unpin", labels.unpin)
            } else {
                ("pin", labels.pin)
            };
            let (hide_path, hide_label) = if hidden {
                ("unhide", labels.unhide)
            } else {
                ("hide", labels.hide)
            };
            let _ = write!(
                out,
                "<button data-post=\"/api/posts/{path}/{pin_path}\">{pin_label}</button>\
                 <button data-post=\"/api/posts/{path}/{hide_path}\">{hide_label}</button>"
            );
            let (block_path, block_label) = if blocked {
                ("unblock", labels.unblock)
            } else {
                ("block", labels.block)
            };
            let _ = write!(
                out,
                "<button data-post=\"/api/authors/{block_path}\" data-body=\"{}\">{block_label}</button>",
                escape(&serde_json::json!({ "author": author }).to_string())
            );
            out.push_str("</div>");
        }
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

fn decisions_section(out: &mut String, labels: &PageLabels, state: &PageState<'_>, acts: bool) {
    let _ = write!(
        out,
        "<section id=\"decisions\"><h2>{}</h2>",
        labels.decisions
    );
    let room = state.room;
    let pins: Vec<_> = room.live_pins(state.now).collect();
    if pins.is_empty() && room.hidden.is_empty() && room.blocked.is_empty() {
        let _ = write!(out, "<p class=\"muted\">{}</p>", labels.nothing_decided);
    }
    let undo = |out: &mut String, path: String, body: Option<String>, label: &str| {
        if acts {
            let body = body
                .map(|b| format!(" data-body=\"{}\"", escape(&b)))
                .unwrap_or_default();
            let _ = write!(
                out,
                " <button class=\"quiet\" data-post=\"{path}\"{body}>{label}</button>"
            );
        }
    };
    if !pins.is_empty() {
        let _ = write!(out, "<h3>{}</h3><ul>", labels.pinned);
        for pin in pins {
            let _ = write!(
                out,
                "<li>{} · {} → {}",
                escape(&pin.mention.mention.text),
                escape(&pin.by),
                clock(pin.until)
            );
            undo(
                out,
                format!(
                    "/api/posts/{}/unpin",
                    encode_segment(&pin.mention.mention.id)
                ),
                None,
                labels.unpin,
            );
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if !room.hidden.is_empty() {
        let _ = write!(out, "<h3>{}</h3><ul>", labels.hidden);
        for id in &room.hidden {
            let _ = write!(out, "<li><code>{}</code>", escape(id));
            undo(
                out,
                format!("/api/posts/{}/unhide", encode_segment(id)),
                None,
                labels.unhide,
            );
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if !room.blocked.is_empty() {
        let _ = write!(out, "<h3>{}</h3><ul>", labels.blocked);
        for author in &room.blocked {
            let _ = write!(out, "<li><code>{}</code>", escape(author));
            undo(
                out,
                "/api/authors/unblock".to_string(),
                Some(serde_json::json!({ "author": author }).to_string()),
                labels.unblock,
            );
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_ids_are_encoded() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(
            encode_segment("bluesky:at://did:plc:abc/app.bsky.feed.post/3lxyz"),
            "bluesky%3Aat%3A%2F%2Fdid%3Aplc%3Aabc%2Fapp.bsky.feed.post%2F3lxyz"
        );
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn a_hostile_post_is_shown_as_text_and_a_viewer_gets_no_button() {
        let mut post = crate::model::test_card("p1", "<img src=x onerror=alert(1)>");
        post.mention.author.handle = "\"><script>".into();
        let room = RoomState::default();
        let posts = vec![post];
        let page = |role| {
            control_page(&PageState {
                locale: Locale::Fr,
                title: "Petit Loup",
                user: "léo",
                role,
                csrf: "token",
                figures: None,
                room: &room,
                posts: &posts,
                query: "\"<b>",
                now: Utc::now(),
                problem: None,
                showing: &Showing::default(),
                layouts: &[],
                waiting: &[],
                approved: &[],
                displays: &[],
                blind_spots: &[],
            })
        };
        let html = page(Role::Viewer);
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("\"><script>"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(
            !html.contains("data-post=\"/api/posts"),
            "a viewer gets no button"
        );
        assert!(html.contains("Lecture seule"));
        let html = page(Role::Operator);
        assert!(html.contains("data-post=\"/api/posts/p1/hide\""), "{html}");
        assert!(html.contains("<meta name=\"csrf\" content=\"token\">"));
        assert!(!html.contains("role=\"alert\""), "no problem, no alert bar");
        let html = control_page(&PageState {
            locale: Locale::Fr,
            title: "Petit Loup",
            user: "camille",
            role: Role::Operator,
            csrf: "token",
            figures: None,
            room: &room,
            posts: &posts,
            query: "",
            now: Utc::now(),
            problem: Some("not kept in the history: disk <full>"),
            showing: &Showing::default(),
            layouts: &[],
            waiting: &[],
            approved: &[],
            displays: &[],
            blind_spots: &["LinkedIn"],
        });
        assert!(
            html.contains(
                "<p class=\"error\" role=\"alert\">Les actions s'appliquent au mur mais ne sont \
                 pas gardées dans l'historique : not kept in the history: disk &lt;full&gt;</p>"
            ),
            "{html}"
        );
    }

    #[test]
    fn each_source_shows_its_state_and_its_lag_in_the_walls_language() {
        let now = Utc::now();
        let figures = Figures {
            now,
            sources: vec![
                crate::model::SourceHealth {
                    name: "bluesky".into(),
                    state: HealthState::Live,
                    received: 4292,
                    malformed: 0,
                    dropped: 0,
                    last_received: Some(now - chrono::TimeDelta::seconds(12)),
                    newest_post: None,
                    per_minute: 3.25,
                    quota: None,
                },
                crate::model::SourceHealth {
                    name: "youtube".into(),
                    state: HealthState::Live,
                    received: 40,
                    malformed: 0,
                    dropped: 0,
                    last_received: Some(now - chrono::TimeDelta::seconds(30)),
                    newest_post: None,
                    per_minute: 0.5,
                    quota: Some(crate::model::Quota {
                        used: 9_400,
                        limit: 10_000,
                        period: crate::model::QuotaPeriod::Day,
                    }),
                },
            ],
            ..Figures::default()
        };
        let room = RoomState::default();
        let page = |locale| {
            control_page(&PageState {
                locale,
                title: "Petit Loup",
                user: "léo",
                role: Role::Viewer,
                csrf: "token",
                figures: Some(&figures),
                room: &room,
                posts: &[],
                query: "",
                now,
                problem: None,
                showing: &Showing::default(),
                layouts: &[],
                waiting: &[],
                approved: &[],
                displays: &[],
                blind_spots: &["X", "LinkedIn"],
            })
        };
        let french = page(Locale::Fr);
        assert!(
            french.contains(
                "<b>youtube</b> en direct · dernier post il y a 30 s · 0.5 posts / min · \
                 <span class=\"bad\">quota 9400 / 10000 aujourd'hui</span> · 40 reçus"
            ),
            "{french}"
        );
        assert!(
            french.contains("<p class=\"warn blind\">Plateformes non écoutées : X · LinkedIn</p>"),
            "{french}"
        );
        assert!(
            page(Locale::Fr).contains(
                "<b>bluesky</b> en direct · dernier post il y a 12 s · 3.2 posts / min · 4292 reçus"
            ),
            "{}",
            page(Locale::Fr)
        );
        assert!(page(Locale::En).contains(
            "<b>bluesky</b> live · last post 12 s ago · 3.2 posts / min · 4292 received"
        ));
    }
}
