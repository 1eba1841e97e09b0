package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestPage loads a page whose script adds an element after a delay and
// waits for it, as the scenarios do with the dashboard.
func TestPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>t</title><p id="a">hola</p>
<script>setTimeout(() => { const li = document.createElement("li"); li.id = "late"; li.textContent = "ok"; document.body.appendChild(li); }, 300);</script>`)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := Launch(ctx)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.NewPage(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.WaitFor(ctx, `document.readyState === "complete"`, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := p.Evaluate(ctx, `document.getElementById("a").textContent`, &text); err != nil || text != "hola" {
		t.Fatalf("text %q, %v", text, err)
	}
	if _, err := p.WaitFor(ctx, `document.getElementById("late")`, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := p.Evaluate(ctx, `nope.nothing`, nil); err == nil {
		t.Error("a throwing script reported no error")
	}
	var sum int
	if err := p.Evaluate(ctx, `Promise.resolve(40 + 2)`, &sum); err != nil || sum != 42 {
		t.Errorf("promise: %d %v", sum, err)
	}
}

func TestNavigateRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := Launch(ctx)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	if _, err := b.NewPage(ctx, addr); err == nil {
		t.Error("navigating to a closed port reported no error")
	}
}
