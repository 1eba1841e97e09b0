//go:build !unix

package persist

import "os"

// lockDir does not lock where flock is missing.
func lockDir(string) (*os.File, error) { return nil, nil }
