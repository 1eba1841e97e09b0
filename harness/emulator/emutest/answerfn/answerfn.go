// Package answerfn writes a tiny Go Lambda handler, in a module of its own
// with no dependencies, that answers every invocation with one JSON value
// kept in a file of its own: tests of code updates edit that file and
// rebuild. It imports nothing of groundstack; tests only.
package answerfn

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Module writes the handler module into a new temporary directory, answering
// answer (a JSON string), and returns the directory: its main package is
// the module's root, its answer lives in AnswerFile.
func Module(t testing.TB, answer string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/answerfn\n\ngo 1.22\n")
	write(t, filepath.Join(dir, "main.go"), mainSrc)
	SetAnswer(t, dir, answer)
	return dir
}

// AnswerFile is the file, under the module, that holds the answer: a
// package of the module the handler imports.
func AnswerFile(dir string) string { return filepath.Join(dir, "answer", "answer.go") }

// SetAnswer rewrites the answer file so that the handler answers answer.
func SetAnswer(t testing.TB, dir, answer string) {
	t.Helper()
	write(t, AnswerFile(dir), "package answer\n\n// Value is the handler's answer.\nconst Value = "+strconv.Quote(strconv.Quote(answer))+"\n")
}

func write(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mainSrc speaks the Runtime API with the standard library only.
const mainSrc = `package main

import (
	"io"
	"net/http"
	"os"
	"strings"

	"example.com/answerfn/answer"
)

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		next, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		io.Copy(io.Discard, next.Body)
		next.Body.Close()
		id := next.Header.Get("Lambda-Runtime-Aws-Request-Id")
		resp, err := http.Post(api+id+"/response", "application/json", strings.NewReader(answer.Value))
		if err != nil {
			os.Exit(1)
		}
		resp.Body.Close()
	}
}
`
