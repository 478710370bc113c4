//! The `vigie` command line: one subcommand per mode.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use vigie::app::{choose_layout, exit_after, record, replay_config, with_scenario};
use vigie::config::Config;
use vigie::ingest::demo::Scenario;
use vigie::layout::Layout;
use vigie::pipeline::{self, Input, RunOptions};

/// mimalloc: the analysis allocates and frees a few small strings a mention (its card, its
/// evidence, its ledger entry), and glibc's malloc and free were a fifth of the pipeline's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use vigie::wall::{WallExit, WallOptions};

#[derive(Parser)]
#[command(name = "vigie", version, about = "A social command-center wall")]
struct Cli {
    /// The configuration file.
    #[arg(long, global = true, default_value = "config.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    wall: WallArgs,
}

#[derive(Subcommand)]
enum Command {
    /// The hub of several walls: the configured sources, the analysis, the history and the
    /// alert sinks, with no window, publishing the analysed mentions and the alerts to NATS
    /// JetStream ([bus] in the config) for `vigie display`, until --exit-after or Ctrl+C.
    Hub {
        /// The NATS server (nats://host:port); overrides [bus] url.
        #[arg(long)]
        nats: Option<String>,
        #[command(flatten)]
        wall: WallArgs,
    },
    /// A wall with no sources of its own, fed by a hub over NATS JetStream: it replays the
    /// stream from the start of its widest window, then follows it live.
    Display {
        /// The NATS server (nats://host:port); overrides [bus] url.
        #[arg(long)]
        nats: Option<String>,
        /// The hub server's JetStream domain, for a display in another room whose NATS server
        /// is a leaf node of the hub's; overrides [bus] hub_domain.
        #[arg(long)]
        hub_domain: Option<String>,
        /// This display's name in the hub's control page (default: the machine's host name).
        #[arg(long)]
        name: Option<String>,
        /// The room this display is in, for a layout the control page switches in that room
        /// only.
        #[arg(long)]
        room: Option<String>,
        #[command(flatten)]
        wall: WallArgs,
    },
    /// Replay a JSON Lines file of mentions through the analysis and the wall.
    Replay {
        file: PathBuf,
        #[command(flatten)]
        wall: WallArgs,
    },
    /// Run the configured sources and append what they receive to a JSON Lines file, in the
    /// format `vigie replay` reads, until --exit-after or Ctrl+C.
    Record {
        /// The file to append to.
        #[arg(long)]
        out: PathBuf,
        /// Stop after this many seconds.
        #[arg(long)]
        exit_after: Option<f64>,
    },
    /// Score texts read on standard input, one per line: one compound score in [-1, 1] per
    /// line, in order, nothing else. French and English, detected per line.
    Sentiment,
    /// What a lobby screen would show of texts read on standard input, one per line: the text
    /// with its swear words masked, or `[hidden: <category>]` (slurs, sexual, threats); nothing
    /// else. The shipped lists and the default policy.
    LobbyFilter {
        /// Hide @handles too, as a lobby does (the brands' own excepted).
        #[arg(long)]
        hide_handles: bool,
    },
    /// Score a `timestamp,value` CSV read on standard input for anomalies, streaming: prints
    /// `timestamp,value,anomaly_score` for every row, in order, each score from the past only
    /// (the result format of the Numenta Anomaly Benchmark).
    Detect,
    /// Measure the analysis against labelled public data.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Measure the wall: throughput, parsing, latency, idle CPU, memory over a day, frame
    /// times, and the Python VADER peer. Each figure is printed with its conditions.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Print the argon2 hash of a password read on standard input (one line), for a
    /// `[[control.users]]` entry's `password_hash`; the password itself is stored nowhere.
    Passwd,
    /// Validate the configuration and layout files, print every error, and exit (2 if any).
    Check {
        /// Layout files to check; without any, the config's layout and every layouts/*.toml
        /// beside the config.
        layouts: Vec<PathBuf>,
    },
    /// Write the history ([store] in the config) for analysts: mentions, per-minute figures or
    /// alerts since a time, as JSON Lines or CSV, on standard output or to a file.
    Export {
        /// How far back: "24h", "7d", "90m"; or an RFC 3339 time.
        #[arg(long, default_value = "24h")]
        since: String,
        #[arg(long, value_enum, default_value = "jsonl")]
        format: vigie::export::ExportFormat,
        #[arg(long, value_enum, default_value = "mentions")]
        table: vigie::export::ExportTable,
        /// The file to write; standard output without it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Score the spike detector on NAB corpora: folders with `windows.json` and the data
    /// files it names. Prints the standard, reward-low-FP and reward-low-FN scores of each
    /// folder (in-sample, as NAB publishes them), then each series scored leave-one-out: with
    /// the parameters and thresholds chosen on all the other series.
    Nab {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Also write the detector's output for each file here, in NAB's result format.
        #[arg(long)]
        results: Option<PathBuf>,
    },
    /// Score the sentiment scorer on human-labelled texts in three classes: a folder with
    /// `{split}_text.txt` and `{split}_labels.txt` (0 negative, 1 neutral, 2 positive), as
    /// the UMSAB tweets. Prints macro-F1, accuracy and the confusion matrix, beside the Python
    /// vaderSentiment and vaderSentiment-fr when they are installed.
    Sentiment {
        dir: PathBuf,
        /// One split (`train`, `val`, `test`); without it, each of them the folder holds.
        #[arg(long)]
        split: Option<String>,
        /// The texts' language: `fr`, `en`, or `auto` (each text's guessed language, as the
        /// wall does).
        #[arg(long, default_value = "auto")]
        lang: String,
        /// The Python that has the peers installed.
        #[arg(long, default_value = "python3")]
        python: String,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Mentions a second through the whole analysis, one thread, 50 queries, input in memory.
    Pipeline {
        #[arg(long, default_value_t = 2_000_000)]
        mentions: usize,
    },
    /// Seconds a restarted wall takes to rebuild its figures from the history: a day at
    /// 1,000 mentions a minute stored, then read back and counted again.
    Rebuild {
        #[arg(long, default_value_t = 24)]
        hours: u32,
        #[arg(long, default_value_t = 1000)]
        per_minute: u32,
    },
    /// Mentions a second a hub publishes to a local nats-server (JetStream, acknowledged),
    /// then a display reads back from the stream; needs `nats-server` on the PATH.
    Bus {
        #[arg(long, default_value_t = 200_000)]
        mentions: usize,
    },
    /// Lines a second through the lobby filter (`vigie lobby-filter`), one thread.
    Lobby {
        #[arg(long, default_value_t = 200_000)]
        lines: usize,
    },
    /// Mentions a second parsed from raw wire bytes, per source format.
    Parse {
        /// Seconds spent on each format.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
    },
    /// Milliseconds from the analysis channel to the presented frame (needs a display).
    Latency {
        #[arg(long, default_value_t = 10_000)]
        mentions: usize,
        /// Mentions a second, steady.
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        #[arg(long, default_value = "layouts/warroom.toml")]
        layout: PathBuf,
    },
    /// CPU a still wall uses, as a share of one core (needs a display).
    Idle {
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        #[arg(long, default_value = "layouts/warroom.toml")]
        layout: PathBuf,
    },
    /// Resident memory over a simulated day of replay at high speed.
    Soak {
        #[arg(long, default_value_t = 24)]
        hours: u32,
        #[arg(long, default_value_t = 1_000)]
        per_minute: u32,
        /// Event time this many times faster than real time.
        #[arg(long, default_value_t = 360.0)]
        speed: f64,
        /// Run the wall's windows too (needs a display); headless without it.
        #[arg(long)]
        windowed: bool,
        #[arg(long, default_value = "layouts/warroom.toml")]
        layout: PathBuf,
    },
    /// Posts a second acknowledged over HTTP by the webhook, each 202 after the history's
    /// commit (a headless wall in a child process, killed -9 at the end and checked).
    Webhook {
        #[arg(long, default_value_t = 100_000)]
        posts: usize,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 8)]
        senders: usize,
        /// Posts in each request.
        #[arg(long, default_value_t = 100)]
        batch: usize,
    },
    /// Frame times with a layout at each window size, drawing continuously (needs a display).
    Frame {
        #[arg(long, value_delimiter = ',', default_value = "1920x1080,3840x2160")]
        sizes: Vec<String>,
        #[arg(long, default_value_t = 20.0)]
        seconds: f64,
        #[arg(long, default_value = "layouts/warroom.toml")]
        layout: PathBuf,
    },
    /// One size of `frame`, in this process; prints its report as JSON.
    #[command(hide = true)]
    FrameRun {
        #[arg(long)]
        size: String,
        #[arg(long)]
        seconds: f64,
        #[arg(long)]
        layout: PathBuf,
    },
    /// Vigie's sentiment scorer and Python's vaderSentiment on the same texts.
    Peer {
        /// Texts, one per line (or the VADER tweets' TSV); the VADER paper's tweets by default.
        #[arg(long)]
        texts: Option<PathBuf>,
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value = "python3")]
        python: String,
    },
}

#[derive(Args, Clone)]
struct WallArgs {
    /// Demo scenario to play (poster-backlash, quiet-day).
    #[arg(long)]
    scenario: Option<String>,
    /// Event time runs this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Event time to start the clock from (RFC 3339, e.g. 2026-11-25T09:00:00Z) instead of
    /// now: to look at a past day's sources as they were.
    #[arg(long)]
    start: Option<chrono::DateTime<chrono::Utc>>,
    /// Save a PNG of the wall to this path, then exit (with --exit-after, when it elapses).
    #[arg(long)]
    snapshot: Option<PathBuf>,
    /// Exit after this many seconds.
    #[arg(long)]
    exit_after: Option<f64>,
    /// Each screen borderless-fullscreen on the monitor its layout names.
    #[arg(long)]
    fullscreen: bool,
    /// Windows, whatever the config says (for preparing a layout).
    #[arg(long, conflicts_with_all = ["fullscreen", "kiosk"])]
    windowed: bool,
    /// Kiosk: every screen fullscreen, no cursor, screen saver held off, close requests
    /// ignored; Ctrl+Alt+Shift+Q exits.
    #[arg(long)]
    kiosk: bool,
    /// Log how many frames the wall drew every ten seconds.
    #[arg(long)]
    frame_stats: bool,
    /// The layout file (layouts/*.toml); overrides config.toml's `wall.layout`.
    #[arg(long)]
    layout: Option<PathBuf>,
    /// No window: run the sources and the analysis only (with --enriched-out, to feed
    /// another system), until --exit-after or Ctrl+C.
    #[arg(long, conflicts_with_all = ["snapshot", "fullscreen", "kiosk"])]
    headless: bool,
    /// Append every mention the analysis counts (with its brands, sentiment and language),
    /// edits and deletions to this JSON Lines file.
    #[arg(long)]
    enriched_out: Option<PathBuf>,
    /// Headless: write the last figures the analysis computed, as JSON, to this file when the
    /// run ends (to compare runs, or walls).
    #[arg(long)]
    figures_out: Option<PathBuf>,
    /// Neither rebuild the figures from the history nor write to it ([store] in the config):
    /// a throw-away wall, a demo shown once, a test.
    #[arg(long)]
    no_history: bool,
}

/// Where a wall stands on the bus.
enum Role {
    Hub(vigie::config::BusConfig),
    Display(vigie::config::BusConfig),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A benchmark prints its figures: the alerts and spikes of its generated input are noise
    // there (and cost time in the measured loop).
    let default_filter = if matches!(cli.command, Some(Command::Bench { .. })) {
        "error"
    } else {
        "info,wgpu=error,naga=warn,bevy_render=warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("vigie: error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Needs no configuration: a tool for analysts and benchmarks.
    match &cli.command {
        Some(Command::Sentiment) => return sentiment(),
        Some(Command::LobbyFilter { hide_handles }) => return lobby_filter(*hide_handles),
        Some(Command::Detect) => return detect(),
        Some(Command::Eval { what }) => return eval(what),
        Some(Command::Bench { what }) => return bench(&cli.config, what),
        Some(Command::Passwd) => return passwd(),
        _ => {}
    }
    let config = match Config::load(&cli.config) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("vigie: {error}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut bus = None;
    let (config, args, origin) = match cli.command {
        Some(Command::Sentiment) => return sentiment(),
        Some(Command::LobbyFilter { hide_handles }) => return lobby_filter(hide_handles),
        Some(Command::Detect) => return detect(),
        Some(Command::Eval { what }) => return eval(&what),
        Some(Command::Bench { what }) => return bench(&cli.config, &what),
        Some(Command::Passwd) => return passwd(),
        Some(Command::Check { layouts }) => return Ok(check(&cli.config, &config, layouts)),
        Some(Command::Export {
            since,
            format,
            table,
            out,
        }) => return export(&config, &since, format, table, out.as_deref()),
        Some(Command::Record {
            out,
            exit_after: after,
        }) => {
            let written = record(&config, &out, exit_after(after))?;
            eprintln!("vigie: {written} events appended to {}", out.display());
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Replay { file, wall }) => {
            let (config, origin) = replay_config(config, file)?;
            (config, wall, origin)
        }
        Some(Command::Hub { nats, mut wall }) => {
            wall.headless = true;
            let mut bus_config = config.bus.clone();
            bus_config.url = nats.unwrap_or(bus_config.url);
            bus = Some(Role::Hub(bus_config));
            (config, wall, None)
        }
        Some(Command::Display {
            nats,
            hub_domain,
            name,
            room,
            wall,
        }) => {
            let mut bus_config = config.bus.clone();
            for (flag, value) in [("--name", &name), ("--room", &room)] {
                if let Some(value) = value {
                    anyhow::ensure!(
                        vigie::config::is_nats_name(value),
                        "{flag} must be letters, digits, '_' and '-' only"
                    );
                }
            }
            bus_config.display_name = name;
            bus_config.display_room = room;
            bus_config.url = nats.unwrap_or(bus_config.url);
            if let Some(domain) = hub_domain {
                anyhow::ensure!(
                    vigie::config::is_nats_name(&domain),
                    "--hub-domain must be letters, digits, '_' and '-' only"
                );
                bus_config.hub_domain = Some(domain);
            }
            bus = Some(Role::Display(bus_config));
            (config, wall, None)
        }
        None => (config, cli.wall, None),
    };
    let config = match &args.scenario {
        Some(name) if Scenario::parse(name).is_none() => {
            eprintln!(
                "vigie: unknown scenario '{name}': use one of {}",
                Scenario::NAMES.join(", ")
            );
            return Ok(ExitCode::from(2));
        }
        Some(name) => with_scenario(config, name),
        None => config,
    };
    if !(args.speed.is_finite() && args.speed > 0.0) {
        eprintln!("vigie: --speed must be a number above 0");
        return Ok(ExitCode::from(2));
    }
    if args.figures_out.is_some() && !args.headless {
        eprintln!("vigie: --figures-out needs --headless (or `vigie hub`)");
        return Ok(ExitCode::from(2));
    }
    let mut config = config;
    if args.no_history {
        config.store.enabled = false;
    }
    let layout = match choose_layout(&config, args.layout.as_deref()) {
        Ok(layout) => layout,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(2));
        }
    };
    let options = RunOptions {
        speed: args.speed,
        origin: args.start.or(origin),
        wall: WallOptions {
            snapshot: args.snapshot,
            exit_after: exit_after(args.exit_after),
            fullscreen: !args.windowed && (args.fullscreen || config.wall.fullscreen),
            kiosk: args.kiosk,
            frame_stats: args.frame_stats,
            ..Default::default()
        },
        headless: args.headless,
        enriched_out: args.enriched_out,
        figures_out: args.figures_out,
        publish: None,
    };
    let exit = match bus {
        None => pipeline::run(config, layout, options, Input::Sources)?,
        Some(Role::Hub(bus)) => pipeline::run(
            config,
            layout,
            RunOptions {
                publish: Some(bus),
                ..options
            },
            Input::Sources,
        )?,
        Some(Role::Display(bus)) => pipeline::run(config, layout, options, Input::Bus(bus))?,
    };
    Ok(match exit {
        WallExit::Success => ExitCode::SUCCESS,
        WallExit::Error(code) => ExitCode::from(code),
    })
}

/// `vigie export`: the history, since a time, to a file or standard output.
fn export(
    config: &vigie::config::Config,
    since: &str,
    format: vigie::export::ExportFormat,
    table: vigie::export::ExportTable,
    out: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now();
    let from = match humantime::parse_duration(since) {
        Ok(back) => {
            chrono::TimeDelta::from_std(back).map_or(chrono::DateTime::UNIX_EPOCH, |b| now - b)
        }
        Err(_) => match chrono::DateTime::parse_from_rfc3339(since) {
            Ok(at) => at.with_timezone(&chrono::Utc),
            Err(_) => {
                eprintln!(
                    "vigie export: --since '{since}' is neither a duration (\"24h\", \"7d\") nor \
                     an RFC 3339 time"
                );
                return Ok(ExitCode::from(2));
            }
        },
    };
    let store = vigie::store::Store::open(&config.store.data_dir)?;
    // Everything after `since`: a wall run faster than real time has stored mentions ahead of
    // the real clock.
    let until = now + chrono::TimeDelta::days(366);
    let rows = match out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut writer = std::io::BufWriter::new(file);
            vigie::export::export(&store, table, format, from, until, &mut writer)?
        }
        None => {
            let mut writer = std::io::BufWriter::new(std::io::stdout().lock());
            match vigie::export::export(&store, table, format, from, until, &mut writer) {
                Ok(rows) => rows,
                // `| head` closed the pipe: not an error.
                Err(error)
                    if error
                        .downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
                {
                    return Ok(ExitCode::SUCCESS);
                }
                Err(error) => return Err(error),
            }
        }
    };
    eprintln!("vigie export: {rows} rows from {}", store.path().display());
    Ok(ExitCode::SUCCESS)
}

/// `vigie sentiment`: standard input to standard output, a score per line.
fn sentiment() -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    vigie::analysis::score_lines::score_lines(stdin, stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// `vigie lobby-filter`: texts on standard input, what a lobby shows of each on standard output.
fn lobby_filter(hide_handles: bool) -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let filter = vigie::privacy::LobbyFilter::shipped();
    match vigie::privacy::filter_lines(&filter, hide_handles, stdin, stdout) {
        Ok(_) => Ok(ExitCode::SUCCESS),
        // A reader that stops early (`| head`) is not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(error.into()),
    }
}

/// `vigie detect`: a CSV on standard input, scored rows on standard output.
fn detect() -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match vigie::analysis::detect_lines::detect_lines(stdin, stdout) {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(error) if error.is_closed_output() => Ok(ExitCode::SUCCESS),
        Err(error) => {
            eprintln!("vigie detect: {error}");
            Ok(ExitCode::from(2))
        }
    }
}

/// `vigie bench`: one benchmark, its conditions first.
fn bench(config_path: &std::path::Path, what: &BenchCommand) -> anyhow::Result<ExitCode> {
    use vigie::bench;
    let conditions = bench::Conditions::here();
    let load_layout = |path: &std::path::Path| -> anyhow::Result<(Config, Layout, PathBuf)> {
        let config = Config::load(config_path)?;
        let path = bench::wall::existing(path);
        let layout = choose_layout(&config, Some(&path)).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok((config, layout, path))
    };
    if !matches!(what, BenchCommand::FrameRun { .. }) {
        println!("machine: {conditions}");
    }
    match what {
        BenchCommand::Pipeline { mentions } => {
            bench::pipeline::print(&bench::pipeline::run(*mentions)?);
        }
        BenchCommand::Rebuild { hours, per_minute } => {
            bench::rebuild::print(&bench::rebuild::run(*hours, *per_minute)?);
        }
        BenchCommand::Bus { mentions } => {
            bench::bus::print(&bench::bus::run(*mentions)?);
        }
        BenchCommand::Lobby { lines } => {
            bench::lobby::print(&bench::lobby::run(*lines)?);
        }
        BenchCommand::Parse { seconds } => {
            let budget = std::time::Duration::from_secs_f64(seconds.max(0.1));
            bench::parse::print(&bench::parse::run(budget)?);
        }
        BenchCommand::Latency {
            mentions,
            rate,
            layout,
        } => {
            anyhow::ensure!(
                *rate > 0.0 && *mentions > 0,
                "--rate and --mentions above 0"
            );
            let (config, layout, _) = load_layout(layout)?;
            bench::wall::print_latency(&bench::wall::latency(config, layout, *mentions, *rate)?);
        }
        BenchCommand::Webhook {
            posts,
            senders,
            batch,
        } => {
            bench::webhook::print(&bench::webhook::run(bench::webhook::WebhookSettings {
                posts: *posts,
                senders: *senders,
                batch: *batch,
                config: config_path.to_path_buf(),
            })?);
        }
        BenchCommand::Idle { seconds, layout } => {
            let (_, _, path) = load_layout(layout)?;
            bench::wall::print_idle(&bench::wall::idle(&path, config_path, *seconds)?);
        }
        BenchCommand::Soak {
            hours,
            per_minute,
            speed,
            windowed,
            layout,
        } => {
            anyhow::ensure!(*speed > 0.0 && *hours > 0, "--speed and --hours above 0");
            let (_, _, layout) = load_layout(layout)?;
            bench::soak::print(&bench::soak::run(bench::soak::SoakSettings {
                hours: *hours,
                per_minute: *per_minute,
                speed: *speed,
                windowed: *windowed,
                layout,
                config: config_path.to_path_buf(),
            })?);
        }
        BenchCommand::Frame {
            sizes,
            seconds,
            layout,
        } => {
            let (_, _, path) = load_layout(layout)?;
            let sizes = sizes
                .iter()
                .map(|s| bench::wall::parse_size(s))
                .collect::<anyhow::Result<Vec<_>>>()?;
            bench::wall::print_frames(&bench::wall::frame(config_path, &path, &sizes, *seconds)?);
        }
        BenchCommand::FrameRun {
            size,
            seconds,
            layout,
        } => {
            let (config, layout, _) = load_layout(layout)?;
            let (width, height) = bench::wall::parse_size(size)?;
            let report = bench::wall::frame_run(config, layout, width, height, *seconds)?;
            println!("{}", serde_json::to_string(&report)?);
        }
        BenchCommand::Peer {
            texts,
            count,
            python,
        } => {
            bench::peer::print(&bench::peer::run(texts.as_deref(), *count, python)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `vigie eval`: scores against labelled data, printed as a table.
fn eval(what: &EvalCommand) -> anyhow::Result<ExitCode> {
    match what {
        EvalCommand::Nab { dirs, results } => {
            let report = vigie::eval::nab::eval_nab(dirs, results.as_deref())?;
            print!("{}", report.table());
        }
        EvalCommand::Sentiment {
            dir,
            split,
            lang,
            python,
        } => {
            let lang = match lang.as_str() {
                "fr" => Some(vigie::analysis::sentiment::Lang::Fr),
                "en" => Some(vigie::analysis::sentiment::Lang::En),
                "auto" => None,
                other => anyhow::bail!("--lang {other}: expected fr, en or auto"),
            };
            let splits: Vec<String> = match split {
                Some(split) => vec![split.clone()],
                None => ["train", "val", "test"]
                    .iter()
                    .filter(|s| dir.join(format!("{s}_labels.txt")).is_file())
                    .map(|s| s.to_string())
                    .collect(),
            };
            anyhow::ensure!(
                !splits.is_empty(),
                "{}: no train_labels.txt, val_labels.txt or test_labels.txt",
                dir.display()
            );
            for split in &splits {
                let report = vigie::eval::sentiment::eval_sentiment(dir, split, lang, python)?;
                println!("{}", report.table());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `vigie check`: the config (already loaded), then each layout, every error printed.
/// `vigie passwd`: one line on standard input, its argon2 hash on standard output.
fn passwd() -> anyhow::Result<ExitCode> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("vigie passwd: type the password, then Enter (it is shown as you type)");
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        eprintln!("vigie passwd: the password is empty");
        return Ok(ExitCode::from(2));
    }
    println!("{}", vigie::control::auth::hash_password(password)?);
    Ok(ExitCode::SUCCESS)
}

/// Asks X whether it would accept each X source's rules (`dry_run`), where its token is set
/// here; `false` when X refuses one.
fn check_x_rules(config_path: &std::path::Path, config: &Config) -> bool {
    let mut accepted = true;
    for source in &config.sources {
        let vigie::ingest::SourceConfig::X(x) = source else {
            continue;
        };
        let Some(token) = std::env::var(&x.token_env)
            .ok()
            .filter(|t| !t.trim().is_empty())
        else {
            continue;
        };
        let rules = x.desired_rules(&config.brands);
        let verdict = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| {
                runtime.block_on(vigie::ingest::x::check_rules(
                    &x.base_url,
                    token.trim(),
                    &x.token_env,
                    &rules,
                ))
            });
        match verdict {
            Ok(refused) if refused.is_empty() => println!(
                "{}: X accepts the {} rule{} of source '{}' (dry run)",
                config_path.display(),
                rules.len(),
                if rules.len() == 1 { "" } else { "s" },
                x.name
            ),
            Ok(refused) => {
                accepted = false;
                for refusal in refused {
                    eprintln!(
                        "{}: source '{}': X refuses {refusal}",
                        config_path.display(),
                        x.name
                    );
                }
            }
            Err(error) => println!(
                "{}: warning: source '{}': cannot ask X about its rules: {error:#}",
                config_path.display(),
                x.name
            ),
        }
    }
    accepted
}

fn check(config_path: &std::path::Path, config: &Config, mut layouts: Vec<PathBuf>) -> ExitCode {
    println!(
        "{}: ok ({} brands, {} sources)",
        config_path.display(),
        config.brands.len(),
        config.sources.len()
    );
    // Secrets live in the environment of the machine that runs the wall: say which are
    // missing here, without failing (this may not be that machine).
    for source in &config.sources {
        if let Some(var) = source.token_env()
            && std::env::var(var).map_or(true, |v| v.trim().is_empty())
        {
            println!(
                "{}: warning: source '{}' reads its token from ${var}, which is not set here",
                config_path.display(),
                source.name()
            );
        }
    }
    let mut failed = !check_x_rules(config_path, config);
    match config.control.why_off() {
        Some(why) => println!("{}: {why}", config_path.display()),
        None => {
            println!(
                "{}: control page on http://{} for {} user{}",
                config_path.display(),
                config.control.listen,
                config.control.users.len(),
                if config.control.users.len() == 1 {
                    ""
                } else {
                    "s"
                }
            );
            if let Some(var) = &config.control.token_env
                && std::env::var(var).map_or(true, |v| v.trim().is_empty())
            {
                println!(
                    "{}: warning: [control] reads the API token from ${var}, which is not set \
                     here",
                    config_path.display()
                );
            }
        }
    }
    if config.store.enabled
        && config.store.min_free_mb > 0
        && let Some(warning) =
            vigie::disk::low_space_warning(&config.store.data_dir, config.store.min_free_mb)
    {
        println!("{}: warning: {warning}", config_path.display());
    }
    if layouts.is_empty() {
        layouts.extend(config.wall.layout.clone());
        let dir = config_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .join("layouts");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .filter(|p| !layouts.contains(p))
                .collect();
            found.sort();
            layouts.extend(found);
        }
    }
    for path in &layouts {
        match vigie::app::load_layout(config, path) {
            Ok(layout) => println!(
                "{}: ok ({} screen{}{})",
                path.display(),
                layout.screens.len(),
                if layout.screens.len() == 1 { "" } else { "s" },
                if layout.preview { ", preview" } else { "" }
            ),
            Err(errors) => {
                eprintln!("{errors}");
                failed = true;
            }
        }
    }
    for (rule, path, read) in vigie::layout::switch::takeover_layouts(config) {
        match read {
            Ok(_) => println!(
                "{}: alert '{rule}' switches every screen to {} while it is active",
                config_path.display(),
                path.display()
            ),
            Err(errors) => {
                eprintln!("{errors}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
