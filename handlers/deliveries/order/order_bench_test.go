package order

import "testing"

// BenchmarkParse: validating one posted order (the handler's CPU before
// any I/O).
func BenchmarkParse(b *testing.B) {
	body := []byte(valid)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body, bogota, received); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprint(b *testing.B) {
	o, err := Parse([]byte(valid), bogota, received)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = o.Fingerprint()
	}
}
