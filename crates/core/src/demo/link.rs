//! The demo link: `#demo=v1.<load>.<preset>.<policy>.<preset>.<policy>.<seed>`,
//! for instance `#demo=v1.busy.llama-70b-4xa100.prefill-first.llama-70b-4xa100.chunked-prefill.1`.
//! It holds only the choice, in words: whoever opens it computes the same
//! demo, with no server. Every part is checked on the way in, and a link
//! that cannot be played gets one sentence.

use super::choice::{DemoChoice, DemoLoad, DemoSystem};
use crate::limits::{MAX_DEMO_LINK_CHARS, MAX_DEMO_SEED};
use crate::share::ShareError;
use crate::simulate::presets::preset;
use crate::simulate::Policy;

pub const DEMO_KEY: &str = "demo";
const VERSION: &str = "v1";

/// The fragment (`#demo=...`) of the link that plays `choice`.
pub fn demo_link(choice: &DemoChoice) -> String {
    let [a, b] = &choice.systems;
    format!(
        "#{DEMO_KEY}={VERSION}.{}.{}.{}.{}.{}.{}",
        choice.load.name(),
        a.preset.name,
        a.policy.name(),
        b.preset.name,
        b.policy.name(),
        choice.seed
    )
}

/// The demo a fragment plays: `Ok(None)` when it is not a demo link, a
/// sentence when it is one that cannot be played.
pub fn open_demo_link(fragment: &str) -> Result<Option<DemoChoice>, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let Some(value) = fragment
        .split('&')
        .find_map(|pair| pair.strip_prefix(DEMO_KEY)?.strip_prefix('='))
    else {
        return Ok(None);
    };
    if fragment.len() > MAX_DEMO_LINK_CHARS {
        return Err(ShareError::new(format!(
            "This demo link is {} characters long, longer than any demo link etalon-web makes \
             ({MAX_DEMO_LINK_CHARS} at most): it was not opened.",
            fragment.len()
        )));
    }
    let damaged = |what: &str| {
        ShareError::new(format!(
            "This demo link is damaged: {what}. Was it cut or changed when it was copied?"
        ))
    };
    let parts: Vec<&str> = value.split('.').collect();
    let version = parts[0];
    if version != VERSION {
        let newer = version
            .strip_prefix('v')
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n > 1);
        return Err(if newer {
            ShareError::new(format!(
                "This demo link was made by a newer etalon-web (demo format {version}; this page \
                 plays {VERSION}): open it with a newer etalon-web."
            ))
        } else {
            damaged("it lacks its version mark (\"v1\")")
        });
    }
    let [_, load, preset_a, policy_a, preset_b, policy_b, seed] = parts[..] else {
        return Err(damaged(&format!(
            "it has {} parts where a demo link has 7",
            parts.len()
        )));
    };
    let load = DemoLoad::named(load).ok_or_else(|| damaged("it names no load this page knows"))?;
    let system = |preset_name: &str, policy_name: &str| {
        let preset = preset(preset_name)
            .ok_or_else(|| damaged("it names hardware this page does not simulate"))?;
        let policy = Policy::named(policy_name)
            .ok_or_else(|| damaged("it names a way of batching this page does not simulate"))?;
        Ok::<_, ShareError>(DemoSystem { preset, policy })
    };
    let systems = [system(preset_a, policy_a)?, system(preset_b, policy_b)?];
    let seed = seed
        .parse::<u64>()
        .ok()
        .filter(|s| *s <= MAX_DEMO_SEED && !seed.starts_with('+'))
        .ok_or_else(|| {
            damaged(&format!(
                "its seed is not a whole number from 0 to {MAX_DEMO_SEED}"
            ))
        })?;
    Ok(Some(DemoChoice {
        load,
        systems,
        seed,
    }))
}
