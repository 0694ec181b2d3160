package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// errReadOnly is what a write to a store opened by OpenReadOnly returns.
var errReadOnly = errors.New("the store is open read-only")

// OpenReadOnly opens the existing store in directory dir (DefaultDir when
// empty) for reading only: it never migrates, never takes the writer's lock
// and creates no file, so it reads a store on read-only media or one
// another process is writing.
//
// While a writer has the store open (its write-ahead log exists) the store
// is opened with SQLite's mode=ro, which sees every commit as it lands. A
// store whose writers have all closed it is one complete file and is opened
// immutable (no locks, no -wal or -shm files); a writer that starts later is
// seen by the next OpenReadOnly, not by this one.
//
// A directory without a store reads as an empty store, still without
// creating anything in it. A store whose schema is older than this build reads is refused with an
// error saying how to migrate it; one that is newer, with one saying to
// upgrade hwnas.
func OpenReadOnly(dir string) (*Store, error) {
	if dir == "" {
		dir = DefaultDir
	}
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if info, derr := os.Stat(dir); derr == nil && info.IsDir() {
			return emptyStore(dir)
		}
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath()
	if _, err := os.Stat(path + "-wal"); err == nil {
		dsn += "?mode=ro&_pragma=busy_timeout(15000)"
	} else {
		dsn += "?immutable=1"
	}
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &Store{dir: dir, r: r}
	if err := s.checkVersion(); err != nil {
		r.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return s, nil
}

// emptyStore is the store of a directory no writer has used yet: an empty
// database of the current schema in memory, so that nothing is created in
// dir. One connection: each in-memory connection is a database of its own.
func emptyStore(dir string) (*Store, error) {
	w, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	s := &Store{dir: dir, w: w, r: w}
	if err := s.migrate(); err != nil {
		w.Close()
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	s.w = nil
	return s, nil
}

// ReadOnly reports whether s was opened by OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.w == nil }

// checkVersion refuses a schema other than the one this build reads.
func (s *Store) checkVersion() error {
	v, err := s.Version()
	if err != nil {
		return err
	}
	switch {
	case v < SchemaVersion:
		return fmt.Errorf("schema version %d is older than this hwnas reads (%d): a command that writes (hwnas run) migrates it", v, SchemaVersion)
	case v > SchemaVersion:
		return fmt.Errorf("schema version %d is newer than this hwnas understands (%d): upgrade hwnas", v, SchemaVersion)
	}
	return nil
}

// Activity is how far a stored experiment has got: its trials and when the
// last one was stored.
type Activity struct {
	Trials int
	Last   time.Time
}

// Activities returns the Activity of every experiment with a trial, by id,
// in one query: what a dashboard polls to see runs progress.
func (s *Store) Activities() (map[int64]Activity, error) {
	rows, err := s.r.Query(`SELECT experiment, count(*), max(created) FROM trials GROUP BY experiment`)
	if err != nil {
		return nil, fmt.Errorf("trial counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]Activity{}
	for rows.Next() {
		var id int64
		var a Activity
		var last string
		if err := rows.Scan(&id, &a.Trials, &last); err != nil {
			return nil, fmt.Errorf("trial counts: %w", err)
		}
		a.Last, _ = time.Parse(timeFormat, last)
		out[id] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("trial counts: %w", err)
	}
	return out, nil
}
