//! A recording stored in blocks: each block is a run of consecutive
//! requests in the compact binary form of result links (`share::packed`),
//! every measured time kept bit for bit (when a request was due, the
//! plan's time, to 1 µs, as in a link), so that a kept run gives exactly
//! the figures it gave when it ended. Packing one block is a short task, so the
//! page packs a long run one block per task and never freezes; the first
//! block also carries the configuration and the environment.
//!
//! Blocks read back from storage are outside input: each is bounded and
//! unpacked by the link reader (which bounds what it inflates), and the
//! whole run is checked as an imported recording is.

use std::collections::HashSet;
use std::ops::Range;

use crate::limits::MAX_REQUESTS;
use crate::recording::{Environment, Recording};
use crate::share::{
    check_recording, pack_run, shareable_recording, unpack_run, SharedRun, MAX_INFLATED_BYTES,
};

pub use crate::limits::{MAX_BLOCK_CHUNKS, MAX_HISTORY_BLOCKS as MAX_BLOCKS};

/// The requests of each block of `recording`: consecutive, at most
/// [`MAX_BLOCK_CHUNKS`] chunks each unless one request alone has more.
/// A recording of no request is one empty block.
pub fn block_ranges(recording: &Recording) -> Result<Vec<Range<usize>>, String> {
    let mut ranges = Vec::new();
    let (mut start, mut chunks) = (0, 0);
    for (i, request) in recording.requests.iter().enumerate() {
        let n = request.chunks.len();
        if i > start && chunks + n > MAX_BLOCK_CHUNKS {
            ranges.push(start..i);
            (start, chunks) = (i, 0);
        }
        chunks += n;
    }
    ranges.push(start..recording.requests.len());
    if ranges.len() > MAX_BLOCKS {
        return Err(format!(
            "This run is too large to keep in the browser's history (more than {} reads); \
             export it as a file instead.",
            MAX_BLOCKS * MAX_BLOCK_CHUNKS
        ));
    }
    Ok(ranges)
}

/// Block `index` of `recording`: the requests in `range`, packed with their
/// times bit for bit (the first block with the configuration and the
/// environment, the others without). Like every link and file, a block
/// goes through [`shareable_recording`]: the configuration scrubbed, and
/// `secrets` (the API key, secret header values) never written.
pub fn pack_block(
    recording: &Recording,
    index: usize,
    range: Range<usize>,
    secrets: &[String],
) -> Vec<u8> {
    let requests = recording.requests[range].to_vec();
    let (config, environment) = if index == 0 {
        (recording.config.clone(), recording.environment.clone())
    } else {
        (serde_json::Value::Null, Environment::default())
    };
    let block = shareable_recording(
        &Recording {
            version: recording.version,
            started_at_unix_ms: recording.started_at_unix_ms,
            config,
            environment,
            requests,
        },
        secrets,
    );
    // One request too long for a block keeps its times on the clock's grid
    // only (fewer bytes), which is the precision of a result link.
    let exact: HashSet<u64> =
        if block.requests.len() == 1 && block.requests[0].chunks.len() > MAX_BLOCK_CHUNKS {
            HashSet::new()
        } else {
            block.requests.iter().map(|r| r.id).collect()
        };
    pack_run(
        &SharedRun {
            recording: block,
            deadlines: None,
            rounded_to: None,
        },
        &exact,
    )
}

/// A kept run put back together from its blocks, in order, each checked.
pub struct Reassembly {
    expected: usize,
    received: usize,
    recording: Option<Recording>,
}

impl Reassembly {
    /// Expect `blocks` blocks (from the run's index entry, already checked).
    pub fn new(blocks: usize) -> Reassembly {
        Reassembly {
            expected: blocks,
            received: 0,
            recording: None,
        }
    }

    /// Add the next block's stored bytes.
    pub fn add(&mut self, bytes: &[u8]) -> Result<(), String> {
        let damaged = "Part of this kept run is damaged, so it cannot be opened.";
        if self.received >= self.expected {
            return Err(damaged.into());
        }
        // Deflate never grows a block by more than a small margin.
        if bytes.len() > MAX_INFLATED_BYTES + (MAX_INFLATED_BYTES >> 4) {
            return Err(damaged.into());
        }
        let block = unpack_run(bytes)
            .map_err(|_| damaged.to_string())?
            .recording;
        match &mut self.recording {
            None => self.recording = Some(block),
            Some(recording) => {
                if recording.requests.len() + block.requests.len() > MAX_REQUESTS {
                    return Err(format!(
                        "This kept run holds more than {MAX_REQUESTS} requests, more than this \
                         page shows."
                    ));
                }
                recording.requests.extend(block.requests);
            }
        }
        self.received += 1;
        Ok(())
    }

    /// The whole run, checked as an imported recording is.
    pub fn finish(self) -> Result<Recording, String> {
        let incomplete = "Part of this kept run is missing, so it cannot be opened.";
        if self.received != self.expected {
            return Err(incomplete.into());
        }
        let recording = self.recording.ok_or(incomplete)?;
        check_recording(&recording).map_err(|e| e.message)?;
        Ok(recording)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::synthetic::SyntheticRun;

    fn run(requests: usize, tokens: u32) -> Recording {
        let mut recording = SyntheticRun {
            seed: 11,
            requests,
            tokens_per_request: tokens,
            stall_probability: 0.02,
        }
        .recording();
        recording.config = serde_json::json!({"setup": {"endpoint": "http://x"}});
        recording.environment.user_agent = "test agent".into();
        // The plan's times travel to 1 µs; every measured time bit for bit.
        for request in &mut recording.requests {
            request.scheduled_at = (request.scheduled_at * 1e6).round() / 1e6;
        }
        recording
    }

    fn round_trip(recording: &Recording) -> Result<Recording, String> {
        let ranges = block_ranges(recording)?;
        let mut back = Reassembly::new(ranges.len());
        for (i, range) in ranges.into_iter().enumerate() {
            back.add(&pack_block(recording, i, range, &[]))?;
        }
        back.finish()
    }

    #[test]
    fn a_run_comes_back_bit_for_bit() {
        let recording = run(60, 300);
        let ranges = block_ranges(&recording).unwrap();
        let chunks = |r: &Range<usize>| -> usize {
            recording.requests[r.clone()]
                .iter()
                .map(|q| q.chunks.len())
                .sum()
        };
        // Consecutive, covering, full: each block holds at most the bound,
        // and the next request would not have fitted.
        assert!(ranges.len() >= 2, "{ranges:?}");
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges.last().unwrap().end, 60);
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(chunks(&pair[0]) <= MAX_BLOCK_CHUNKS);
            let next = recording.requests[pair[1].start].chunks.len();
            assert!(chunks(&pair[0]) + next > MAX_BLOCK_CHUNKS);
        }
        assert_eq!(round_trip(&recording).unwrap(), recording);
        let empty = run(0, 1);
        assert_eq!(block_ranges(&empty).unwrap(), vec![0..0]);
        assert_eq!(round_trip(&empty).unwrap(), empty);
    }

    #[test]
    fn a_full_block_stays_under_the_readers_bound() {
        // One block of the most chunks, with jittered times.
        let recording = run(8, 1000);
        let bytes = pack_block(&recording, 0, 0..8, &[]);
        assert!(bytes.len() < MAX_INFLATED_BYTES / 2, "{}", bytes.len());
        assert_eq!(round_trip(&recording).unwrap(), recording);
    }

    #[test]
    fn no_block_holds_the_key() {
        let mut recording = run(20, 800);
        recording.config = serde_json::json!({
            "setup": {"endpoint": "http://u:pw@x", "headers": [{"name": "Authorization", "value": "Bearer sk-9", "secret": true}]}
        });
        recording.requests[19].error = Some(crate::recording::RequestError {
            kind: crate::recording::ErrorKind::HttpStatus,
            message: "bad key sk-9".into(),
            status: Some(401),
        });
        let secrets = vec!["sk-9".to_string()];
        let ranges = block_ranges(&recording).unwrap();
        assert!(ranges.len() >= 2);
        for (i, range) in ranges.into_iter().enumerate() {
            let block = unpack_run(&pack_block(&recording, i, range, &secrets)).unwrap();
            let text = serde_json::to_string(&block.recording).unwrap();
            assert!(
                !text.contains("sk-9") && !text.contains("pw@"),
                "{}",
                &text[..200]
            );
        }
    }

    #[test]
    fn damaged_or_missing_blocks_get_a_sentence() {
        let recording = run(20, 500);
        let ranges = block_ranges(&recording).unwrap();
        assert_eq!(ranges.len(), 2);
        let blocks: Vec<Vec<u8>> = ranges
            .into_iter()
            .enumerate()
            .map(|(i, r)| pack_block(&recording, i, r, &[]))
            .collect();
        let mut missing = Reassembly::new(2);
        missing.add(&blocks[0]).unwrap();
        assert!(missing.finish().unwrap_err().contains("missing"));
        let mut extra = Reassembly::new(1);
        extra.add(&blocks[0]).unwrap();
        assert!(extra.add(&blocks[1]).unwrap_err().contains("damaged"));
        let mut cut = Reassembly::new(2);
        assert!(cut
            .add(&blocks[0][..blocks[0].len() / 2])
            .unwrap_err()
            .contains("damaged"));
        let mut huge = Reassembly::new(2);
        assert!(huge
            .add(&vec![2u8; 2 << 20])
            .unwrap_err()
            .contains("damaged"));
        // The same block twice: a request appears twice.
        let mut twice = Reassembly::new(2);
        twice.add(&blocks[0]).unwrap();
        twice.add(&blocks[0]).unwrap();
        assert!(twice.finish().unwrap_err().contains("twice"));
    }
}
