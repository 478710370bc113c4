//! The binary's handling of bad input: located errors and non-zero exits.

use std::process::Command;

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

/// `vigie --config PATH check`, run.
/// Runs a subcommand that needs no config (where there is none) with `input` on its stdin.
fn with_stdin(command: &str, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = vigie()
        .current_dir(std::env::temp_dir())
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigie runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("vigie ends")
}

fn check(path: &std::path::Path) -> std::process::Output {
    vigie()
        .arg("--config")
        .arg(path)
        .arg("check")
        .output()
        .expect("vigie runs")
}

#[test]
fn check_accepts_the_shipped_config() {
    let out = vigie()
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
            "check",
        ])
        .output()
        .expect("vigie runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 brands"));
}

#[test]
fn a_malformed_config_names_file_line_and_problem_and_exits_non_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.toml");
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let broken = shipped.replacen("color = \"#FFB74D\"", "color = \"orange\"", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("\"orange\""))
        .expect("edited line")
        + 1;
    std::fs::write(&path, broken).expect("write");
    for args in [vec!["check"], vec![]] {
        let out = vigie()
            .arg("--config")
            .arg(&path)
            .args(&args)
            .output()
            .expect("vigie runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("broken.toml:{line}:")),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("#rrggbb"), "{stderr}");
    }
}

#[test]
fn a_toml_syntax_error_is_located() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("syntax.toml");
    std::fs::write(&path, "locale = \"fr\"\n[wall\ntitle = \"x\"\n").expect("write");
    let out = check(&path);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("syntax.toml:2:"), "{stderr}");
}

#[test]
fn a_missing_config_says_so() {
    let out = vigie()
        .args(["--config", "/nonexistent/vigie.toml", "check"])
        .output()
        .expect("vigie runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/vigie.toml: cannot read the config"),
        "{stderr}"
    );
    assert!(!stderr.contains(":0:0"), "no made-up place: {stderr}");
}

#[test]
fn check_validates_every_shipped_layout() {
    let out = vigie()
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
            "check",
        ])
        .output()
        .expect("vigie runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for layout in ["laptop.toml", "lobby.toml", "single.toml", "warroom.toml"] {
        assert!(
            stdout.contains(&format!("{layout}: ok")),
            "{layout}: {stdout}"
        );
    }
    assert!(stdout.contains("warroom.toml: ok (3 screens)"), "{stdout}");
}

#[test]
fn check_prints_every_layout_error_located_with_hints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("room.toml");
    std::fs::write(
        &path,
        "[[screen]]\nname = \"main\"\nareas = \"\"\"\nstream volume\nvolume volume\n\"\"\"\n\
         [screen.tiles.stream]\nkind = \"strem\"\n[screen.tiles.volume]\nkind = \"volume\"\n\
         [screen.tiles.alerts]\nkind = \"alerts\"\n",
    )
    .expect("write");
    let out = vigie()
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
            "check",
        ])
        .arg(&path)
        .output()
        .expect("vigie runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("room.toml:"))
        .collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    assert!(
        stderr.contains("room.toml:4:1: area 'volume' is not a rectangle"),
        "{stderr}"
    );
    assert!(
        stderr.contains("room.toml:11:15: tile 'alerts' is named in no area"),
        "{stderr}"
    );
    assert!(
        stderr.contains("room.toml:8:8: unknown tile kind 'strem' (did you mean 'stream'?)"),
        "{stderr}"
    );
    // The wall refuses to start on it, with the same errors.
    let out = vigie()
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
            "--layout",
        ])
        .arg(&path)
        .output()
        .expect("vigie runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("room.toml:8:8:"));
}

#[test]
fn check_validates_live_sources_and_names_missing_token_variables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let with_webhook = format!(
        "{shipped}\n[[sources]]\ntype = \"webhook\"\ntoken_env = \"VIGIE_TEST_TOKEN_NOBODY_SETS\"\n"
    );
    let path = dir.path().join("config.toml");
    std::fs::write(&path, &with_webhook).expect("write");
    let out = vigie()
        .arg("--config")
        .arg(&path)
        .arg("check")
        .env_remove("VIGIE_TEST_TOKEN_NOBODY_SETS")
        .output()
        .expect("vigie runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "a missing variable is a warning: {stdout}"
    );
    assert!(
        stdout.contains("source 'webhook' reads its token from $VIGIE_TEST_TOKEN_NOBODY_SETS"),
        "{stdout}"
    );

    let broken = with_webhook.replace(
        "token_env = \"VIGIE_TEST_TOKEN_NOBODY_SETS\"",
        "token_env = \"VIGIE_TEST_TOKEN_NOBODY_SETS\"\nlisten = \"port 80\"",
    );
    std::fs::write(&path, &broken).expect("write");
    let out = check(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // The error points at the entry's `[[sources]]` header, the file's last one.
    let lines: Vec<&str> = broken.lines().collect();
    let line = lines
        .iter()
        .rposition(|l| *l == "[[sources]]")
        .expect("the entry")
        + 1;
    assert!(
        stderr.contains(&format!("config.toml:{line}:"))
            && stderr.contains("listen = 'port 80' is not an address:port"),
        "{stderr}"
    );
}

#[test]
fn sentiment_prints_one_score_per_input_line_and_nothing_else() {
    let out = with_stdin(
        "sentiment",
        "J'adore, c'est génial !\nThis is terrible, I hate it.\n\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let scores: Vec<f32> = stdout
        .lines()
        .map(|l| l.parse().unwrap_or_else(|_| panic!("not a score: {l:?}")))
        .collect();
    assert_eq!(scores.len(), 3, "{stdout}");
    assert!(
        scores[0] > 0.5 && scores[1] < -0.5 && scores[2] == 0.0,
        "{scores:?}"
    );
}

#[test]
fn detect_prints_every_row_with_a_score_and_locates_bad_input() {
    let run = |input: String| with_stdin("detect", &input);
    let mut input = String::from("timestamp,value\n");
    for i in 0..3000 {
        let value = if i == 2900 { 900 } else { 40 + (i * 7) % 11 };
        let time = 1_425_000_000 + i * 300;
        input.push_str(&format!("{time},{value}\n"));
    }
    let out = run(input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("timestamp,value,anomaly_score"));
    let rows: Vec<(String, f64)> = lines
        .map(|l| {
            let (head, score) = l.rsplit_once(',').expect("three columns");
            (head.to_string(), score.parse().expect("a score"))
        })
        .collect();
    assert_eq!(rows.len(), 3000);
    assert_eq!(rows[2900].0, format!("{},900", 1_425_000_000 + 2900 * 300));
    let top = rows
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.1.total_cmp(&b.1.1))
        .map(|(i, _)| i);
    assert_eq!(top, Some(2900));

    let out = run("timestamp,value\n1425000000,4\n1425000300,four\n".into());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "vigie detect: standard input, line 3: unreadable value \"four\""
    );
}

#[test]
fn eval_nab_scores_a_corpus_with_the_three_profiles() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One series with one labelled burst, in NAB's layout.
    let mut csv = String::from("timestamp,value\n");
    let start = chrono::DateTime::from_timestamp(1_425_000_000, 0).expect("time");
    let stamp = |i: i64| {
        (start + chrono::Duration::minutes(5 * i))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    for i in 0..6000 {
        let value = if (5000..5003).contains(&i) {
            800
        } else {
            30 + (i * 13) % 9
        };
        csv.push_str(&format!("{},{value}\n", stamp(i)));
    }
    std::fs::create_dir(dir.path().join("realTweets")).expect("mkdir");
    std::fs::write(dir.path().join("realTweets/series.csv"), csv).expect("write");
    std::fs::write(
        dir.path().join("windows.json"),
        format!(
            "{{\"realTweets/series.csv\": [[\"{}.000000\", \"{}.000000\"]]}}",
            stamp(4900),
            stamp(5100)
        ),
    )
    .expect("write");
    let results = dir.path().join("results");
    let out = vigie()
        .current_dir(std::env::temp_dir())
        .args(["eval", "nab"])
        .arg(dir.path())
        .arg("--results")
        .arg(&results)
        .output()
        .expect("vigie runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    for profile in ["standard", "reward_low_FP_rate", "reward_low_FN_rate"] {
        let line = table
            .lines()
            .find(|l| l.starts_with(profile))
            .unwrap_or_else(|| panic!("no {profile} line in {table}"));
        let score: f64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("score");
        // Found half-way into its window, nothing else: 0.86 of a perfect detection.
        assert!(score > 85.0 && score <= 100.0, "{line}");
        assert!(line.contains("1/1"), "{line}");
    }
    let written = std::fs::read_to_string(results.join("realTweets/series.csv")).expect("results");
    assert_eq!(written.lines().count(), 6001);
    assert!(written.starts_with("timestamp,value,anomaly_score\n"));
}

#[test]
fn eval_sentiment_prints_macro_f1_and_the_confusion_of_each_split_it_finds() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Hand-written sentences, one per class, each read as such by the rules and the model.
    let texts = "This is the worst service ever, I hate it\n\
                 The shop opens at nine tomorrow\n\
                 I love it, absolutely wonderful!\n\
                 Arnaque totale, remboursez-moi\n\
                 Le magasin ouvre à 9h\n\
                 Service client au top, merci !\n";
    std::fs::write(dir.path().join("val_text.txt"), texts).expect("write");
    std::fs::write(dir.path().join("val_labels.txt"), "0\n1\n2\n0\n1\n2\n").expect("write");
    let out = vigie()
        .current_dir(std::env::temp_dir())
        .args(["eval", "sentiment"])
        .arg(dir.path())
        .output()
        .expect("vigie runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.contains("6 texts of"), "{table}");
    let vigie_line = table
        .lines()
        .find(|l| l.starts_with("Vigie "))
        .unwrap_or_else(|| panic!("no Vigie line in {table}"));
    let figures: Vec<&str> = vigie_line.split_whitespace().collect();
    assert_eq!(figures[1], "1.000", "macro-F1: {vigie_line}");
    assert_eq!(figures[2], "1.000", "accuracy: {vigie_line}");
    assert!(
        vigie_line.ends_with("2 0 0 | 0 2 0 | 0 0 2"),
        "{vigie_line}"
    );
    // The Python peers are listed whether or not they are installed here.
    assert!(table.contains("vaderSentiment (Python)"), "{table}");
    assert!(table.contains("vaderSentiment-fr (Python)"), "{table}");

    // A label that is not a class is a located error.
    std::fs::write(
        dir.path().join("val_labels.txt"),
        "0\n1\n2\n0\nneutral\n2\n",
    )
    .expect("write");
    let out = vigie()
        .args(["eval", "sentiment"])
        .arg(dir.path())
        .output()
        .expect("vigie runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("val_labels.txt: labels line 5"), "{stderr}");
}

#[test]
fn a_configured_layout_that_does_not_exist_is_the_config_lines_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let commented = "# layout = \"layouts/warroom.toml\"";
    assert!(shipped.contains(commented));
    let text = shipped.replace(commented, "layout = \"layouts/nowhere.toml\"");
    let line = text
        .lines()
        .position(|l| l.starts_with("layout = "))
        .expect("the layout line")
        + 1;
    let path = dir.path().join("config.toml");
    std::fs::write(&path, &text).expect("write");
    let out = check(&path);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains(&format!("config.toml:{line}:10: [wall] layout: ")),
        "{all}"
    );
    assert!(
        all.contains("nowhere.toml: cannot read the layout"),
        "{all}"
    );
    assert!(!all.contains(":0:0"), "{all}");
}

#[test]
fn check_warns_when_the_history_disk_is_nearly_full_and_a_wild_bound_is_located() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    assert!(shipped.contains("min_free_mb = 500"));
    let path = dir.path().join("config.toml");
    // A terabyte free asked for: more than this disk has.
    std::fs::write(
        &path,
        shipped.replace("min_free_mb = 500", "min_free_mb = 1000000"),
    )
    .expect("write");
    let out = check(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "a warning, not an error: {stdout}");
    assert!(stdout.contains("warning: disk nearly full: "), "{stdout}");
    // The shipped bound on a disk with room: no warning.
    std::fs::write(&path, &shipped).expect("write");
    let stdout = String::from_utf8_lossy(&check(&path).stdout).into_owned();
    assert!(!stdout.contains("disk nearly full"), "{stdout}");
    // Out of range: located.
    std::fs::write(
        &path,
        shipped.replace("min_free_mb = 500", "min_free_mb = -1"),
    )
    .expect("write");
    let out = check(&path);
    assert_eq!(out.status.code(), Some(2));
    let line = shipped
        .lines()
        .position(|l| l == "min_free_mb = 500")
        .expect("line")
        + 1;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("config.toml:{line}:")), "{stderr}");
}

#[test]
fn check_asks_x_whether_it_would_accept_the_rules_when_the_token_is_set() {
    use axum::response::IntoResponse;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let log = asked.clone();
    let router = axum::Router::new().route(
        "/2/tweets/search/stream/rules",
        axum::routing::post(
            move |axum::extract::RawQuery(query): axum::extract::RawQuery,
                  headers: axum::http::HeaderMap,
                  body: String| {
                let bearer = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                log.lock()
                    .expect("lock")
                    .push((query.unwrap_or_default(), bearer));
                async move {
                    if body.contains("(petit loup OR)") {
                        (
                            axum::http::StatusCode::BAD_REQUEST,
                            std::fs::read_to_string(concat!(
                                env!("CARGO_MANIFEST_DIR"),
                                "/tests/fixtures/x/rules-invalid.json"
                            ))
                            .expect("fixture"),
                        )
                            .into_response()
                    } else {
                        r#"{"meta":{"sent":"2026-11-25T11:50:01.000Z","summary":{"created":0,"not_created":0,"valid":1,"invalid":0}}}"#.into_response()
                    }
                }
            },
        ),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let address = listener.local_addr().expect("address");
    runtime.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let with_x = |rule: &str| {
        format!(
            "{shipped}\n[[sources]]\ntype = \"x\"\ntoken_env = \"VIGIE_TEST_X_TOKEN\"\n\
             base_url = \"http://{address}\"\nrules = ['{rule}']\n"
        )
    };
    let path = dir.path().join("config.toml");
    let run = |config: String| {
        std::fs::write(&path, config).expect("write");
        vigie()
            .arg("--config")
            .arg(&path)
            .arg("check")
            .env("VIGIE_TEST_X_TOKEN", "bearer-for-tests")
            .output()
            .expect("vigie runs")
    };
    let out = run(with_x("(\"petit loup\" OR petitloup) -is:retweet"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("X accepts the 1 rule of source 'x' (dry run)"),
        "{stdout}"
    );
    let out = run(with_x("(petit loup OR) -is:retweet"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a rule X refuses fails the check");
    assert!(
        stderr.contains(
            "source 'x': X refuses rule '(petit loup OR) -is:retweet': There were errors"
        ),
        "{stderr}"
    );
    let asked = asked.lock().expect("lock");
    assert_eq!(asked.len(), 2);
    assert!(
        asked
            .iter()
            .all(|(query, bearer)| query == "dry_run=true" && bearer == "Bearer bearer-for-tests"),
        "{asked:?}"
    );
}
