package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The object stores (JetStream buckets) that carry what is too large for a
// request: a supernet's weights from the engine to the workers, and the
// training state of a fidelity schedule's rungs both ways. Object stores
// split an object into chunks, so neither is bound by the server's maximum
// message size (1 MB by default).
const (
	SupernetBucket   = "HWNAS_SUPERNETS"   // by SHA-256 of the content; kept until removed by hand
	CheckpointBucket = "HWNAS_CHECKPOINTS" // one object per rung in flight, removed by the engine once read; ResultAge at most
)

// setupBuckets creates or updates the two object stores.
func setupBuckets(ctx context.Context, js jetstream.JetStream, c Config) (supernets, checkpoints jetstream.ObjectStore, err error) {
	supernets, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: SupernetBucket,
		Description: "hwnas trained supernets, by SHA-256", Storage: jetstream.FileStorage})
	if err != nil {
		return nil, nil, fmt.Errorf("creating object store %s: %w", SupernetBucket, err)
	}
	checkpoints, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: CheckpointBucket,
		Description: "hwnas training state between the rungs of a fidelity schedule", Storage: jetstream.FileStorage, TTL: c.ResultAge})
	if err != nil {
		return nil, nil, fmt.Errorf("creating object store %s: %w", CheckpointBucket, err)
	}
	return supernets, checkpoints, nil
}

// contentName is the object name of blob in SupernetBucket.
func contentName(blob []byte) string {
	h := sha256.Sum256(blob)
	return hex.EncodeToString(h[:])
}

// putOnce stores blob in bucket under its content name unless it is there, and
// returns the name.
func putOnce(ctx context.Context, bucket jetstream.ObjectStore, blob []byte) (string, error) {
	name := contentName(blob)
	if _, err := bucket.GetInfo(ctx, name); err == nil {
		return name, nil
	} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
		return "", fmt.Errorf("object store %s: %w", SupernetBucket, err)
	}
	if _, err := bucket.PutBytes(ctx, name, blob); err != nil {
		return "", fmt.Errorf("storing %d bytes in object store %s: %w", len(blob), SupernetBucket, err)
	}
	return name, nil
}

// fetchFile writes object name of bucket to path, atomically (a temporary file
// in path's folder renamed over it).
func fetchFile(ctx context.Context, bucket jetstream.ObjectStore, name, path string) (int, error) {
	b, err := bucket.GetBytes(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("reading object %s: %w", name, err)
	}
	return len(b), writeAtomic(path, b)
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fetch-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if err := errors.Join(err, tmp.Close()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// deleteObjects removes names from bucket, best effort: a left object expires
// with the bucket's TTL.
func deleteObjects(bucket jetstream.ObjectStore, names ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, n := range names {
		if n != "" {
			bucket.Delete(ctx, n)
		}
	}
}
