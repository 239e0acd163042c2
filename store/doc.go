// Package store keeps everything Liaison records in one SQLite file: public
// messages and the decisions made on them, escalations with their askers and
// staff answers, the outbox of replies to deliver, phase changes, broadcasts,
// draft knowledge-base entries, the audit log and citizens' feedback. DB
// implements bot.Store; it is the only package that imports database/sql.
//
// Durability: every method that changes something does it in one
// transaction, committed before it returns, so a caller may acknowledge a
// platform once the call has succeeded. The database runs in WAL mode with
// synchronous=NORMAL: a committed transaction survives the process being
// killed at any point (kill -9); only a power cut or an operating-system
// crash may lose the last transactions. Replies are written to the outbox
// in the same transaction as the decision that produced them, and each has
// a unique key, so a restart resumes delivery without losing or repeating a
// reply.
//
// Concurrency: a DB is safe for concurrent use. Writes go through one
// connection (SQLite allows one writer at a time; queueing in Go is cheaper
// and fairer than SQLite's busy back-off) and every write transaction starts
// with BEGIN IMMEDIATE, so two processes sharing the file serialise too.
// Reads use a small pool of their own connections (deferred transactions,
// writes refused) and see the last committed state. WAL checkpoints run in
// the background rather than inside a commit (see checkpoint.go), and each
// connection keeps its prepared statements (_stmt_cache_size), so a
// message costs one short transaction.
//
// Schema: migrations are embedded SQL files (migrations/NNN_name.sql)
// applied in order at Open, each in its own transaction, recorded with a
// checksum in schema_migrations. An applied migration is never edited: Open
// refuses a database whose recorded checksum differs, and a database written
// by a newer build. Times are stored in UTC with nanoseconds.
//
// Privacy: what a citizen wrote verbatim is in one column (messages.text);
// escalations and askers keep the masked question the engine gives them,
// a desk notice of a citizen's request for the answer in their language
// quotes their masked words, and one of an answer that could not be
// delivered names the citizen (with, for the purge, the same notice
// calling them "the citizen").
// Purge (retention.go) empties citizens' words and identities from records
// older than a cut-off, in small batches, and marks them redacted, keeping
// decisions, staff answers and counts; it leaves alone whatever a reply
// still due needs.
package store
