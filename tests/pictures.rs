//! Pictures of posts against a local image server: a good picture (PNG and JPEG) comes back
//! scaled for a card; a 404, a 20 MB file (announced or not), a server too slow, a corrupt
//! file and an expired link's HTML page each fail with their reason, quickly, and none holds
//! the others up.

mod support;

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use support::TestServer;
use vigie::media::{FetchLimits, Fetched, PictureFailure, PictureWorker};

fn encoded(format: image::ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("encoded");
    out.into_inner()
}

fn picture(kind: &'static str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn image_server() -> TestServer {
    let png = encoded(image::ImageFormat::Png, 1200, 800);
    let jpeg = encoded(image::ImageFormat::Jpeg, 640, 1280);
    let router = axum::Router::new()
        .route(
            "/good.png",
            get(move || async move { picture("image/png", png) }),
        )
        .route(
            "/good.jpg",
            get(move || async move { picture("image/jpeg", jpeg) }),
        )
        .route(
            "/missing.png",
            get(|| async { StatusCode::NOT_FOUND.into_response() }),
        )
        .route(
            "/huge.jpg",
            get(|| async { picture("image/jpeg", vec![0xff; 20 * 1024 * 1024]) }),
        )
        .route(
            "/huge-unannounced.jpg",
            get(|| async {
                // 20 MB in chunks, no length announced: refused once 5 MB have come.
                let chunks =
                    (0..20).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![0xff; 1 << 20])));
                Response::builder()
                    .header(header::CONTENT_TYPE, "image/jpeg")
                    .body(Body::from_stream(futures_util::stream::iter(chunks)))
                    .expect("response")
            }),
        )
        .route(
            "/slow.png",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                picture("image/png", Vec::new())
            }),
        )
        .route(
            "/corrupt.jpg",
            get(|| async {
                picture(
                    "image/jpeg",
                    b"\xff\xd8\xff\xe0 not really a jpeg".repeat(50),
                )
            }),
        )
        .route(
            "/expired",
            get(|| async {
                picture(
                    "text/html; charset=utf-8",
                    b"<html>Content not found</html>".to_vec(),
                )
            }),
        );
    TestServer::start(router)
}

#[test]
fn good_pictures_come_back_scaled_and_every_bad_one_fails_quickly_with_its_reason() {
    let server = image_server();
    let limits = FetchLimits {
        max_bytes: 5 * 1024 * 1024,
        timeout: Duration::from_secs(2),
    };
    let worker = PictureWorker::start(limits, Box::new(|| {})).expect("worker");
    let started = Instant::now();
    let paths = [
        "/slow.png",
        "/good.png",
        "/good.jpg",
        "/missing.png",
        "/huge.jpg",
        "/huge-unannounced.jpg",
        "/corrupt.jpg",
        "/expired",
    ];
    for path in paths {
        assert!(worker.ask(&server.url(path), 320), "queued");
    }
    let mut outcomes = std::collections::HashMap::new();
    while outcomes.len() < paths.len() {
        let Some(result) = worker.next(Duration::from_secs(15)) else {
            panic!(
                "only {} of {} came back: {outcomes:?}",
                outcomes.len(),
                paths.len()
            );
        };
        let (url, outcome) = match result {
            Fetched::Ready(decoded) => (
                decoded.url,
                Ok((
                    decoded.pixels.width,
                    decoded.pixels.height,
                    decoded.pixels.rgba.len(),
                )),
            ),
            Fetched::Failed { url, why } => (url, Err(why)),
        };
        let path = url.trim_start_matches(&server.url("")).to_string();
        outcomes.insert(path, (outcome, started.elapsed()));
    }
    let outcome = |path: &str| outcomes[path].0.clone();
    assert_eq!(
        outcome("/good.png"),
        Ok((320, 213, 320 * 213 * 4)),
        "scaled to fit 320"
    );
    assert_eq!(outcome("/good.jpg"), Ok((160, 320, 160 * 320 * 4)));
    assert_eq!(outcome("/missing.png"), Err(PictureFailure::Status(404)));
    assert_eq!(
        outcome("/huge.jpg"),
        Err(PictureFailure::TooLarge(5 * 1024 * 1024))
    );
    assert_eq!(
        outcome("/huge-unannounced.jpg"),
        Err(PictureFailure::TooLarge(5 * 1024 * 1024))
    );
    assert_eq!(outcome("/slow.png"), Err(PictureFailure::Slow(2)));
    assert!(
        matches!(outcome("/corrupt.jpg"), Err(PictureFailure::Corrupt(_))),
        "{:?}",
        outcome("/corrupt.jpg")
    );
    assert!(matches!(
        outcome("/expired"),
        Err(PictureFailure::NotAPicture(_))
    ));
    // The slow server, asked first, held up nobody: the good pictures came before it failed.
    assert!(outcomes["/good.png"].1 < outcomes["/slow.png"].1);
    assert!(
        outcomes["/slow.png"].1 < Duration::from_secs(4),
        "given up at its limit"
    );
    assert_eq!(
        worker
            .stats
            .fetched
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    assert_eq!(
        worker
            .stats
            .failed
            .load(std::sync::atomic::Ordering::Relaxed),
        6
    );
}

#[test]
fn a_dead_server_and_a_non_web_address_fail_without_a_fetch_slot_held() {
    let worker = PictureWorker::start(
        FetchLimits {
            max_bytes: 1024,
            timeout: Duration::from_secs(2),
        },
        Box::new(|| {}),
    )
    .expect("worker");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = closed.local_addr().expect("address");
    drop(closed);
    worker.ask(&format!("http://{address}/a.png"), 100);
    worker.ask("file:///etc/passwd", 100);
    let mut reasons = Vec::new();
    for _ in 0..2 {
        match worker.next(Duration::from_secs(10)) {
            Some(Fetched::Failed { why, .. }) => reasons.push(why),
            other => panic!("a failure, not {other:?}"),
        }
    }
    assert!(
        reasons
            .iter()
            .any(|r| matches!(r, PictureFailure::Unreachable(_))),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| matches!(r, PictureFailure::NotAPicture(_))),
        "{reasons:?}"
    );
}
