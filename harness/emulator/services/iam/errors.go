package iam

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// IAM's error codes; the name is the wire string. The store returns errors
// made from them (errNoSuchEntity.New(msg)) and the API renders them as
// they are.
var (
	errNoSuchEntity        = awsproto.Code{Name: "NoSuchEntity", Status: http.StatusNotFound}
	errEntityExists        = awsproto.Code{Name: "EntityAlreadyExists", Status: http.StatusConflict}
	errDeleteConflict      = awsproto.Code{Name: "DeleteConflict", Status: http.StatusConflict}
	errLimitExceeded       = awsproto.Code{Name: "LimitExceeded", Status: http.StatusConflict}
	errMalformedPolicy     = awsproto.Code{Name: "MalformedPolicyDocument", Status: http.StatusBadRequest}
	errInvalidInput        = awsproto.Code{Name: "InvalidInput", Status: http.StatusBadRequest}
	errAccessDenied        = awsproto.Code{Name: "AccessDenied", Status: http.StatusForbidden}
	errPasswordPolicy      = awsproto.Code{Name: "PasswordPolicyViolation", Status: http.StatusBadRequest}
	errUnmodifiable        = awsproto.Code{Name: "UnmodifiableEntity", Status: http.StatusBadRequest}
	errInvalidAuthCode     = awsproto.Code{Name: "InvalidAuthenticationCode", Status: http.StatusForbidden}
	errReportNotPresent    = awsproto.Code{Name: "ReportNotPresent", Status: http.StatusGone}
	errUnrecognizedKey     = awsproto.Code{Name: "UnrecognizedPublicKeyEncoding", Status: http.StatusBadRequest}
	errInvalidPublicKey    = awsproto.Code{Name: "InvalidPublicKey", Status: http.StatusBadRequest}
	errDuplicateSSHKey     = awsproto.Code{Name: "DuplicateSSHPublicKey", Status: http.StatusBadRequest}
	errMalformedCert       = awsproto.Code{Name: "MalformedCertificate", Status: http.StatusBadRequest}
	errDuplicateCert       = awsproto.Code{Name: "DuplicateCertificate", Status: http.StatusConflict}
	errNotSupportedService = awsproto.Code{Name: "NotSupportedService", Status: http.StatusNotFound}
	errKeyPairMismatch     = awsproto.Code{Name: "KeyPairMismatch", Status: http.StatusBadRequest}
	errFeatureEnabled      = awsproto.Code{Name: "FeatureEnabled", Status: http.StatusConflict}
	errFeatureDisabled     = awsproto.Code{Name: "FeatureDisabled", Status: http.StatusNotFound}
	errInvalidUserType     = awsproto.Code{Name: "InvalidUserType", Status: http.StatusBadRequest}
	// errValidation is what constraint failures come back as (query services' spelling).
	errValidation = awsproto.ErrValidationError
)
