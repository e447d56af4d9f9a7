//! Opening a file: a recording of etalon-web (JSON with `version` and
//! `requests`) or Etalon's `request_level_metrics.json` (lists `ttft`,
//! `tbt`, `num_output_tokens`, ...; or, as `etalon-cli metrics` also reads,
//! a list of per-request objects with those keys), told apart by their
//! fields and read into a [`Recording`], so the results and compare screens
//! show either.
//!
//! Etalon's file holds each request's timeline `[ttft] + tbt`; it becomes
//! chunks at the cumulative times, a gap of 0 adding a token to the chunk
//! before (the inverse of [`RequestRecord::inter_token_times`]), so the
//! metrics see the file's timeline again (to the rounding of the sums,
//! about 1e-16 s). Every problem is one sentence naming what is wrong.
//!
//! A failed request stays in Etalon's file; [`etalon_failure`] tells it:
//! the failure etalon-web's own export keeps under `etalon_web.error`, a
//! `ttft` that is null or missing, or no token at all (`ttft` 0, no gap, no
//! output token). It counts as failed, not completed.
//!
//! One reader per format: [`read_etalon_file`] is the only code that reads
//! Etalon's file. The page's import ([`import_file`]) makes a recording of
//! what it read ([`EtalonFile::recording`]); `etalon-cli metrics` takes the
//! file's timelines as they are ([`EtalonRequest::timeline`], no sums), so
//! its figures are Etalon's to the last bit, and the page's to the rounding
//! of the sums.

use serde::Deserialize;
use serde_json::Value;

use super::check::check_recording;
use super::{ShareError, MAX_IMPORT_BYTES, MAX_REQUESTS};
use crate::metrics::{DeadlineConfig, RequestTimeline};
use crate::recording::{
    Chunk, Environment, ErrorKind, Recording, RequestError, RequestRecord, TokenCount, TokenSource,
    RECORDING_VERSION,
};

/// Which kind of file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportedKind {
    Recording,
    EtalonRequestLevelMetrics,
}

/// A file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub recording: Recording,
    pub kind: ImportedKind,
    /// The deadlines the file was judged against, when it says.
    pub deadlines: Option<DeadlineConfig>,
}

/// Read the file `name` holding `text`.
pub fn import_file(name: &str, text: &str) -> Result<Imported, ShareError> {
    let problem = |what: String| ShareError::new(format!("\"{name}\" {what}"));
    let etalon = |value: &Value| {
        let file = read_etalon_file(value)
            .map_err(|e| problem(format!("is Etalon's request-level file, but {e}")))?;
        let recording = file.recording();
        check_recording(&recording).map_err(|e| problem(format!("cannot be shown: {e}")))?;
        Ok(Imported {
            recording,
            kind: ImportedKind::EtalonRequestLevelMetrics,
            deadlines: file.deadlines,
        })
    };
    if text.len() > MAX_IMPORT_BYTES {
        return Err(problem(format!(
            "is larger than {} MiB, more than this page opens.",
            MAX_IMPORT_BYTES >> 20
        )));
    }
    if text.trim().is_empty() {
        return Err(problem("is empty.".into()));
    }
    // A recording is read straight into its types: a tree of JSON values
    // would cost several times the file in memory.
    let not_json = |e: serde_json::Error| {
        problem(format!(
            "is not JSON (line {}, column {}): open a recording exported by etalon-web or Etalon's request_level_metrics.json.",
            e.line(),
            e.column()
        ))
    };
    if probe(text).is_some_and(|shape| shape.requests) {
        let recording: Recording = serde_json::from_str(text).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                return not_json(e);
            }
            problem(format!(
                "looks like a recording but is not a valid one: {e}."
            ))
        })?;
        return recording_import(recording).map_err(problem);
    }
    let value: Value = serde_json::from_str(text).map_err(not_json)?;
    if is_etalon_file(&value) {
        return etalon(&value);
    }
    let Some(object) = value.as_object() else {
        return Err(problem(
            "holds JSON but not an object with named fields, as a recording or Etalon's file does."
                .into(),
        ));
    };
    if object.contains_key("requests") {
        let recording: Recording = serde_json::from_value(value).map_err(|e| {
            problem(format!(
                "looks like a recording but is not a valid one: {e}."
            ))
        })?;
        return recording_import(recording).map_err(problem);
    }
    Err(problem(
        "is neither a recording of etalon-web nor Etalon's request_level_metrics.json: it has none of their fields (\"requests\", or \"ttft\" and \"tbt\").".into(),
    ))
}

/// A recording, checked, with the deadlines it was shown under; the error
/// completes "\"NAME\" ...".
fn recording_import(recording: Recording) -> Result<Imported, String> {
    check_recording(&recording).map_err(|e| format!("cannot be shown: {e}"))?;
    let deadlines = recording
        .config
        .pointer("/setup/deadlines")
        .and_then(|d| serde_json::from_value(d.clone()).ok());
    Ok(Imported {
        recording,
        kind: ImportedKind::Recording,
        deadlines,
    })
}

/// Which of the fields that tell the files apart a JSON object has at its
/// top level, read without building anything (every value is skipped).
#[derive(Debug, Default, serde::Deserialize)]
pub struct FileShape {
    /// The recording's `version`, when there is one.
    #[serde(default)]
    pub version: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pub requests: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// The shape of `text`'s top level; `None` when it is not one JSON object
/// (a list, or not JSON).
pub fn probe(text: &str) -> Option<FileShape> {
    // serde would read a struct from a list too.
    text.trim_start()
        .starts_with('{')
        .then(|| serde_json::from_str(text).ok())
        .flatten()
}

/// Whether `value` has the shape of Etalon's file: an object with `ttft` or
/// `tbt` (and no `requests`, which makes it a recording), or a list whose
/// first entry has `ttft` or `tbt`.
pub fn is_etalon_file(value: &Value) -> bool {
    let has_timeline = |v: &Value| v.get("ttft").is_some() || v.get("tbt").is_some();
    match value {
        Value::Array(rows) => rows.first().is_some_and(has_timeline),
        Value::Object(object) => !object.contains_key("requests") && has_timeline(value),
        _ => false,
    }
}

/// Etalon's file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct EtalonFile {
    /// In the file's order.
    pub requests: Vec<EtalonRequest>,
    /// The deadlines etalon-web's export keeps under
    /// `etalon_web.deadlines`, when the file has them.
    pub deadlines: Option<DeadlineConfig>,
}

/// One request of Etalon's file.
#[derive(Debug, Clone, PartialEq)]
pub struct EtalonRequest {
    /// `etalon_web.id[i]` when etalon-web wrote the file, else its position.
    pub id: u64,
    /// `[ttft] + tbt`, the file's numbers as they are; empty when no token
    /// arrived (a null `ttft`, or 0 with no gap and no output token).
    pub inter_token_times: Vec<f64>,
    /// `None` when the file does not say, or says 0 (etalon-web's export
    /// writes an unknown prompt length as 0).
    pub num_prompt_tokens: Option<u64>,
    /// `num_output_tokens`, when the file has it.
    pub num_output_tokens: Option<u64>,
    /// Why it failed ([`etalon_failure`]); `None` when it completed.
    pub error: Option<RequestError>,
}

impl EtalonRequest {
    /// The timeline the metrics use: the file's own times, exactly. The
    /// same figures as [`EtalonRequest::record`]'s to the rounding of the
    /// sums, and the same fields otherwise.
    pub fn timeline(&self) -> RequestTimeline {
        let itt = &self.inter_token_times;
        RequestTimeline {
            id: self.id,
            inter_token_times: itt.clone(),
            num_output_tokens: self.num_output_tokens.unwrap_or(itt.len() as u64),
            num_prompt_tokens: self.num_prompt_tokens,
            // Etalon's file has no reasoning: the first token is visible.
            time_to_first_visible_token: itt.first().copied(),
            error: self.error.as_ref().map(|e| e.kind),
        }
    }

    /// The request as a recorded one: chunks at the cumulative times, a
    /// gap of 0 adding a token to the chunk before, and the file's token
    /// counts as the server's.
    pub fn record(&self) -> RequestRecord {
        let chunks = chunks_of(&self.inter_token_times);
        let counted = |count| TokenCount {
            count,
            source: TokenSource::Server,
        };
        RequestRecord {
            id: self.id,
            ended_at: chunks.last().map(|c| c.at),
            chunks: chunks.into(),
            prompt_tokens: self.num_prompt_tokens.map(counted),
            output_tokens: self.num_output_tokens.map(counted),
            error: self.error.clone(),
            ..Default::default()
        }
    }
}

impl EtalonFile {
    /// The file as a recording, which the page shows.
    pub fn recording(&self) -> Recording {
        Recording {
            version: RECORDING_VERSION,
            started_at_unix_ms: 0.0,
            config: serde_json::json!({ "imported_from": "Etalon request_level_metrics.json" }),
            environment: Environment {
                user_agent: "Etalon (request_level_metrics.json)".into(),
                ..Default::default()
            },
            requests: self.requests.iter().map(EtalonRequest::record).collect(),
        }
    }
}

/// One request of Etalon's file: its `ttft`, `tbt`, and the prompt and
/// output token counts when the file has them.
type EtalonRow<'a> = (&'a Value, &'a Value, Option<&'a Value>, Option<&'a Value>);

/// Why request `i` of Etalon's file `file` failed, or `None` when it
/// completed. `ttft`, `tbt` and `output` are the request's values (`None`
/// when missing). A failed request is one that etalon-web's export marks
/// so (`etalon_web.error[i]`, kind and message kept), one whose `ttft` is
/// null or missing (Etalon has no first token for it), or one without any
/// token (`ttft` 0, no gap, and no or 0 `num_output_tokens`: a first token
/// never arrives after 0 s). The last two say no more, so they count as a
/// stream that ended early.
pub fn etalon_failure(
    file: &Value,
    i: usize,
    ttft: Option<&Value>,
    tbt: Option<&Value>,
    output: Option<&Value>,
) -> Option<RequestError> {
    let exported = file
        .get("etalon_web")
        .and_then(|extra| extra.get("error"))
        .and_then(|errors| errors.get(i))
        .filter(|e| !e.is_null())
        .and_then(|e| serde_json::from_value::<RequestError>(e.clone()).ok());
    if exported.is_some() {
        return exported;
    }
    let no_gap = tbt.is_none_or(|t| t.is_null() || t.as_array().is_some_and(Vec::is_empty));
    let no_count = output.is_none_or(|n| n.is_null() || n.as_f64() == Some(0.0));
    let message = match ttft {
        None | Some(Value::Null) => "Etalon's file has no TTFT for this request: it failed.",
        Some(v) if v.as_f64() == Some(0.0) && no_gap && no_count => {
            "Etalon's file has no token for this request (TTFT 0, no gap): it failed."
        }
        Some(_) => return None,
    };
    Some(RequestError {
        kind: ErrorKind::MalformedStream,
        message: message.into(),
        status: None,
    })
}

/// The requests of Etalon's file: columns (what Etalon writes), or a list of
/// per-request objects with the same keys (as `etalon-cli metrics` reads).
fn etalon_rows(value: &Value) -> Result<Vec<EtalonRow<'_>>, String> {
    if let Some(rows) = value.as_array() {
        return rows
            .iter()
            .enumerate()
            .map(|(i, row)| match (row.get("ttft"), row.get("tbt")) {
                (Some(ttft), Some(tbt)) => Ok((
                    ttft,
                    tbt,
                    row.get("num_prompt_tokens"),
                    row.get("num_output_tokens"),
                )),
                _ => Err(format!("request {i} has no \"ttft\" and \"tbt\".")),
            })
            .collect();
    }
    let list = |key: &str| -> Result<Option<&Vec<Value>>, String> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_array()
                .map(Some)
                .ok_or_else(|| format!("its \"{key}\" is not a list.")),
        }
    };
    let (Some(ttft), Some(tbt)) = (list("ttft")?, list("tbt")?) else {
        return Err("it lacks \"ttft\" or \"tbt\".".into());
    };
    let (prompt, output) = (list("num_prompt_tokens")?, list("num_output_tokens")?);
    let count = ttft.len();
    for (key, len) in [
        ("tbt", Some(tbt.len())),
        ("num_prompt_tokens", prompt.map(Vec::len)),
        ("num_output_tokens", output.map(Vec::len)),
    ] {
        if let Some(len) = len.filter(|len| *len != count) {
            return Err(format!(
                "its lists differ in length ({count} \"ttft\" values but {len} \"{key}\" values)."
            ));
        }
    }
    Ok((0..count)
        .map(|i| {
            (
                &ttft[i],
                &tbt[i],
                prompt.map(|p| &p[i]),
                output.map(|o| &o[i]),
            )
        })
        .collect())
}

/// Reads Etalon's `request_level_metrics.json` (`value`, see
/// [`is_etalon_file`]): columns, as Etalon writes them, or a list of
/// per-request objects with the same keys. The one reader of this format,
/// for the page's import and `etalon-cli metrics`. The error completes
/// "... is Etalon's request-level file, but ...".
pub fn read_etalon_file(value: &Value) -> Result<EtalonFile, String> {
    let rows = etalon_rows(value)?;
    let count = rows.len();
    if count > MAX_REQUESTS {
        return Err(format!(
            "it holds {count} requests, more than etalon-web reads ({MAX_REQUESTS})."
        ));
    }
    let extra = &value["etalon_web"];
    let number = |v: &Value, what: String| -> Result<f64, String> {
        v.as_f64()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| format!("{what} is not a number of 0 or more."))
    };
    let count_of = |v: Option<&Value>, what: String| -> Result<Option<u64>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .or_else(|| {
                    v.as_f64()
                        .filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 1e15)
                        .map(|x| x as u64)
                })
                .map(Some)
                .ok_or_else(|| format!("{what} is not a whole number of 0 or more.")),
        }
    };
    let mut requests = Vec::with_capacity(count);
    for (i, (ttft, tbt, prompt, output)) in rows.into_iter().enumerate() {
        let error = etalon_failure(value, i, Some(ttft), Some(tbt), output);
        let gaps: &[Value] = match tbt {
            Value::Null => &[],
            tbt => tbt
                .as_array()
                .ok_or_else(|| format!("\"tbt\" of request {i} is not a list."))?,
        };
        let tokens = count_of(output, format!("\"num_output_tokens\" of request {i}"))?;
        let mut itt = Vec::with_capacity(gaps.len() + 1);
        // Without a first token (a null TTFT, or 0, no gap and no count),
        // no token.
        if !ttft.is_null() {
            let first = number(ttft, format!("\"ttft\" of request {i}"))?;
            if !(gaps.is_empty() && first == 0.0 && tokens.unwrap_or(0) == 0) {
                itt.push(first);
                for (j, gap) in gaps.iter().enumerate() {
                    itt.push(number(gap, format!("gap {j} of request {i}"))?);
                }
            }
        }
        let prompt_tokens =
            count_of(prompt, format!("\"num_prompt_tokens\" of request {i}"))?.filter(|n| *n > 0);
        requests.push(EtalonRequest {
            id: extra["id"]
                .get(i)
                .and_then(Value::as_u64)
                .unwrap_or(i as u64),
            inter_token_times: itt,
            num_prompt_tokens: prompt_tokens,
            num_output_tokens: tokens,
            error,
        });
    }
    let deadlines = serde_json::from_value(extra["deadlines"].clone()).ok();
    Ok(EtalonFile {
        requests,
        deadlines,
    })
}

/// Chunks whose timeline is `itt`: each gap above 0 starts a chunk at the
/// cumulative time; a gap of 0 adds a token to the chunk before.
fn chunks_of(itt: &[f64]) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut at = 0.0;
    for &gap in itt {
        match chunks.last_mut() {
            Some(last) if gap == 0.0 => last.tokens += 1,
            _ => {
                at += gap;
                chunks.push(Chunk {
                    at,
                    tokens: 1,
                    reasoning: false,
                    server_sent_at: None,
                });
            }
        }
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_gaps_fold_into_the_chunk_before() {
        let chunks = chunks_of(&[0.5, 0.0, 0.25, 0.0, 0.0]);
        assert_eq!(chunks.len(), 2);
        assert_eq!((chunks[0].tokens, chunks[1].tokens), (2, 3));
        let record = RequestRecord {
            chunks: chunks.into(),
            ..Default::default()
        };
        assert_eq!(record.inter_token_times(), [0.5, 0.0, 0.25, 0.0, 0.0]);
    }

    #[test]
    fn each_problem_is_one_sentence_naming_the_file() {
        let cases = [
            ("", "is empty"),
            ("{", "is not JSON"),
            ("[1, 2]", "not an object"),
            ("{\"a\": 1}", "neither a recording"),
            (
                "{\"ttft\": [0.1], \"tbt\": [], \"num_output_tokens\": [1]}",
                "differ in length",
            ),
            (
                "{\"ttft\": [-1], \"tbt\": [[]], \"num_output_tokens\": [1]}",
                "\"ttft\" of request 0 is not a number",
            ),
            (
                "[{\"ttft\": 0.1, \"tbt\": [0.2, \"x\"]}]",
                "gap 1 of request 0 is not a number",
            ),
            (
                "[{\"ttft\": 0.1, \"tbt\": []}, {\"ttft\": 1}]",
                "request 1 has no",
            ),
            (
                "{\"version\": 9, \"requests\": [], \"started_at_unix_ms\": 0}",
                "newer etalon-web",
            ),
        ];
        for (text, expected) in cases {
            let error = import_file("f.json", text).unwrap_err().message;
            assert!(error.starts_with("\"f.json\" "), "{error}");
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
