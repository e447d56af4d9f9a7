//! From a stream of timed reads to a RequestRecord. Being written.
