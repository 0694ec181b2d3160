package store

import (
	"database/sql"
	"fmt"
)

// The supernets table holds trained one-shot supernets (engine's supernet
// evaluator) by key: the space, data and training settings. It is created on
// first use rather than by a schema migration, so that a store written by
// this version stays readable by one that does not know it.
const supernetsTable = `CREATE TABLE IF NOT EXISTS supernets (
	key TEXT PRIMARY KEY,
	epochs INTEGER NOT NULL,
	weights BLOB NOT NULL
)`

// Supernet returns the stored supernet of key: the epochs it has finished
// and its weights (nn.Supernet.MarshalBinary); ok is false when none is.
// It only reads, so it works on a store opened read-only.
func (s *Store) Supernet(key string) (epochs int, weights []byte, ok bool, err error) {
	return s.supernet(key, `SELECT epochs, weights FROM supernets WHERE key=?`)
}

// SupernetHead is Supernet with only the first n bytes of the weights
// (fewer when they are shorter): what a reader of a header needs, without
// reading megabytes of weights.
func (s *Store) SupernetHead(key string, n int) (epochs int, head []byte, ok bool, err error) {
	return s.supernet(key, fmt.Sprintf(`SELECT epochs, substr(weights, 1, %d) FROM supernets WHERE key=?`, max(n, 0)))
}

// supernet runs query, which selects the epochs and the weights (or a part
// of them) of key.
func (s *Store) supernet(key, query string) (epochs int, weights []byte, ok bool, err error) {
	var tables int
	if err := s.r.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type='table' AND name='supernets'`).Scan(&tables); err != nil {
		return 0, nil, false, fmt.Errorf("supernets: %w", err)
	}
	if tables == 0 {
		return 0, nil, false, nil
	}
	err = s.r.QueryRow(query, key).Scan(&epochs, &weights)
	if err == sql.ErrNoRows {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, fmt.Errorf("supernet %s: %w", key, err)
	}
	return epochs, weights, true, nil
}

// PutSupernet stores the supernet of key after epochs finished epochs,
// replacing an earlier one, in one transaction: a process killed meanwhile
// leaves the previous epoch's.
func (s *Store) PutSupernet(key string, epochs int, weights []byte) error {
	err := s.write(func(tx *sql.Tx) error {
		if _, err := tx.Exec(supernetsTable); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT OR REPLACE INTO supernets(key, epochs, weights) VALUES (?,?,?)`, key, epochs, weights)
		return err
	})
	if err != nil {
		return fmt.Errorf("supernet %s: %w", key, err)
	}
	return nil
}
