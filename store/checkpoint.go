package store

import (
	"context"
	"database/sql"
	"time"
)

// SQLite's automatic checkpoint runs inside the commit that crosses its
// threshold, copying the WAL into the database file with two fsyncs: that
// commit, and every write queued behind it, waits milliseconds. The writer
// connection therefore has it off, and this goroutine checkpoints instead,
// on its own connection, concurrently with the writer (PASSIVE mode).
// Durability does not depend on it: a commit is complete once in the WAL.
const (
	// checkpointEvery wakes the checkpointer after this many commits (about
	// the 1,000 WAL pages SQLite's own threshold stands for, at the pages a
	// message writes).
	checkpointEvery = 64
	// checkpointIdle checkpoints at least this often while idle.
	checkpointIdle = time.Second
	// walLimitFrames bounds the WAL file to about 16 MiB (4 KiB pages).
	walLimitFrames = 4096
)

func (db *DB) checkpointLoop() {
	defer close(db.stopped)
	tick := time.NewTicker(checkpointIdle)
	defer tick.Stop()
	idle := int64(-1)
	lost := false // the file was found deleted or replaced, and logged
	for {
		select {
		case <-db.stop:
			return
		case <-db.kick:
		case <-tick.C:
			if n := db.commits.Load(); n == idle {
				continue // nothing written since the last checkpoint
			}
		}
		idle = db.commits.Load()
		db.checkpoint(context.Background())
		if err := db.sameFile(); err != nil && !lost {
			db.log.Error("store: database file lost", "path", db.path, "err", err)
			lost = true
		}
	}
}

// checkpoint copies committed WAL pages into the database file and reports
// how many pages the WAL holds.
//
// The copy runs on the checkpointer's connection while writes go on. Under
// steady writes it never quite catches up, and SQLite starts the WAL file
// over only after a checkpoint that did; so once the WAL holds more than
// walLimitFrames pages, a second pass runs on the writer's connection, in
// turn with the writes: it has only the pages written during the first pass
// left to copy, and the next write starts the WAL over.
func (db *DB) checkpoint(ctx context.Context) (walFrames int, err error) {
	var busy, done int
	for _, conn := range []*sql.DB{db.ck, db.w} {
		err = conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &walFrames, &done)
		if err != nil {
			db.log.Warn("store: checkpoint", "path", db.path, "err", err)
			return 0, err
		}
		if walFrames <= walLimitFrames {
			break
		}
	}
	return walFrames, nil
}
