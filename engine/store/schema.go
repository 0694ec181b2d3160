package store

import (
	"database/sql"
	"fmt"
)

// migrations[i] takes the schema from version i to version i+1. Append only:
// a released migration is never edited, so every older store migrates forward.
var migrations = []string{
	`CREATE TABLE experiments (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		spec TEXT NOT NULL,
		hash TEXT NOT NULL,
		seed INTEGER NOT NULL,
		created TEXT NOT NULL,
		UNIQUE(name, hash, seed)
	);
	CREATE TABLE trials (
		experiment INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
		seq INTEGER NOT NULL,
		genome TEXT NOT NULL,
		network_key TEXT NOT NULL,
		network TEXT NOT NULL,
		design TEXT NOT NULL,
		metrics TEXT NOT NULL,
		status TEXT NOT NULL,
		hw_s REAL NOT NULL,
		eval_s REAL NOT NULL,
		error TEXT NOT NULL,
		created TEXT NOT NULL,
		PRIMARY KEY(experiment, seq)
	);
	CREATE TABLE accuracy_cache (
		network_key TEXT NOT NULL,
		dataset TEXT NOT NULL,
		fidelity TEXT NOT NULL,
		seed INTEGER NOT NULL,
		metrics TEXT NOT NULL,
		eval_s REAL NOT NULL,
		PRIMARY KEY(network_key, dataset, fidelity, seed)
	);
	CREATE TABLE hardware_cache (
		network_key TEXT NOT NULL,
		hardware TEXT NOT NULL,
		model_version TEXT NOT NULL,
		design TEXT NOT NULL,
		metrics TEXT NOT NULL,
		PRIMARY KEY(network_key, hardware, model_version)
	);`,
	// v2: look experiments up by name quickly (hwnas results NAME).
	`CREATE INDEX experiments_name ON experiments(name, created);`,
	// v3: what the engine needs to re-read results without the spec's
	// dependencies (objectives, constraints), as JSON.
	`ALTER TABLE experiments ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';`,
}

// SchemaVersion is the schema version this build writes.
var SchemaVersion = len(migrations)

func (s *Store) migrate() error {
	return s.write(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("schema version table: %w", err)
		}
		var v int
		err := tx.QueryRow(`SELECT version FROM schema_version`).Scan(&v)
		switch {
		case err == sql.ErrNoRows:
			if _, err := tx.Exec(`INSERT INTO schema_version(version) VALUES (0)`); err != nil {
				return fmt.Errorf("schema version: %w", err)
			}
		case err != nil:
			return fmt.Errorf("schema version: %w", err)
		}
		if v < 0 { // migrations[v] would panic
			return fmt.Errorf("schema version %d is not one hwnas wrote (they run 0 to %d)", v, len(migrations))
		}
		if v > len(migrations) {
			return fmt.Errorf("schema version %d is newer than this hwnas understands (%d): upgrade hwnas", v, len(migrations))
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.Exec(migrations[i]); err != nil {
				return fmt.Errorf("migrating schema from version %d to %d: %w", i, i+1, err)
			}
		}
		if _, err := tx.Exec(`UPDATE schema_version SET version = ?`, len(migrations)); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		return nil
	})
}

// Version returns the schema version of the open store.
func (s *Store) Version() (int, error) {
	var v int
	if err := s.r.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}
