//! Measuring points for `vigie bench`, off unless asked for:
//! - the latency probe notes the frame in which each mention's card first appears and, in the
//!   render world, the moment that frame was presented, so that the bench can tell how long a
//!   mention took from the analysis channel to the screen;
//! - the frame clock draws continuously (no reactive wait) and notes every frame's start, for
//!   frame times.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::extract_resource::{ExtractResource, ExtractResourcePlugin};
use bevy::render::{Render, RenderApp, RenderSystems};

use super::{WallData, WallSystems};

/// Shared between the bench (which stamps mentions as it sends them) and the wall.
#[derive(Debug, Clone, Default)]
pub struct LatencyProbe(pub Arc<Mutex<ProbeLog>>);

#[derive(Debug, Default)]
pub struct ProbeLog {
    /// When each mention entered the analysis channel.
    pub entered: HashMap<String, Instant>,
    /// The frame in which each mention's card first appeared.
    pub shown_in: HashMap<String, u64>,
    /// When each frame was presented (render world, after the swap chains were presented).
    pub presented: HashMap<u64, Instant>,
    /// Frame starts (main world), for frame times.
    pub frame_starts: Vec<Instant>,
}

impl ProbeLog {
    /// Milliseconds from the channel to the screen, for each mention whose card was presented.
    pub fn latencies_ms(&self) -> Vec<f64> {
        self.shown_in
            .iter()
            .filter_map(|(id, frame)| {
                let entered = self.entered.get(id)?;
                let presented = self.presented.get(frame)?;
                Some(presented.saturating_duration_since(*entered).as_secs_f64() * 1e3)
            })
            .collect()
    }
}

/// The main world's frame number, extracted so that the render world knows which frame it
/// presents.
#[derive(Resource, Clone, Copy, Default)]
struct FrameNumber(u64);

impl ExtractResource for FrameNumber {
    type Source = FrameNumber;
    fn extract_resource(source: &Self::Source) -> Self {
        *source
    }
}

#[derive(Resource, Clone)]
struct Probe(LatencyProbe);

/// `continuous`: draw every frame, without waiting for data (frame-time measurement).
pub(super) fn plugin(probe: LatencyProbe, continuous: bool) -> impl Fn(&mut App) {
    move |app: &mut App| {
        app.insert_resource(Probe(probe.clone()));
        app.init_resource::<FrameNumber>();
        app.add_plugins(ExtractResourcePlugin::<FrameNumber>::default());
        app.add_systems(First, count_frame);
        app.add_systems(
            Update,
            note_new_cards
                .after(WallSystems::Ingest)
                .before(WallSystems::UpdateTiles),
        );
        if continuous {
            app.insert_resource(bevy::winit::WinitSettings {
                focused_mode: bevy::winit::UpdateMode::Continuous,
                unfocused_mode: bevy::winit::UpdateMode::Continuous,
            });
        }
        if let Some(render) = app.get_sub_app_mut(RenderApp) {
            render.insert_resource(Probe(probe.clone()));
            render.add_systems(Render, note_presented.in_set(RenderSystems::Cleanup));
        }
    }
}

fn count_frame(mut frame: ResMut<FrameNumber>, probe: Res<Probe>) {
    frame.0 += 1;
    if let Ok(mut log) = probe.0.0.lock() {
        log.frame_starts.push(Instant::now());
    }
}

/// Cards that appeared this frame: the stream's mentions not seen in an earlier frame.
fn note_new_cards(
    data: Res<WallData>,
    frame: Res<FrameNumber>,
    probe: Res<Probe>,
    mut seen: Local<HashSet<String>>,
) {
    if !data.is_changed() {
        return;
    }
    let Ok(mut log) = probe.0.0.lock() else {
        return;
    };
    for mention in &data.stream {
        if seen.insert(mention.mention.id.clone()) {
            log.shown_in.insert(mention.mention.id.clone(), frame.0);
        }
    }
}

fn note_presented(frame: Res<FrameNumber>, probe: Res<Probe>) {
    if let Ok(mut log) = probe.0.0.lock() {
        log.presented.entry(frame.0).or_insert_with(Instant::now);
    }
}
