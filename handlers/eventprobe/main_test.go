package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
)

func TestSendReportsAndFailsOnRefusal(t *testing.T) {
	var got trace.Report
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil || r.Method != http.MethodPost {
			t.Errorf("%s with %v", r.Method, err)
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	rep := trace.Report{Function: "f", StartNS: 42, Events: []trace.Sighting{{ID: "gsev.r.p.i.1", Via: "sqs"}}}
	if err := send(context.Background(), srv.URL, rep); err != nil {
		t.Fatal(err)
	}
	if got.StartNS != 42 || len(got.Events) != 1 || got.Events[0] != rep.Events[0] {
		t.Errorf("the collector got %+v", got)
	}
	// a refused report is an error, so the platform retries the event
	status = http.StatusBadRequest
	if err := send(context.Background(), srv.URL, rep); err == nil {
		t.Error("a 400 from the collector was not an error")
	}
	srv.Close()
	if err := send(context.Background(), srv.URL, rep); err == nil {
		t.Error("an unreachable collector was not an error")
	}
}
