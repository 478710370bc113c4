//! `--frame-stats`: logs how many frames the wall drew in each ten-second period, and the
//! slowest one, so an operator (or a test) can see that every screen keeps drawing: a reactive
//! wall draws when data changes, so a frozen loop shows as zero frames while data flows.

use std::time::{Duration, Instant};

use bevy::prelude::*;

const PERIOD: Duration = Duration::from_secs(10);

#[derive(Resource)]
struct FrameStats {
    since: Instant,
    last_frame: Option<Instant>,
    frames: u32,
    slowest: Duration,
}

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(FrameStats {
        since: Instant::now(),
        last_frame: None,
        frames: 0,
        slowest: Duration::ZERO,
    });
    app.add_systems(Last, count_frames);
}

fn count_frames(mut stats: ResMut<FrameStats>) {
    let now = Instant::now();
    if let Some(last) = stats.last_frame {
        stats.slowest = stats.slowest.max(now - last);
    }
    stats.last_frame = Some(now);
    stats.frames += 1;
    let elapsed = now - stats.since;
    if elapsed >= PERIOD {
        info!(
            frames = stats.frames,
            seconds = format!("{:.1}", elapsed.as_secs_f32()),
            longest_gap_ms = stats.slowest.as_millis() as u64,
            "frame stats"
        );
        stats.since = now;
        stats.frames = 0;
        stats.slowest = Duration::ZERO;
    }
}
