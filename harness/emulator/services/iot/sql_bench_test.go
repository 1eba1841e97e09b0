package iot

import (
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
)

// BenchmarkRuleEvaluation is a rule's work per message in the engine's
// worker: the message as the rule sees it, WHERE, then SELECT, for the
// rule shapes flows use (bondmarket's consumers are SELECT * rules).
func BenchmarkRuleEvaluation(b *testing.B) {
	payload := []byte(`{"group_id":"7","request_id":"g7-1","fixture_id":"1002","league_name":"Primera División","round":"Regular Season - 1","date":"2026-12-07T17:00:00Z","result":"home","deposit_token":"tok","datetime":"2026-12-07T17:00:00Z","quantity":1,"user_id":"someone","status":"pending"}`)
	at := time.Unix(0, 0)
	for _, sql := range []string{
		"SELECT * FROM 'fixtures/requests'",
		"SELECT * FROM 'fixtures/requests' WHERE quantity > 0",
		"SELECT request_id, quantity FROM 'fixtures/requests'",
	} {
		b.Run(sql, func(b *testing.B) {
			q, err := parseSQL(sql)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			m := benchcpu.Start(b)
			for range b.N {
				msg := newMessage("fixtures/requests", "cl", payload, at)
				if q.matches(msg) {
					q.project(msg)
				}
			}
			m.Report()
		})
	}
}
