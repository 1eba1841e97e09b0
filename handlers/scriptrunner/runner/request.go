package runner

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits of a request.
const (
	// MaxParameterBytes bounds the parameter: it travels as one argv
	// element, and a script argument of megabytes is a mistake, not data.
	MaxParameterBytes = 4096
	// MaxBodyBytes bounds the whole request body.
	MaxBodyBytes = 16 << 10
)

// The body "error" strings of the spec's error table.
const (
	ErrMissingScript   = "missing scriptname"
	ErrInvalidJSON     = "invalid JSON"
	ErrInvalidScript   = "invalid scriptname"
	ErrInvalidParam    = "invalid parameter"
	ErrParamTooLong    = "parameter too long"
	ErrBodyTooLarge    = "request body too large"
	ErrScriptNotFound  = "script not found"
	ErrScriptFailed    = "script failed"
	ErrHostUnavailable = "host unavailable"
	ErrTimedOut        = "script timed out"
	ErrInternal        = "internal error"
)

var scriptName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// Request is a validated POST /invoke body.
type Request struct {
	Script string
	// Parameter is passed as one argument when HasParameter.
	Parameter    string
	HasParameter bool
}

// Failure is a request refused or a run that went wrong, with its HTTP
// status and the body's "error".
type Failure struct {
	Status int
	Error  string
	Detail string
}

// ParseRequest validates body as the spec's table says.
func ParseRequest(body []byte) (Request, *Failure) {
	if len(body) > MaxBodyBytes {
		return Request{}, &Failure{Status: 400, Error: ErrBodyTooLarge, Detail: "the body must be at most 16 KiB"}
	}
	var raw struct {
		Script    *string         `json:"scriptname"`
		Parameter json.RawMessage `json:"parameter"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || dec.More() {
		// A JSON body whose scriptname is not a string is a bad name, not bad JSON.
		var probe map[string]json.RawMessage
		if json.Unmarshal(body, &probe) == nil {
			if _, ok := probe["scriptname"]; ok {
				return Request{}, &Failure{Status: 400, Error: ErrInvalidScript, Detail: "scriptname must be a string"}
			}
			if _, ok := probe["parameter"]; ok {
				return Request{}, &Failure{Status: 400, Error: ErrInvalidParam, Detail: "parameter must be a string or a number"}
			}
		}
		return Request{}, &Failure{Status: 400, Error: ErrInvalidJSON}
	}
	if raw.Script == nil || strings.TrimSpace(*raw.Script) == "" {
		return Request{}, &Failure{Status: 400, Error: ErrMissingScript}
	}
	req := Request{Script: *raw.Script}
	if !ValidScriptName(req.Script) {
		return Request{}, &Failure{Status: 400, Error: ErrInvalidScript, Detail: `scriptname must match ^[A-Za-z0-9_.-]{1,128}$ and must not contain ".."`}
	}
	p, present, f := parameter(raw.Parameter)
	if f != nil {
		return Request{}, f
	}
	req.Parameter, req.HasParameter = p, present
	return req, nil
}

// ValidScriptName reports whether name may name a script: a plain file
// name, never a path.
func ValidScriptName(name string) bool {
	return scriptName.MatchString(name) && !strings.Contains(name, "..") && name != "."
}

// parameter accepts a string, a number (as written) or null/absent.
func parameter(raw json.RawMessage) (string, bool, *Failure) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	var p string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &p); err != nil {
			return "", false, &Failure{Status: 400, Error: ErrInvalidParam}
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		p = string(raw)
	default:
		return "", false, &Failure{Status: 400, Error: ErrInvalidParam, Detail: "parameter must be a string or a number"}
	}
	if len(p) > MaxParameterBytes {
		return "", false, &Failure{Status: 400, Error: ErrParamTooLong, Detail: "the parameter must be at most 4096 bytes"}
	}
	// An argv element cannot hold NUL; invalid UTF-8 cannot round-trip JSON.
	if strings.IndexByte(p, 0) >= 0 || !utf8.ValidString(p) {
		return "", false, &Failure{Status: 400, Error: ErrInvalidParam, Detail: "the parameter must be UTF-8 text without NUL"}
	}
	return p, true, nil
}

// ShellQuote returns s as one POSIX shell word: inside single quotes
// nothing is special, and a single quote is closed, escaped and reopened.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Command is the remote command line that runs req's script from dir:
// Python scripts through python3, others by their #! line (sh when none).
// Every word is quoted, so the parameter is data to the shell.
func Command(dir string, req Request) string {
	var b strings.Builder
	b.WriteString("cd ")
	b.WriteString(ShellQuote(dir))
	b.WriteString(" && exec ")
	if strings.HasSuffix(req.Script, ".py") {
		b.WriteString("python3 ")
	}
	b.WriteString(ShellQuote("./" + req.Script))
	if req.HasParameter {
		b.WriteByte(' ')
		b.WriteString(ShellQuote(req.Parameter))
	}
	return b.String()
}
