package sts

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// STS's error codes; the name is the wire string.
var (
	errValidation      = awsproto.ErrValidationError
	errMalformedPolicy = awsproto.Code{Name: "MalformedPolicyDocument", Status: http.StatusBadRequest}
	errAccessDenied    = awsproto.Code{Name: "AccessDenied", Status: http.StatusForbidden}

	errInvalidIdentityToken = awsproto.Code{Name: "InvalidIdentityToken", Status: http.StatusBadRequest}
	// errPackedPolicyTooLarge: session policies and tags past their allowance.
	errPackedPolicyTooLarge = awsproto.Code{Name: "PackedPolicyTooLarge", Status: http.StatusBadRequest}

	// GetWebIdentityToken, DecodeAuthorizationMessage, GetDelegatedAccessToken.
	errOutboundDisabled            = awsproto.Code{Name: "OutboundWebIdentityFederationDisabledException", Status: http.StatusForbidden}
	errInvalidAuthorizationMessage = awsproto.Code{Name: "InvalidAuthorizationMessageException", Status: http.StatusBadRequest}
	errExpiredTradeInToken         = awsproto.Code{Name: "ExpiredTradeInTokenException", Status: http.StatusBadRequest}
)

// Messages AWS answers with.
const (
	msgNotAJWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	msgBadSAML = "Invalid base64 SAMLResponse"
)
