// Package browser drives a headless Chromium (the Debian package) over the
// DevTools protocol for scenarios that check what a user sees on a page:
// launch, open a page, evaluate JavaScript, close. It is a small client of
// its own (coder/websocket for the socket) rather than a browser library.
// It must not import harness/emulator.
package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// Binaries tried in order when CHROMIUM is not set.
var Binaries = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ErrNotInstalled is returned by Find when no Chromium is installed.
var ErrNotInstalled = errors.New("browser: no Chromium found (install the Debian package chromium, or set CHROMIUM to a binary)")

// Find returns the Chromium binary to run: $CHROMIUM, else the first of
// Binaries on PATH.
func Find() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, b := range Binaries {
		if p, err := exec.LookPath(b); err == nil {
			return p, nil
		}
	}
	return "", ErrNotInstalled
}

// Browser is a running headless Chromium.
type Browser struct {
	cmd     *exec.Cmd
	dataDir string
	// DevTools is the browser's DevTools HTTP address ("127.0.0.1:PORT").
	DevTools string
	http     *http.Client
	exited   chan struct{}
}

// Launch starts Chromium headless with a fresh profile and waits until its
// DevTools endpoint answers.
func Launch(ctx context.Context) (*Browser, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "groundstack-chromium-")
	if err != nil {
		return nil, err
	}
	args := []string{
		"--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
		"--disable-sync", "--disable-component-update", "--no-proxy-server", "--mute-audio",
		"--user-data-dir=" + dir, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--remote-allow-origins=*", "about:blank",
	}
	if os.Geteuid() == 0 {
		args = append([]string{"--no-sandbox"}, args...) // Chromium refuses to sandbox as root
	}
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("browser: start %s: %w", bin, err)
	}
	b := &Browser{cmd: cmd, dataDir: dir, http: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}, exited: make(chan struct{})}
	found := make(chan string, 1)
	var tail strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if !sent {
				if tail.Len() < 4096 {
					tail.WriteString(line + "\n")
				}
				if rest, ok := strings.CutPrefix(line, "DevTools listening on ws://"); ok {
					host, _, _ := strings.Cut(rest, "/")
					found <- host
					sent = true
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { _ = cmd.Wait(); close(b.exited) }()
	select {
	case b.DevTools = <-found:
	case <-b.exited:
		b.Close()
		return nil, fmt.Errorf("browser: %s exited before DevTools was ready:\n%s", bin, tail.String())
	case <-time.After(30 * time.Second):
		b.Close()
		return nil, fmt.Errorf("browser: DevTools not ready after 30 s:\n%s", tail.String())
	case <-ctx.Done():
		b.Close()
		return nil, ctx.Err()
	}
	return b, nil
}

// Close stops the browser (its whole process group) and removes its profile.
func (b *Browser) Close() {
	if b.cmd.Process != nil {
		// SIGTERM first: Chromium then stops and reaps its own helper
		// processes; SIGKILL to the group only if it does not.
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
			<-b.exited
		}
	}
	os.RemoveAll(b.dataDir)
}

// target is an entry of /json/list.
type target struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	URL                  string `json:"url"`
	WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
}

// NewPage opens a tab, connects to it and navigates to rawURL ("" leaves
// it blank), returning once the page has loaded.
func (b *Browser) NewPage(ctx context.Context, rawURL string) (*Page, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+b.DevTools+"/json/new?"+url.QueryEscape("about:blank"), nil)
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("browser: open tab: %w", err)
	}
	defer resp.Body.Close()
	var t target
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || t.WebSocketDebuggerURL == "" {
		return nil, fmt.Errorf("browser: open tab: HTTP %d, %v", resp.StatusCode, err)
	}
	conn, _, err := websocket.Dial(ctx, t.WebSocketDebuggerURL, &websocket.DialOptions{HTTPClient: b.http})
	if err != nil {
		return nil, fmt.Errorf("browser: connect to tab: %w", err)
	}
	conn.SetReadLimit(64 << 20)
	p := &Page{conn: conn, calls: map[int64]chan reply{}, done: make(chan struct{}), browser: b, id: t.ID}
	go p.readLoop()
	if rawURL != "" {
		if err := p.Navigate(ctx, rawURL); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

// Navigate loads rawURL in the page and waits until the document has
// loaded (readyState "complete").
func (p *Page) Navigate(ctx context.Context, rawURL string) error {
	var res struct {
		LoaderID  string `json:"loaderId"`
		ErrorText string `json:"errorText"`
	}
	if err := p.Call(ctx, "Page.navigate", map[string]any{"url": rawURL}, &res); err != nil {
		return err
	}
	if res.ErrorText != "" {
		return fmt.Errorf("browser: navigate to %s: %s", rawURL, res.ErrorText)
	}
	_, err := p.WaitFor(ctx, `document.readyState === "complete" && location.href !== "about:blank"`, 20*time.Millisecond)
	return err
}

// Page is one tab under DevTools control.
type Page struct {
	conn    *websocket.Conn
	browser *Browser
	id      string
	next    atomic.Int64
	mu      sync.Mutex
	calls   map[int64]chan reply
	done    chan struct{}
	err     error
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (p *Page) readLoop() {
	defer close(p.done)
	for {
		_, data, err := p.conn.Read(context.Background())
		if err != nil {
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
			return
		}
		var msg struct {
			ID int64 `json:"id"`
			reply
		}
		if json.Unmarshal(data, &msg) != nil || msg.ID == 0 {
			continue // an event
		}
		p.mu.Lock()
		ch := p.calls[msg.ID]
		delete(p.calls, msg.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- msg.reply
		}
	}
}

// Call sends one DevTools command and decodes its result into out.
func (p *Page) Call(ctx context.Context, method string, params, out any) error {
	id := p.next.Add(1)
	ch := make(chan reply, 1)
	p.mu.Lock()
	if p.err != nil {
		p.mu.Unlock()
		return p.err
	}
	p.calls[id] = ch
	p.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err := p.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return fmt.Errorf("browser: %s: %s (%d)", method, r.Error.Message, r.Error.Code)
		}
		if out != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-p.done:
		return fmt.Errorf("browser: connection closed: %v", p.err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Evaluate runs a JavaScript expression in the page (awaiting a promise)
// and decodes its value into out.
func (p *Page) Evaluate(ctx context.Context, expr string, out any) error {
	var res struct {
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.Call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if err != nil {
		return err
	}
	if e := res.ExceptionDetails; e != nil {
		msg := e.Text
		if e.Exception != nil {
			msg = e.Exception.Description
		}
		return fmt.Errorf("browser: script threw: %s", msg)
	}
	if out == nil || len(res.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(res.Result.Value, out)
}

// WaitFor evaluates a boolean expression every interval until it is true
// or ctx ends, and returns when it became true.
func (p *Page) WaitFor(ctx context.Context, expr string, interval time.Duration) (time.Time, error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last error
	for {
		var ok bool
		if err := p.Evaluate(ctx, "!!("+expr+")", &ok); err != nil {
			last = err
		} else if ok {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return time.Time{}, fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
			}
			return time.Time{}, ctx.Err()
		case <-t.C:
		}
	}
}

// Close closes the tab.
func (p *Page) Close() {
	_ = p.conn.Close(websocket.StatusNormalClosure, "")
	req, _ := http.NewRequest(http.MethodGet, "http://"+p.browser.DevTools+"/json/close/"+p.id, nil)
	if resp, err := p.browser.http.Do(req); err == nil {
		resp.Body.Close()
	}
}
