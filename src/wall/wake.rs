//! Hands the analysis thread a way to wake the winit event loop, so that a reactive wall draws
//! new data at once instead of at its next timeout.

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};

use super::WakeSlot;

#[derive(Resource)]
pub struct WakeTarget(pub WakeSlot);

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, install_waker);
}

fn install_waker(target: Res<WakeTarget>, proxy: Option<Res<EventLoopProxyWrapper>>) {
    let Some(proxy) = proxy else { return };
    let proxy = (**proxy).clone();
    let _ = target.0.set(Box::new(move || {
        // Fails only when the loop has closed: the wall is exiting and nobody needs waking.
        let _ = proxy.send_event(WinitUserEvent::WakeUp);
    }));
}
