package awsproto

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// Smithy RPC v2 CBOR (smithy.protocols#rpcv2Cbor): POST
// /service/{ServiceShape}/operation/{Operation} with the header
// "smithy-protocol: rpc-v2-cbor" and a CBOR map body; answers are CBOR maps
// too, errors a map with "__type" and "message". Current SDKs and CLIs
// speak it to CloudWatch.

// Wire constants of RPC v2 CBOR.
const (
	HeaderSmithyProtocol = "Smithy-Protocol"
	SmithyRPCv2CBOR      = "rpc-v2-cbor"
	ContentTypeCBOR      = "application/cbor"
	// HeaderQueryMode is sent by clients of awsQueryCompatible services;
	// HeaderQueryError carries the query protocol's error code and fault
	// ("InvalidParameterValue;Sender") beside the JSON or CBOR __type.
	HeaderQueryMode  = "X-Amzn-Query-Mode"
	HeaderQueryError = "X-Amzn-Query-Error"
)

// cborDec decodes request bodies: bounded nesting and sizes, duplicate map
// keys refused, no tag that would build a Go value we did not ask for.
var cborDec = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  32,
		MaxArrayElements: 65536,
		MaxMapPairs:      65536,
		IndefLength:      cbor.IndefLengthAllowed,
		TagsMd:           cbor.TagsAllowed,
		IntDec:           cbor.IntDecConvertSignedOrFail,
		DefaultMapType:   reflect.TypeOf(map[string]any(nil)),
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

// cborEnc encodes answers: floats as float64 (the SDKs read any width, but
// a double member stays a double), maps sorted for stable bodies.
var cborEnc = func() cbor.EncMode {
	em, err := cbor.EncOptions{Sort: cbor.SortBytewiseLexical, Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired}.EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()

// DecodeCBOR unmarshals an operation's input from a CBOR body (members by
// their json names), mapping failures to the SerializationException the
// protocol answers with.
func DecodeCBOR(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := cborDec.Unmarshal(body, v); err != nil {
		if te, ok := err.(*cbor.UnmarshalTypeError); ok && te.StructFieldName != "" {
			return ErrSerialization.Errorf("Unexpected value type in payload for field %s", te.StructFieldName)
		}
		return ErrSerialization.New("Could not parse the CBOR request body.")
	}
	return nil
}

// ValidCBOR reports whether body is one well-formed CBOR data item.
func ValidCBOR(body []byte) bool { return cborDec.Wellformed(body) == nil }

// EncodeCBOR marshals an operation's output.
func EncodeCBOR(v any) ([]byte, error) { return cborEnc.Marshal(v) }

func reflectTypeOfTimestamp() reflect.Type { return reflect.TypeFor[Timestamp]() }

// serveCBOR serves an RPC v2 CBOR request.
func (a *API) serveCBOR(w http.ResponseWriter, r *http.Request) {
	c := a.call(r)
	defer a.recoverTo(c, func(e *Error) { a.WriteError(w, c, e) })
	rest, ok := strings.CutPrefix(r.URL.Path, "/service/")
	svc, name, ok2 := strings.Cut(rest, "/operation/")
	if !ok || !ok2 || svc != a.TargetPrefix || strings.Contains(name, "/") {
		a.WriteError(w, c, ErrUnknownOperation.New(""))
		return
	}
	op := a.ops[name]
	if op == nil {
		if e := a.unservedOp(name); e != nil {
			a.WriteError(w, c, e)
			return
		}
		a.WriteError(w, c, ErrUnknownOperation.New(""))
		return
	}
	if r.Method != http.MethodPost {
		a.WriteError(w, c, ErrSerialization.New("Only POST is supported"))
		return
	}
	body, release, err := ReadBody(r, a.maxBody(op))
	if err != nil {
		a.WriteError(w, c, a.bodyError(op, err))
		return
	}
	defer release()
	if len(body) > 0 && !ValidCBOR(body) {
		a.WriteError(w, c, ErrSerialization.New("Could not parse the CBOR request body."))
		return
	}
	out, done := a.run(w, c, op, body, nil)
	if done {
		return
	}
	h := w.Header()
	h[HeaderSmithyProtocol] = []string{SmithyRPCv2CBOR}
	h["X-Amzn-Requestid"] = []string{c.RequestID}
	if isNilOutput(out) {
		// An operation without output answers an empty body.
		w.WriteHeader(http.StatusOK)
		return
	}
	b, err := EncodeCBOR(out)
	if err != nil {
		a.fail(w, c, err)
		return
	}
	h["Content-Type"] = []string{ContentTypeCBOR}
	w.Write(b)
}

// WriteCBORError writes e as RPC v2 CBOR does: a map with __type (the
// error's shape, namespaced) and message. queryCode, when set, is sent as
// the awsQueryCompatible X-Amzn-Query-Error header.
func WriteCBORError(w http.ResponseWriter, typ, queryCode, requestID string, e *Error) {
	body := make(map[string]any, len(e.Fields)+2)
	for k, v := range e.Fields {
		body[k] = v
	}
	body["__type"] = typ
	if _, ok := body["Message"]; !ok {
		body["message"] = e.Message
	}
	b, err := cborEnc.Marshal(body)
	if err != nil {
		b, _ = cborEnc.Marshal(map[string]any{"__type": typ, "message": e.Message})
	}
	h := w.Header()
	h.Set(HeaderSmithyProtocol, SmithyRPCv2CBOR)
	h.Set("Content-Type", ContentTypeCBOR)
	h.Set("X-Amzn-Requestid", requestID)
	if queryCode != "" {
		h.Set(HeaderQueryError, queryCode+";"+e.Fault())
	}
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	w.WriteHeader(e.Status)
	w.Write(b)
}

// IsCBORRequest reports whether r speaks RPC v2 CBOR.
func IsCBORRequest(r *http.Request) bool {
	return r.Header.Get(HeaderSmithyProtocol) == SmithyRPCv2CBOR ||
		(strings.HasPrefix(r.URL.Path, "/service/") && strings.Contains(r.URL.Path, "/operation/"))
}
