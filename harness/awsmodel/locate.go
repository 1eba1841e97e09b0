package awsmodel

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// EnvDataDir names botocore's data directory when set (the directory that
// holds s3/, dynamodb/…).
const EnvDataDir = "GROUNDSTACK_BOTOCORE_DATA"

// ErrNoModels is returned when no botocore data directory can be found.
var ErrNoModels = errors.New("awsmodel: AWS's service models were not found: install botocore " +
	"(make deps installs Debian's python3-botocore) or set " + EnvDataDir + " to its data directory")

// pythonLocate prints botocore's data directory.
const pythonLocate = "import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),'data'))"

// Locate finds botocore's data directory: $GROUNDSTACK_BOTOCORE_DATA, then
// the python3 on the PATH, then the usual Debian, /usr/local and pyenv
// places. It runs python3 (bounded to a few seconds), so callers cache it.
func Locate() (string, error) {
	if dir := os.Getenv(EnvDataDir); dir != "" {
		if isDataDir(dir) {
			return dir, nil
		}
		return "", errors.New("awsmodel: " + EnvDataDir + "=" + dir + " holds no botocore models (no s3/ or sts/ under it)")
	}
	if py, err := exec.LookPath("python3"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, py, "-c", pythonLocate).Output()
		cancel()
		if dir := strings.TrimSpace(string(out)); err == nil && isDataDir(dir) {
			return dir, nil
		}
	}
	var candidates []string
	for _, g := range []string{
		"/usr/lib/python3/dist-packages/botocore/data",
		"/usr/local/lib/python3*/*-packages/botocore/data",
		"/usr/lib/python3*/site-packages/botocore/data",
		filepath.Join(os.Getenv("HOME"), ".pyenv/versions/*/lib/python3*/site-packages/botocore/data"),
		filepath.Join(os.Getenv("HOME"), ".local/lib/python3*/site-packages/botocore/data"),
	} {
		m, _ := filepath.Glob(g)
		sort.Sort(sort.Reverse(sort.StringSlice(m))) // the newest Python first
		candidates = append(candidates, m...)
	}
	for _, dir := range candidates {
		if isDataDir(dir) {
			return dir, nil
		}
	}
	return "", ErrNoModels
}

func isDataDir(dir string) bool {
	for _, s := range []string{"sts", "s3"} {
		if fi, err := os.Stat(filepath.Join(dir, s)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// Library loads models from one data directory and keeps each it loaded.
type Library struct {
	Dir string

	mu     sync.Mutex
	models map[string]*Service
	errs   map[string]error
}

// NewLibrary reads models from dir.
func NewLibrary(dir string) *Library { return &Library{Dir: dir} }

// Service returns the newest model of service (botocore's name: "s3",
// "dynamodb", "iot-data"), loading it on first use.
func (l *Library) Service(service string) (*Service, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m, ok := l.models[service]; ok {
		return m, nil
	}
	if err, ok := l.errs[service]; ok {
		return nil, err
	}
	m, err := LoadService(l.Dir, service)
	if l.models == nil {
		l.models, l.errs = map[string]*Service{}, map[string]error{}
	}
	if err != nil {
		l.errs[service] = err
		return nil, err
	}
	l.models[service] = m
	return m, nil
}

var (
	defaultOnce sync.Once
	defaultLib  *Library
	defaultErr  error
)

// Default is the Library of the data directory Locate finds, located once
// per process on first use (never at start-up: it may run python3).
func Default() (*Library, error) {
	defaultOnce.Do(func() {
		dir, err := Locate()
		if err != nil {
			defaultErr = err
			return
		}
		defaultLib = NewLibrary(dir)
	})
	return defaultLib, defaultErr
}
