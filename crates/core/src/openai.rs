//! OpenAI-compatible protocol: request bodies and stream chunks. Being written.
