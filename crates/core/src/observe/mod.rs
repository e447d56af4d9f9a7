//! From bytes to records: the stream recorder turns a response's reads into
//! a [`RequestRecord`](crate::recording::RequestRecord), failures get a
//! kind and a sentence, the worker's rehearsal is canned here, and the
//! page's run book assembles the worker's messages into a recording.

pub mod failure;
pub mod rehearsal;
pub mod run_book;
pub mod stream;
