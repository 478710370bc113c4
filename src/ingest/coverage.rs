//! What the wall listens to and what it does not: the platforms of the config's sources, and
//! the major platforms none of them covers, which the sources tile and the control page name
//! so that nobody mistakes silence for calm.

use crate::config::Config;
use crate::model::Platform;

/// The platforms a brand's public conversation mostly happens on; `None` is LinkedIn, which
/// no API reads and so is never listened to.
const MAJOR_PLATFORMS: [Option<Platform>; 7] = [
    Some(Platform::X),
    Some(Platform::Instagram),
    Some(Platform::Tiktok),
    Some(Platform::Facebook),
    Some(Platform::Youtube),
    Some(Platform::Threads),
    None,
];

/// The platforms the config's sources listen to.
pub fn listened(config: &Config) -> Vec<Platform> {
    config
        .sources
        .iter()
        .flat_map(|source| source.settings().platforms())
        .collect()
}

/// The major platforms none of `listened` covers, by name.
pub fn blind_spots(listened: &[Platform]) -> Vec<&'static str> {
    MAJOR_PLATFORMS
        .iter()
        .filter(|platform| platform.is_none_or(|p| !listened.contains(&p)))
        .map(|platform| platform.map_or("LinkedIn", Platform::label))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platforms_nobody_listens_to_are_named() {
        assert_eq!(
            blind_spots(&[Platform::Mastodon, Platform::Bluesky, Platform::Youtube]),
            [
                "X",
                "Instagram",
                "TikTok",
                "Facebook",
                "Threads",
                "LinkedIn"
            ]
        );
        assert_eq!(
            blind_spots(&crate::ingest::demo::platforms()),
            ["Threads", "LinkedIn"],
            "the demo plays the others"
        );
    }
}
