package apigatewayv2

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2/wsconn"
)

// The @connections management API (botocore's apigatewaymanagementapi,
// signing name execute-api): POST sends data to a connection, GET
// describes it, DELETE closes it. It answers on the stage's URL
// (/_aws/execute-api/{api}/{stage}/@connections/{id}, the
// {api}.execute-api host form) and at /@connections/{id} on the edge.

// Wire names of the management API.
const (
	connectionsSegment = "@connections"
	signingName        = "execute-api"
	hdrAmznRequestID   = "X-Amzn-Requestid"
	hdrAmznErrorType   = "X-Amzn-Errortype"
	iso8601Millis      = "2006-01-02T15:04:05.000Z"
)

// mgmtError is one of the management API's errors.
type mgmtError struct {
	status  int
	code    string
	message *string // nil: no body, as AWS answers GoneException
}

func msgOf(s string) *string { return &s }

// reasonDeleted is the disconnectReason of the $disconnect event after a
// DELETE @connections (1000), as an API Gateway execution log shows it; the
// client's close frame carries the same (AWS documents neither).
const reasonDeleted = "Connection Closed Normally"

var (
	errGone            = mgmtError{http.StatusGone, "GoneException", nil}
	errPayloadTooLarge = mgmtError{http.StatusRequestEntityTooLarge, "PayloadTooLargeException", msgOf("Message too long")}
	errMissingToken    = mgmtError{http.StatusForbidden, "MissingAuthenticationTokenException", msgOf("Missing Authentication Token")}
	errBadRequest      = mgmtError{http.StatusBadRequest, "BadRequestException", msgOf("Invalid connection id")}
)

// write renders the error: X-Amzn-ErrorType names it, the body is
// {"message": …} or, for GoneException, empty.
func (e mgmtError) write(w http.ResponseWriter, requestID string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(hdrAmznRequestID, requestID)
	h.Set(hdrAmznErrorType, e.code)
	w.WriteHeader(e.status)
	if e.message != nil {
		b, _ := json.Marshal(map[string]string{"message": *e.message})
		w.Write(b)
	}
}

// connectionInfo is GetConnection's answer.
type connectionInfo struct {
	ConnectedAt  string             `json:"connectedAt"`
	Identity     connectionIdentity `json:"identity"`
	LastActiveAt string             `json:"lastActiveAt"`
}

type connectionIdentity struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// isConnectionsPath reports whether rest (the path after a stage, or the
// whole path) is /@connections/{id}, and returns the id.
func isConnectionsPath(rest string) (string, bool) {
	id, ok := strings.CutPrefix(rest, "/"+connectionsSegment+"/")
	if !ok {
		return "", false
	}
	return id, true
}

// serveConnections serves one management API call for connection id (as
// escaped in the path) of apiID's stage (both empty when the path named no
// API: /@connections/{id} on the edge).
func (p *wsPlane) serveConnections(w http.ResponseWriter, r *http.Request, apiID, stage, escapedID string) {
	requestID := p.env.NewID()
	if e, ok := p.verifyManagement(r); !ok {
		e.write(w, requestID)
		return
	}
	if apiID != "" {
		if st, ok := p.lookup(apiID, stage); !ok || st.EndpointDisabled {
			drain(r)
			mgmtError{http.StatusForbidden, "ForbiddenException", msgOf("Forbidden")}.write(w, requestID)
			return
		}
	}
	id, err := url.PathUnescape(escapedID)
	if err != nil || id == "" || strings.Contains(id, "/") {
		errBadRequest.write(w, requestID)
		return
	}
	c, ok := p.hub.Get(id)
	if !ok || (apiID != "" && c.APIID != apiID) {
		drain(r)
		errGone.write(w, requestID)
		return
	}
	switch r.Method {
	case http.MethodPost:
		p.postToConnection(w, r, c, requestID)
	case http.MethodGet:
		b, _ := json.Marshal(connectionInfo{
			ConnectedAt:  c.ConnectedAt.UTC().Format(iso8601Millis),
			Identity:     connectionIdentity{SourceIP: c.SourceIP, UserAgent: c.UserAgent},
			LastActiveAt: c.LastActiveAt().UTC().Format(iso8601Millis),
		})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(hdrAmznRequestID, requestID)
		w.Write(b)
	case http.MethodDelete:
		c.Close(wsconn.StatusNormal, reasonDeleted)
		w.Header().Set(hdrAmznRequestID, requestID)
		w.WriteHeader(http.StatusNoContent)
	default:
		mgmtError{http.StatusForbidden, "MissingAuthenticationTokenException", msgOf("Missing Authentication Token")}.write(w, requestID)
	}
}

// postToConnection sends the request's body to c as one message.
func (p *wsPlane) postToConnection(w http.ResponseWriter, r *http.Request, c *wsconn.Conn, requestID string) {
	if r.ContentLength > wsconn.DefaultMaxMessage {
		errPayloadTooLarge.write(w, requestID)
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, wsconn.DefaultMaxMessage+1))
	switch {
	case err != nil:
		var coded *awsproto.Error
		if errors.As(err, &coded) && coded.Code == awsproto.ErrContentSHA256Mismatch.Name {
			mgmtError{http.StatusForbidden, "InvalidSignatureException", msgOf(msgSignatureMismatch)}.write(w, requestID)
			return
		}
		mgmtError{http.StatusBadRequest, "BadRequestException", msgOf("Could not read the request body")}.write(w, requestID)
		return
	case len(data) > wsconn.DefaultMaxMessage:
		errPayloadTooLarge.write(w, requestID)
		return
	}
	var hit *cloud.FaultHit
	if s, ok := c.Data.(*wsSession); ok {
		hit = s.fault()
	}
	if hit != nil && hit.Drop {
		c.Drop() // the connection is lost: the post finds it gone
		errGone.write(w, requestID)
		return
	}
	if err := sendDelayed(c, hit, data, false); err != nil {
		errGone.write(w, requestID)
		return
	}
	w.Header().Set(hdrAmznRequestID, requestID)
	w.WriteHeader(http.StatusOK)
}

// drain reads a little of an unused body so the connection can be reused.
func drain(r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, wsconn.DefaultMaxMessage+1))
	}
}

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// verifyManagement checks a management call's signature in strict mode
// (the edge's verifier, published as cloud.LinkSigV4 only then): unsigned
// calls and bad signatures are refused as API Gateway refuses them.
// Without strict mode any call is taken, signed or not.
func (p *wsPlane) verifyManagement(r *http.Request) (mgmtError, bool) {
	v, _ := p.env.Links.Get(cloud.LinkSigV4).(cloud.RequestVerifier)
	if v == nil {
		return mgmtError{}, true
	}
	err := v.VerifyFor(r, awsproto.Expect{Services: []string{signingName}, MaxBody: wsconn.DefaultMaxMessage + 1})
	if err == nil {
		return mgmtError{}, true
	}
	var ve *awsproto.VerifyError
	msg := msgSignatureMismatch
	if errors.As(err, &ve) && ve.Message != "" {
		msg = ve.Message
	}
	switch {
	case errors.Is(err, awsproto.ErrUnsigned):
		return errMissingToken, false
	case errors.Is(err, awsproto.ErrUnknownAccessKey):
		return mgmtError{http.StatusForbidden, "UnrecognizedClientException", msgOf("The security token included in the request is invalid.")}, false
	case errors.Is(err, awsproto.ErrMalformedSignature):
		return mgmtError{http.StatusForbidden, "IncompleteSignatureException", msgOf("Authorization header is malformed.")}, false
	case errors.Is(err, awsproto.ErrExpired):
		return mgmtError{http.StatusForbidden, "InvalidSignatureException", msgOf("Signature expired")}, false
	case errors.Is(err, awsproto.ErrBodyTooLarge):
		return errPayloadTooLarge, false
	}
	return mgmtError{http.StatusForbidden, "InvalidSignatureException", msgOf(msg)}, false
}
