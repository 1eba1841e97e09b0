package deploy

import (
	"maps"
	"path/filepath"
	"slices"
	"sync"
)

// built remembers, for this process, which handler package each zip came
// from and which functions EnsureFunction deployed from it, so that
// `groundstack up --watch` can rebuild a package and update exactly the
// functions built from it.
var built struct {
	mu        sync.Mutex
	pkgOfZip  map[string]string   // zip path → package directory
	functions map[string][]string // package directory → function names
}

func recordBuild(zipPath, pkgDir string) {
	built.mu.Lock()
	defer built.mu.Unlock()
	if built.pkgOfZip == nil {
		built.pkgOfZip = map[string]string{}
	}
	built.pkgOfZip[filepath.Clean(zipPath)] = pkgDir
}

func recordFunction(zipPath, function string) {
	built.mu.Lock()
	defer built.mu.Unlock()
	pkg, ok := built.pkgOfZip[filepath.Clean(zipPath)]
	if !ok {
		return
	}
	if built.functions == nil {
		built.functions = map[string][]string{}
	}
	if !slices.Contains(built.functions[pkg], function) {
		built.functions[pkg] = append(built.functions[pkg], function)
	}
}

// DeployedHandlers maps the directory of every Go handler package this
// process built with BuildHandler to the functions EnsureFunction deployed
// from its zip.
func DeployedHandlers() map[string][]string {
	built.mu.Lock()
	defer built.mu.Unlock()
	out := make(map[string][]string, len(built.functions))
	for k, v := range maps.All(built.functions) {
		out[k] = slices.Clone(v)
	}
	return out
}
