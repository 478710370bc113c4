//! One HTTP/1 connection of Vigie's own servers (the push webhook, the control page), served
//! by hand rather than by `axum::serve`, which sets no deadline for request headers: a client
//! that connects and never sends, or sends half a header, is closed after `header_deadline`.

use std::time::Duration;

use axum::Router;

/// Serves `stream` with `app` until it closes, then gives `permit` (the connection's slot)
/// back. `what` names the server in the log.
pub async fn serve_connection(
    stream: tokio::net::TcpStream,
    app: Router,
    permit: tokio::sync::OwnedSemaphorePermit,
    header_deadline: Duration,
    what: &'static str,
) {
    let service = hyper_util::service::TowerToHyperService::new(app);
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_deadline)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    if let Err(error) = connection.await {
        tracing::debug!(%error, server = what, "connection closed");
    }
    drop(permit);
}
