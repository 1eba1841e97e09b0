package apigatewayv2

import "testing"

func TestRouteSelection(t *testing.T) {
	cases := []struct {
		expr, body, want string
		ok               bool
	}{
		{"$request.body.action", `{"action":"sendmessage","data":"hi"}`, "sendmessage", true},
		{"$request.body.action", ` {"action" : "join"} `, "join", true},
		{"$request.body.action", `not json`, "", false},
		{"$request.body.action", `["action"]`, "", false},
		{"$request.body.action", `{"data":"x"}`, "", false},
		{"$request.body.action", `{"action":{"x":1}}`, "", false},
		{"$request.body.action", `{"action":"a"`, "", false},
		{"$request.body.action", ``, "", false},
		{"$request.body.action", `{"action":7}`, "7", true},
		{"$request.body.action", `{"action":true}`, "true", true},
		{"$request.body.msg.type", `{"msg":{"type":"ping"}}`, "ping", true},
		{"$request.body.msg.type", `{"msg":"ping"}`, "", false},
		{"${request.body.service}/${request.body.action}", `{"service":"chat","action":"send"}`, "chat/send", true},
		{"v1-${request.body.action}", `{"action":"send"}`, "v1-send", true},
		{"${request.body.action}", `{"action":"send"}`, "send", true},
		{"$request.header.x", `{"x":"y"}`, "", false},
	}
	for _, c := range cases {
		sel, err := ParseSelection(c.expr)
		if err != nil {
			t.Fatalf("parse %q: %v", c.expr, err)
		}
		got, ok := evaluateSelection(sel, []byte(c.body))
		if got != c.want || ok != c.ok {
			t.Errorf("%q on %q = %q %v, want %q %v", c.expr, c.body, got, ok, c.want, c.ok)
		}
	}
}

func FuzzRouteSelection(f *testing.F) {
	f.Add("$request.body.action", []byte(`{"action":"sendmessage"}`))
	f.Add("${request.body.a}/${request.body.b.c}", []byte(`{"a":1,"b":{"c":true}}`))
	f.Add("$request.body.action", []byte("\x00\xff{"))
	f.Add("x${request.body.", []byte(`{}`))
	f.Fuzz(func(t *testing.T, expr string, body []byte) {
		sel, err := ParseSelection(expr)
		if err != nil {
			return
		}
		key, ok := evaluateSelection(sel, body)
		if !ok && key != "" {
			t.Fatalf("no selection but key %q", key)
		}
	})
}
