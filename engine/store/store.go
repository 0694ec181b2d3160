package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultDir is where a store lives when no path is given: `.hwnas/` in the
// working directory.
const DefaultDir = ".hwnas"

// FileName is the database file inside a store directory.
const FileName = "hwnas.db"

// Store is an open store. It is safe for concurrent use by many goroutines;
// several processes may open the same store at once.
type Store struct {
	dir string
	w   *sql.DB // the single writer connection
	r   *sql.DB // readers
	me  claimer // who Claim claims for
}

// Open opens (creating if needed) the store in directory dir, or DefaultDir
// when dir is empty, and migrates its schema to the current version.
func Open(dir string) (*Store, error) {
	if dir == "" {
		dir = DefaultDir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_txlock=immediate" +
		"&_pragma=busy_timeout(15000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &Store{dir: dir, w: w, r: r, me: newClaimer()}
	if err := s.migrate(); err != nil {
		s.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return s, nil
}

// Dir is the directory of the store.
func (s *Store) Dir() string { return s.dir }

// Close closes the store.
func (s *Store) Close() error {
	if s.w == nil { // OpenReadOnly
		return s.r.Close()
	}
	return errors.Join(s.w.Close(), s.r.Close())
}

// busy reports whether err is SQLite saying another connection holds a
// lock: SQLITE_BUSY or one of its extended codes (SQLITE_BUSY_SNAPSHOT, ...).
func busy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// write runs f in one IMMEDIATE transaction on the writer connection,
// retrying when another process holds the write lock beyond busy_timeout.
func (s *Store) write(f func(tx *sql.Tx) error) error {
	if s.w == nil {
		return errReadOnly
	}
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		err = s.writeOnce(f)
		if !busy(err) {
			return err
		}
		time.Sleep(time.Duration(10*(attempt+1)) * time.Millisecond)
	}
	return err
}

func (s *Store) writeOnce(f func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// IntegrityCheck runs SQLite's integrity check and returns its verdict as an
// error when the database is damaged.
func (s *Store) IntegrityCheck() error {
	var res string
	if err := s.r.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
