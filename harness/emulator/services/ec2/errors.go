package ec2

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// EC2's error codes; the name is the wire string. EC2 answers client errors
// with 400 whatever the cause, even for "not found".
var (
	errMissingParameter     = awsproto.ErrMissingParameter
	errInvalidParameter     = awsproto.ErrInvalidParameterValue
	errParameterCombination = awsproto.Code{Name: "InvalidParameterCombination", Status: http.StatusBadRequest}
	errInstanceNotFound     = awsproto.Code{Name: "InvalidInstanceID.NotFound", Status: http.StatusBadRequest}
	errInstanceMalformed    = awsproto.Code{Name: "InvalidInstanceID.Malformed", Status: http.StatusBadRequest}
	errIncorrectState       = awsproto.Code{Name: "IncorrectInstanceState", Status: http.StatusBadRequest}
	errKeyPairNotFound      = awsproto.Code{Name: "InvalidKeyPair.NotFound", Status: http.StatusBadRequest}
	errKeyPairDuplicate     = awsproto.Code{Name: "InvalidKeyPair.Duplicate", Status: http.StatusBadRequest}
	errKeyPairFormat        = awsproto.Code{Name: "InvalidKeyPair.Format", Status: http.StatusBadRequest}
	errAMIMalformed         = awsproto.Code{Name: "InvalidAMIID.Malformed", Status: http.StatusBadRequest}
	errInvalidID            = awsproto.Code{Name: "InvalidID", Status: http.StatusBadRequest}
	errTagLimit             = awsproto.Code{Name: "TagLimitExceeded", Status: http.StatusBadRequest}
	errInstanceLimit        = awsproto.Code{Name: "InstanceLimitExceeded", Status: http.StatusBadRequest}
	errPaginationToken      = awsproto.Code{Name: "InvalidPaginationToken", Status: http.StatusBadRequest}
	errDryRun               = awsproto.Code{Name: "DryRunOperation", Status: http.StatusPreconditionFailed}
)

// Messages EC2 answers with, word for word.
const (
	msgDryRun       = "Request would have succeeded, but DryRun flag is set."
	msgBadToken     = "The specified pagination token is not valid or is expired."
	msgImportFormat = "Key is not in valid OpenSSH public key format"
)

// Networking's codes.
var (
	errVpcNotFound        = awsproto.Code{Name: "InvalidVpcID.NotFound", Status: http.StatusBadRequest}
	errSubnetNotFound     = awsproto.Code{Name: "InvalidSubnetID.NotFound", Status: http.StatusBadRequest}
	errGroupNotFound      = awsproto.Code{Name: "InvalidGroup.NotFound", Status: http.StatusBadRequest}
	errGroupDuplicate     = awsproto.Code{Name: "InvalidGroup.Duplicate", Status: http.StatusBadRequest}
	errGroupIDMalformed   = awsproto.Code{Name: "InvalidGroupId.Malformed", Status: http.StatusBadRequest}
	errGroupReserved      = awsproto.Code{Name: "InvalidGroup.Reserved", Status: http.StatusBadRequest}
	errCannotDelete       = awsproto.Code{Name: "CannotDelete", Status: http.StatusBadRequest}
	errDependency         = awsproto.Code{Name: "DependencyViolation", Status: http.StatusBadRequest}
	errSubnetConflict     = awsproto.Code{Name: "InvalidSubnet.Conflict", Status: http.StatusBadRequest}
	errSubnetRange        = awsproto.Code{Name: "InvalidSubnet.Range", Status: http.StatusBadRequest}
	errVpcRange           = awsproto.Code{Name: "InvalidVpc.Range", Status: http.StatusBadRequest}
	errPermissionDup      = awsproto.Code{Name: "InvalidPermission.Duplicate", Status: http.StatusBadRequest}
	errPermissionNotFound = awsproto.Code{Name: "InvalidPermission.NotFound", Status: http.StatusBadRequest}
	errPermissionMalform  = awsproto.Code{Name: "InvalidPermission.Malformed", Status: http.StatusBadRequest}
	errRuleNotFound       = awsproto.Code{Name: "InvalidSecurityGroupRuleId.NotFound", Status: http.StatusBadRequest}
	errVpcLimit           = awsproto.Code{Name: "VpcLimitExceeded", Status: http.StatusBadRequest}
	errSubnetLimit        = awsproto.Code{Name: "SubnetLimitExceeded", Status: http.StatusBadRequest}
	errGroupLimit         = awsproto.Code{Name: "SecurityGroupLimitExceeded", Status: http.StatusBadRequest}
	errRulesLimit         = awsproto.Code{Name: "RulesPerSecurityGroupLimitExceeded", Status: http.StatusBadRequest}
)

// notFound names the missing IDs as EC2 does: "The vpc ID 'x' does not
// exist", or "The vpc IDs 'x, y' do not exist".
func notFound(code awsproto.Code, what string, missing []string) *awsproto.Error {
	if len(missing) == 1 {
		return code.Errorf("The %s ID '%s' does not exist", what, missing[0])
	}
	return code.Errorf("The %s IDs '%s' do not exist", what, strings.Join(missing, ", "))
}

// Internet gateways' and route tables' codes.
var (
	errIGWNotFound        = awsproto.Code{Name: "InvalidInternetGatewayID.NotFound", Status: http.StatusBadRequest}
	errAlreadyAssociated  = awsproto.Code{Name: "Resource.AlreadyAssociated", Status: http.StatusBadRequest}
	errGatewayNotAttached = awsproto.Code{Name: "Gateway.NotAttached", Status: http.StatusBadRequest}
	errRouteTableNotFound = awsproto.Code{Name: "InvalidRouteTableID.NotFound", Status: http.StatusBadRequest}
	errAssocNotFound      = awsproto.Code{Name: "InvalidAssociationID.NotFound", Status: http.StatusBadRequest}
	errRouteExists        = awsproto.Code{Name: "RouteAlreadyExists", Status: http.StatusBadRequest}
	errRouteNotFound      = awsproto.Code{Name: "InvalidRoute.NotFound", Status: http.StatusBadRequest}
	errRouteTableLimit    = awsproto.Code{Name: "RouteTableLimitExceeded", Status: http.StatusBadRequest}
	errRouteLimit         = awsproto.Code{Name: "RouteLimitExceeded", Status: http.StatusBadRequest}
	errIGWLimit           = awsproto.Code{Name: "InternetGatewayLimitExceeded", Status: http.StatusBadRequest}
)

// Volumes' codes.
var (
	errVolumeNotFound     = awsproto.Code{Name: "InvalidVolume.NotFound", Status: http.StatusBadRequest}
	errVolumeInUse        = awsproto.Code{Name: "VolumeInUse", Status: http.StatusBadRequest}
	errVolumeZoneMismatch = awsproto.Code{Name: "InvalidVolume.ZoneMismatch", Status: http.StatusBadRequest}
	errIncorrectStateVol  = awsproto.Code{Name: "IncorrectState", Status: http.StatusBadRequest}
	errAttachmentNotFound = awsproto.Code{Name: "InvalidAttachment.NotFound", Status: http.StatusBadRequest}
	errVolumeLimit        = awsproto.Code{Name: "VolumeLimitExceeded", Status: http.StatusBadRequest}
	errNotPermitted       = awsproto.Code{Name: "OperationNotPermitted", Status: http.StatusBadRequest}
)
