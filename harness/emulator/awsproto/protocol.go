package awsproto

import "net/http"

// Protocol names an AWS wire protocol, so code that is not a service (the
// edge, strict auth) can answer in a service's own error shape.
type Protocol int

const (
	JSON10 Protocol = iota
	JSON11
	Query
	EC2Query
	RestXML
	RestJSON
	// RPCv2CBOR is Smithy RPC v2 CBOR; its services (CloudWatch) also
	// speak awsJson1_0 and query, and errors answer each in its own shape.
	RPCv2CBOR
)

// WriteError renders e in protocol p's error shape.
func WriteError(p Protocol, w http.ResponseWriter, r *http.Request, requestID string, e *Error) {
	c := &Call{Request: r, RequestID: requestID}
	switch p {
	case JSON10:
		WriteJSONError(w, "application/x-amz-json-1.0", "", requestID, e)
	case JSON11:
		WriteJSONError(w, "application/x-amz-json-1.1", "", requestID, e)
	case Query:
		writeQueryError(w, c, "", false, e)
	case EC2Query:
		writeQueryError(w, c, "", true, e)
	case RestXML:
		WriteXMLError(w, r, requestID, e)
	case RPCv2CBOR:
		switch {
		case IsCBORRequest(r):
			WriteCBORError(w, e.Code, "", requestID, e)
		case r.Header.Get("X-Amz-Target") != "":
			WriteJSONError(w, "application/x-amz-json-1.0", "", requestID, e)
		default:
			writeQueryError(w, c, "", false, e)
		}
	default:
		WriteRestJSONError(w, requestID, e)
	}
}

// AuthErrors are the codes a protocol's services answer auth failures with.
type AuthErrors struct {
	Mismatch, UnknownKey, Missing, Expired Code
	// Skewed answers a signing time too far from now; Scope a credential
	// scoped to another service or an unknown region.
	Skewed, Scope Code
	// BadToken answers a session token that is not the access key's;
	// TokenExpired temporary credentials past their expiry.
	BadToken, TokenExpired Code
	// UnknownKeyMessage, BadTokenMessage and TokenExpiredMessage are AWS's
	// words for those failures in this protocol.
	UnknownKeyMessage, BadTokenMessage, TokenExpiredMessage string
}

// AWS's words for a credential it does not know, in the services that
// speak of security tokens.
const (
	msgTokenInvalid = "The security token included in the request is invalid."
	msgTokenExpired = "The security token included in the request is expired"
)

// AuthErrorsFor returns the auth failure codes of protocol p.
func AuthErrorsFor(p Protocol) AuthErrors {
	switch p {
	case RestXML:
		return AuthErrors{
			Mismatch:            ErrSignatureDoesNotMatch,
			UnknownKey:          Code{"InvalidAccessKeyId", http.StatusForbidden},
			Missing:             Code{"AccessDenied", http.StatusForbidden},
			Expired:             Code{"AccessDenied", http.StatusForbidden},
			Skewed:              Code{"RequestTimeTooSkewed", http.StatusForbidden},
			Scope:               Code{"AuthorizationHeaderMalformed", http.StatusBadRequest},
			BadToken:            Code{"InvalidToken", http.StatusBadRequest},
			TokenExpired:        Code{"ExpiredToken", http.StatusBadRequest},
			UnknownKeyMessage:   "The AWS Access Key Id you provided does not exist in our records.",
			BadTokenMessage:     "The provided token is malformed or otherwise invalid.",
			TokenExpiredMessage: "The provided token has expired.",
		}
	case EC2Query:
		authFailure := Code{"AuthFailure", http.StatusUnauthorized}
		return AuthErrors{
			Mismatch:            ErrSignatureDoesNotMatch,
			UnknownKey:          authFailure,
			Missing:             Code{"MissingAuthenticationToken", http.StatusForbidden},
			Expired:             Code{"RequestExpired", http.StatusForbidden},
			Skewed:              ErrSignatureDoesNotMatch,
			Scope:               ErrSignatureDoesNotMatch,
			BadToken:            authFailure,
			TokenExpired:        Code{"RequestExpired", http.StatusBadRequest},
			UnknownKeyMessage:   "AWS was not able to validate the provided access credentials",
			BadTokenMessage:     "AWS was not able to validate the provided access credentials",
			TokenExpiredMessage: "Request has expired.",
		}
	case Query:
		return AuthErrors{
			Mismatch:            ErrSignatureDoesNotMatch,
			UnknownKey:          ErrInvalidClientTokenID,
			Missing:             Code{"MissingAuthenticationToken", http.StatusForbidden},
			Expired:             Code{"RequestExpired", http.StatusForbidden},
			Skewed:              ErrSignatureDoesNotMatch,
			Scope:               ErrSignatureDoesNotMatch,
			BadToken:            ErrInvalidClientTokenID,
			TokenExpired:        Code{"ExpiredToken", http.StatusForbidden},
			UnknownKeyMessage:   msgTokenInvalid,
			BadTokenMessage:     msgTokenInvalid,
			TokenExpiredMessage: msgTokenExpired,
		}
	default:
		return AuthErrors{
			Mismatch:            ErrInvalidSignature,
			UnknownKey:          ErrUnrecognizedClient,
			Missing:             Code{"MissingAuthenticationTokenException", http.StatusForbidden},
			Expired:             Code{"ExpiredTokenException", http.StatusForbidden},
			Skewed:              ErrInvalidSignature,
			Scope:               Code{"InvalidSignatureException", http.StatusBadRequest},
			BadToken:            ErrUnrecognizedClient,
			TokenExpired:        Code{"ExpiredTokenException", http.StatusForbidden},
			UnknownKeyMessage:   msgTokenInvalid,
			BadTokenMessage:     msgTokenInvalid,
			TokenExpiredMessage: msgTokenExpired,
		}
	}
}
