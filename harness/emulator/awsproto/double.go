package awsproto

import (
	"encoding/json"
	"math"
	"strconv"
)

// Double is a member of the model's double type in awsJson and RPC v2 CBOR
// services whose clients may send NaN or infinities: Smithy's JSON
// protocols write those as the strings "NaN", "Infinity" and "-Infinity",
// which a float64 would refuse with a SerializationException before the
// service could word its own error.
type Double float64

// UnmarshalJSON reads a number or one of Smithy's special strings.
func (d *Double) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*d = Double(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "NaN":
			*d = Double(math.NaN())
			return nil
		case "Infinity":
			*d = Double(math.Inf(1))
			return nil
		case "-Infinity":
			*d = Double(math.Inf(-1))
			return nil
		}
	}
	return &json.UnmarshalTypeError{Value: string(b), Type: doubleType}
}

// MarshalJSON writes a number, or Smithy's strings for NaN and infinities.
func (d Double) MarshalJSON() ([]byte, error) {
	f := float64(d)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}
