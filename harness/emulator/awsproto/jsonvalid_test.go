package awsproto

import (
	"encoding/json"
	"strings"
	"testing"
)

func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{`{}`, ` {"a":[1,-0.5e+3,true,false,null,"x\u00e9\n"]} `, `01`, `1.`, `-`, `"\x"`, `"\u12"`,
		"\"\x01\"", "\"\xff\"", `{"a" 1}`, `[1,]`, `{"a":1,}`, `1 2`, `tru`, `nulll`, `1e`, `1E+`, `[`, `"`, ``, ` `, `{"a":{"b":[[]]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := ValidJSON(b), json.Valid(b); got != want {
			t.Fatalf("ValidJSON(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

// TestValidJSONDepth: encoding/json refuses nesting past 10,000 levels.
func TestValidJSONDepth(t *testing.T) {
	for _, n := range []int{9999, 10000, 10001, 200000} {
		for _, open := range []string{"[", `{"a":`} {
			closeWith := "]"
			if open != "[" {
				closeWith = "}"
			}
			b := []byte(strings.Repeat(open, n) + "1" + strings.Repeat(closeWith, n))
			if got, want := ValidJSON(b), json.Valid(b); got != want {
				t.Errorf("depth %d of %q: ValidJSON %v, encoding/json %v", n, open, got, want)
			}
		}
	}
}

func BenchmarkValidJSON(b *testing.B) {
	body := []byte(`{"QueueUrl":"http://localhost:4566/000000000000/q","MessageBody":"` + strings.Repeat("payload ", 128) + `","MessageAttributes":{"a":{"DataType":"String","StringValue":"v"}}}`)
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			ValidJSON(body)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			json.Valid(body)
		}
	})
}
