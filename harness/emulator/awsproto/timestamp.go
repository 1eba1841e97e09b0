package awsproto

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Timestamp is a member of the model's timestamp type in services that
// speak several protocols at once (CloudWatch: RPC v2 CBOR, awsJson and
// query): epoch seconds in JSON, a CBOR tag 1 in CBOR, ISO 8601 in query
// forms and XML. Its value is seconds since the epoch.
type Timestamp float64

// TimestampOf converts t.
func TimestampOf(t time.Time) Timestamp { return Timestamp(float64(t.UnixMilli()) / 1000) }

// Time is the timestamp as a time.Time in UTC (millisecond precision).
func (t Timestamp) Time() time.Time {
	return time.UnixMilli(int64(math.Round(float64(t) * 1000))).UTC()
}

// MarshalJSON writes epoch seconds, as awsJson does.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(t), 'f', -1, 64), nil
}

var errBadTimestamp = errors.New("awsproto: not a timestamp")

// UnmarshalJSON reads epoch seconds (or an ISO 8601 string, which botocore
// sends for some services).
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*t = Timestamp(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "timestamp", Type: timestampType}
	}
	tm, err := parseTime(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "timestamp", Type: timestampType}
	}
	*t = TimestampOf(tm)
	return nil
}

// MarshalCBOR writes tag 1 (epoch seconds) with a float, as Smithy RPC v2
// CBOR requires.
func (t Timestamp) MarshalCBOR() ([]byte, error) {
	return cbor.Marshal(cbor.Tag{Number: 1, Content: float64(t)})
}

// UnmarshalCBOR reads tag 1 with an integer or float number of seconds.
func (t *Timestamp) UnmarshalCBOR(b []byte) error {
	var tag cbor.RawTag
	if err := cborDec.Unmarshal(b, &tag); err != nil || tag.Number != 1 {
		return errBadTimestamp
	}
	var f float64
	if err := cborDec.Unmarshal(tag.Content, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return errBadTimestamp
	}
	*t = Timestamp(f)
	return nil
}

// MarshalText writes ISO 8601 with milliseconds, as query services answer.
func (t Timestamp) MarshalText() ([]byte, error) {
	return t.Time().AppendFormat(nil, "2006-01-02T15:04:05.000Z"), nil
}

// UnmarshalParam reads a query form's ISO 8601 (or epoch seconds) value.
func (t *Timestamp) UnmarshalParam(key, value string) error {
	tm, err := parseTime(value)
	if err != nil {
		return ErrValidationError.New(ValidationMessage("Value '" + value + "' at '" + lowerFirst(key) + "' failed to satisfy constraint: Member must be a timestamp"))
	}
	*t = TimestampOf(tm)
	return nil
}

var (
	timestampType = reflectTypeOfTimestamp()
	doubleType    = reflect.TypeFor[Double]()
)
