package store

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ClaimTTL is how long a claim of a process on another machine holds, which
// this one cannot check is alive: after it, the trial is evaluated again
// (a duplicate only overwrites a result with an equal one).
const ClaimTTL = time.Hour

// claimsTable records which process is evaluating a trial. It is made by
// the first Claim rather than by a migration: only runs use it, so a store
// keeps its schema version and older builds and read-only opens read it.
const claimsTable = `CREATE TABLE IF NOT EXISTS claims (
	experiment INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	host TEXT NOT NULL,
	pid INTEGER NOT NULL,
	owner TEXT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY(experiment, seq)
)`

// claimer is who this open store claims trials for: the process, and the
// Store value, since one process may open a store twice.
type claimer struct {
	host  string
	pid   int
	owner string
}

func newClaimer() claimer {
	host, _ := os.Hostname()
	b := make([]byte, 8)
	rand.Read(b)
	return claimer{host: host, pid: os.Getpid(), owner: hex.EncodeToString(b)}
}

// Claim records that this store's user is evaluating trial seq of
// experiment id, unless another that is alive holds it: then it returns a
// description of that holder ("host pid 42") and claims nothing. A holder
// is alive when it is a process of this machine that exists, or one of
// another machine that claimed less than ClaimTTL ago.
func (s *Store) Claim(id int64, seq int) (holder string, err error) {
	err = s.write(func(tx *sql.Tx) error {
		holder = ""
		if _, err := tx.Exec(claimsTable); err != nil {
			return err
		}
		var host, owner, at string
		var pid int
		err := tx.QueryRow(`SELECT host, pid, owner, at FROM claims WHERE experiment=? AND seq=?`, id, seq).Scan(&host, &pid, &owner, &at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case owner != s.me.owner && claimAlive(s.me, host, pid, at):
			holder = fmt.Sprintf("%s pid %d", host, pid)
			return nil
		}
		_, err = tx.Exec(`INSERT OR REPLACE INTO claims(experiment, seq, host, pid, owner, at) VALUES (?,?,?,?,?,?)`,
			id, seq, s.me.host, s.me.pid, s.me.owner, time.Now().UTC().Format(timeFormat))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("claiming trial %d: %w", seq, err)
	}
	return holder, nil
}

// Release drops this store's claim of trial seq of experiment id, if it
// holds it.
func (s *Store) Release(id int64, seq int) error {
	err := s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM claims WHERE experiment=? AND seq=? AND owner=?`, id, seq, s.me.owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("releasing trial %d: %w", seq, err)
	}
	return nil
}

func claimAlive(me claimer, host string, pid int, at string) bool {
	if host == me.host {
		err := syscall.Kill(pid, 0)
		return pid > 0 && (err == nil || errors.Is(err, syscall.EPERM))
	}
	t, err := time.Parse(timeFormat, at)
	return err == nil && time.Since(t) < ClaimTTL
}
