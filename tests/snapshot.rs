//! The real binary under Xvfb with the software Vulkan driver: it must draw a wall, not a blank
//! or half-drawn screen. Needs `xvfb-run` (package xvfb) and `mesa-vulkan-drivers`; the test
//! fails, not skips, without them: `scripts/test.sh` installs them.

use std::path::Path;
use std::process::Command;

const WIDTH: usize = 1920;
const HEIGHT: usize = 1080;
/// `theme::BACKGROUND` in 8-bit sRGB.
const BACKGROUND: [u8; 3] = [11, 15, 23];

struct Image {
    pixels: Vec<u8>,
    width: usize,
    height: usize,
}

impl Image {
    fn load(path: &Path) -> Image {
        let file = std::fs::File::open(path).expect("snapshot written");
        let decoder = png::Decoder::new(std::io::BufReader::new(file));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut pixels).expect("a frame");
        assert_eq!(info.color_type, png::ColorType::Rgb, "RGB snapshot");
        pixels.truncate(info.buffer_size());
        Image {
            pixels,
            width: info.width as usize,
            height: info.height as usize,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    /// Share of pixels in the region (fractions of the screen) that are not the background.
    fn ink(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> f32 {
        let (xa, xb) = (
            (x0 * self.width as f32) as usize,
            (x1 * self.width as f32) as usize,
        );
        let (ya, yb) = (
            (y0 * self.height as f32) as usize,
            (y1 * self.height as f32) as usize,
        );
        let mut differ = 0;
        let mut total = 0;
        for y in ya..yb {
            for x in xa..xb {
                total += 1;
                let p = self.pixel(x, y);
                if p.iter().zip(BACKGROUND).any(|(a, b)| a.abs_diff(b) > 6) {
                    differ += 1;
                }
            }
        }
        differ as f32 / total as f32
    }

    fn distinct_colours(&self) -> usize {
        let mut colours: Vec<[u8; 3]> = self.pixels.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
        colours.sort_unstable();
        colours.dedup();
        colours.len()
    }
}

#[test]
fn the_demo_wall_draws_every_tile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shot = dir.path().join("wall.png");
    let status = Command::new("xvfb-run")
        .args(["-a", "-s", &format!("-screen 0 {WIDTH}x{HEIGHT}x24")])
        .arg(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
            // Each picture starts from the demo's own past, not from the last test's history.
            "--no-history",
        ])
        .args(["--speed", "20", "--exit-after", "20", "--snapshot"])
        .arg(&shot)
        .status()
        .expect("xvfb-run is installed (package xvfb): run scripts/test.sh");
    assert!(status.success(), "vigie exited with {status}");
    let image = Image::load(&shot);
    assert_eq!((image.width, image.height), (WIDTH, HEIGHT));

    // Not blank: text, bars and tiles make many colours.
    let colours = image.distinct_colours();
    assert!(
        colours > 200,
        "only {colours} colours: blank or broken frame"
    );
    // The gutter between tiles is the background.
    assert_eq!(image.pixel(3, 3), BACKGROUND, "background colour");

    // Every tile area differs from the background: header, stream, volume, share of voice,
    // status line.
    let areas = [
        ("header KPIs", 0.45, 0.01, 0.85, 0.10),
        ("stream", 0.01, 0.13, 0.36, 0.95),
        ("volume", 0.38, 0.13, 0.99, 0.52),
        ("share of voice", 0.38, 0.56, 0.99, 0.95),
    ];
    for (name, x0, y0, x1, y1) in areas {
        let ink = image.ink(x0, y0, x1, y1);
        assert!(
            ink > 0.5,
            "{name}: only {:.0} % of the tile differs from the background",
            ink * 100.0
        );
    }
    // Inside the tiles, something is drawn beyond the tile colour: text and bars.
    let status_line = image.ink(0.0, 0.965, 1.0, 0.995);
    assert!(
        status_line > 0.01,
        "the status line has text: {status_line}"
    );
}

#[test]
fn the_war_room_opens_one_window_per_screen_and_snapshots_each() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shot = dir.path().join("out.png");
    // One framebuffer as wide as three monitors: the screens open as windows side by side.
    let status = Command::new("xvfb-run")
        .args(["-a", "-s", &format!("-screen 0 {}x{HEIGHT}x24", 3 * WIDTH)])
        .arg(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
            // Each picture starts from the demo's own past, not from the last test's history.
            "--no-history",
            "--layout",
            concat!(env!("CARGO_MANIFEST_DIR"), "/layouts/warroom.toml"),
            "--windowed",
        ])
        .args(["--speed", "20", "--exit-after", "25", "--snapshot"])
        .arg(&shot)
        .status()
        .expect("xvfb-run is installed (package xvfb): run scripts/test.sh");
    assert!(status.success(), "vigie exited with {status}");
    assert!(
        !shot.exists(),
        "several screens: one file per screen, none under the plain name"
    );

    // (screen, tile, region) that must be drawn on each screen.
    let expected = [
        ("left", "stream", (0.01, 0.14, 0.99, 0.94)),
        ("centre", "6 h volume", (0.01, 0.17, 0.99, 0.60)),
        ("right", "share of voice", (0.01, 0.01, 0.99, 0.49)),
        ("right", "alerts", (0.51, 0.51, 0.99, 0.99)),
    ];
    for screen in ["left", "centre", "right"] {
        let path = dir.path().join(format!("out-{screen}.png"));
        let image = Image::load(&path);
        assert_eq!((image.width, image.height), (WIDTH, HEIGHT), "{screen}");
        let colours = image.distinct_colours();
        assert!(colours > 150, "{screen}: only {colours} colours");
        for (_, tile, (x0, y0, x1, y1)) in expected.iter().filter(|(s, ..)| *s == screen) {
            let ink = image.ink(*x0, *y0, *x1, *y1);
            assert!(
                ink > 0.5,
                "{screen}/{tile}: only {:.0} % drawn",
                ink * 100.0
            );
        }
    }
}

/// Frames drawn in each ten-second period, in order, read from `--frame-stats` log lines.
fn frame_counts(log: &str) -> Vec<u32> {
    log.lines()
        .filter(|l| l.contains("frame stats"))
        .filter_map(|l| {
            let at = l.find("frames=")? + "frames=".len();
            let digits: String = l[at..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

#[test]
fn a_hidden_screen_does_not_stop_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("wall.log");
    // The right screen's window is unmapped (a monitor switched off, a window hidden) 15 s in;
    // the wall must keep drawing the others and stop on time.
    let script = format!(
        r#"NO_COLOR=1 "{bin}" --config "{config}" --no-history --layout "{layout}" --windowed --speed 20 \
             --frame-stats --exit-after 45 > "{log}" 2>&1 &
        pid=$!
        sleep 15
        wid=""
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            wid=$(xdotool search --name 'right$' | head -n 1)
            [ -n "$wid" ] && break
            sleep 1
        done
        if [ -n "$wid" ]; then xdotool windowunmap "$wid"; else echo "xdotool failed" >> "{log}"; fi
        wait $pid"#,
        bin = env!("CARGO_BIN_EXE_vigie"),
        config = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
        layout = concat!(env!("CARGO_MANIFEST_DIR"), "/layouts/warroom.toml"),
        log = log.display(),
    );
    let status = Command::new("xvfb-run")
        .args(["-a", "-s", &format!("-screen 0 {}x{HEIGHT}x24", 3 * WIDTH)])
        .args(["bash", "-c", &script])
        .status()
        .expect("xvfb-run and xdotool are installed: run scripts/test.sh");
    let text = std::fs::read_to_string(&log).expect("log written");
    assert!(status.success(), "vigie exited with {status}:\n{text}");
    assert!(!text.contains("xdotool failed"), "{text}");
    assert!(
        text.contains("exit-after reached"),
        "the wall stopped on time:\n{text}"
    );
    let counts = frame_counts(&text);
    assert!(counts.len() >= 4, "{counts:?}");
    // Periods ending at about 30 s and 40 s: entirely after the unmap.
    for (period, frames) in counts.iter().enumerate().skip(2) {
        assert!(
            *frames >= 5,
            "period {period} drew only {frames} frames after a screen was hidden: {counts:?}"
        );
    }
}

#[test]
fn a_kiosk_ignores_close_requests_and_exits_on_its_chord() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("kiosk.log");
    let script = format!(
        r#"NO_COLOR=1 "{bin}" --config "{config}" --no-history --kiosk --speed 20 --exit-after 120 > "{log}" 2>&1 &
        pid=$!
        sleep 15
        xdotool mousemove 960 540
        xdotool key alt+F4
        sleep 3
        kill -0 $pid || echo "closed by alt+F4" >> "{log}"
        xdotool key ctrl+alt+shift+q
        wait $pid"#,
        bin = env!("CARGO_BIN_EXE_vigie"),
        config = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"),
        log = log.display(),
    );
    let started = std::time::Instant::now();
    let status = Command::new("xvfb-run")
        .args(["-a", "-s", &format!("-screen 0 {WIDTH}x{HEIGHT}x24")])
        .args(["bash", "-c", &script])
        .status()
        .expect("xvfb-run and xdotool are installed: run scripts/test.sh");
    let text = std::fs::read_to_string(&log).expect("log written");
    assert!(status.success(), "vigie exited with {status}:\n{text}");
    assert!(!text.contains("closed by alt+F4"), "{text}");
    assert!(text.contains("kiosk exit chord pressed"), "{text}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "the chord stopped the wall, not --exit-after"
    );
}

/// A plain HTTP/1.1 GET on loopback: the status line, the headers (lower case) and the body.
fn http_get(port: u16, path: &str, token: &str) -> Option<(u16, String, Vec<u8>)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&answer[..split]).to_lowercase();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, head, answer[split + 4..].to_vec()))
}

#[test]
fn the_control_page_serves_each_screen_as_the_running_wall_draws_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("config.toml");
    let config = format!(
        "{}\n[[control.users]]\nname = \"camille\"\nrole = \"operator\"\npassword_hash = \"{}\"\n",
        shipped.replace(
            "listen = \"127.0.0.1:8788\"",
            &format!("listen = \"127.0.0.1:{port}\"")
        ),
        vigie::control::auth::hash_password("ellimac").expect("hash")
    );
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, config).expect("config written");
    let token = "picture-token-0123456789";
    let mut wall = Command::new("xvfb-run")
        .args(["-a", "-s", &format!("-screen 0 {}x{HEIGHT}x24", 3 * WIDTH)])
        .arg(env!("CARGO_BIN_EXE_vigie"))
        .arg("--config")
        .arg(&config_path)
        .args([
            "--no-history",
            "--layout",
            concat!(env!("CARGO_MANIFEST_DIR"), "/layouts/warroom.toml"),
            "--windowed",
            "--speed",
            "20",
            "--exit-after",
            "40",
        ])
        .env(
            "VIGIE_ASSETS",
            concat!(env!("CARGO_MANIFEST_DIR"), "/assets"),
        )
        .env("VIGIE_CONTROL_TOKEN", token)
        .spawn()
        .expect("xvfb-run is installed (package xvfb): run scripts/test.sh");
    // Once the wall draws, ask for the centre screen.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(36);
    let mut answer = None;
    while std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let drawing = http_get(port, "/health", token).is_some_and(|(status, _, body)| {
            status == 200
                && serde_json::from_slice::<serde_json::Value>(&body)
                    .is_ok_and(|h| h["frames_drawn"].as_u64().unwrap_or(0) > 10)
        });
        if drawing {
            answer = http_get(port, "/api/screens/centre.png", token);
            break;
        }
    }
    let unknown = http_get(port, "/api/screens/lobby.png", token).map(|(status, ..)| status);
    // It ends by itself (`--exit-after`): killing xvfb-run would leave the wall running.
    let ended = wall.wait().expect("the wall ends");
    assert!(ended.success(), "vigie exited with {ended}");
    let (status, head, body) = answer.expect("the wall drew and answered");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: image/png"), "{head}");
    assert_eq!(unknown, Some(404));
    let path = dir.path().join("centre.png");
    std::fs::write(&path, &body).expect("picture written");
    let image = Image::load(&path);
    assert_eq!((image.width, image.height), (WIDTH, HEIGHT));
    assert!(image.distinct_colours() > 150);
    assert!(
        image.ink(0.01, 0.17, 0.99, 0.60) > 0.5,
        "the centre screen's 6 h volume is drawn"
    );
}
