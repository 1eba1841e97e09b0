package secretsmanager

import (
	"encoding/json"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// ---- RotateSecret, CancelRotateSecret ----

type rotationRules struct {
	AutomaticallyAfterDays *int64 `json:"AutomaticallyAfterDays,omitempty" min:"1" max:"1000"`
	Duration               string `json:"Duration,omitempty" min:"2" max:"3" pattern:"[0-9]+h"`
	ScheduleExpression     string `json:"ScheduleExpression,omitempty" min:"1" max:"256" pattern:"[0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+"`
}

type externalRotationMeta struct {
	Key   *string `json:"Key" min:"1" max:"256"`
	Value *string `json:"Value" min:"1" max:"2048"`
}

type rotateSecretInput struct {
	SecretId                       *string                `json:"SecretId" required:"true" min:"1" max:"2048"`
	ClientRequestToken             *string                `json:"ClientRequestToken" min:"32" max:"64"`
	RotationLambdaARN              *string                `json:"RotationLambdaARN" max:"2048"`
	RotationRules                  *rotationRules         `json:"RotationRules"`
	ExternalSecretRotationMetadata []externalRotationMeta `json:"ExternalSecretRotationMetadata"`
	ExternalSecretRotationRoleArn  *string                `json:"ExternalSecretRotationRoleArn" min:"20" max:"2048"`
	RotateImmediately              *bool                  `json:"RotateImmediately"`
}

// Validate refuses rules that set both a number of days and a schedule.
func (in *rotateSecretInput) Validate() error {
	if r := in.RotationRules; r != nil && r.AutomaticallyAfterDays != nil && r.ScheduleExpression != "" {
		return errInvalidParameter.New("You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.")
	}
	return nil
}

type versionRefOutput struct {
	ARN       string `json:"ARN"`
	Name      string `json:"Name"`
	VersionID string `json:"VersionId,omitempty"`
}

// rotationSteps are the steps a rotation function runs, in order.
var rotationSteps = []string{"createSecret", "setSecret", "testSecret", "finishSecret"}

// rotateSecret stores the rotation configuration and, unless
// RotateImmediately is false, rotates: it invokes the rotation function
// through the emulator's Lambda service for each of the four steps, in
// order, and waits for them. Without a Lambda service the new version is
// a copy of AWSCURRENT's value, promoted to AWSCURRENT.
func (s *Service) rotateSecret(c *awsproto.Call, in *rotateSecretInput) (versionRefOutput, error) {
	rot := Rotation{LambdaARN: deref(in.RotationLambdaARN)}
	if r := in.RotationRules; r != nil {
		if r.AutomaticallyAfterDays != nil {
			rot.AfterDays = *r.AutomaticallyAfterDays
		}
		rot.Schedule, rot.Duration = r.ScheduleExpression, r.Duration
	}
	now := s.env.Now()
	immediately := in.RotateImmediately == nil || *in.RotateImmediately
	inv, _ := s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	token := s.token(in.ClientRequestToken)
	ref, err := s.store.StartRotation(c.Region, *in.SecretId, token, rot, inv == nil && immediately, now)
	if err != nil {
		return versionRefOutput{}, err
	}
	out := versionRefOutput{ARN: ref.ARN, Name: ref.Name, VersionID: token}
	if inv == nil {
		if immediately {
			err = s.store.FinishRotation(c.Region, ref.ARN, token, s.env.Now())
		}
		return out, err
	}
	desc, err := s.store.Describe(c.Region, ref.ARN, false, s.env.Now())
	if err != nil {
		return versionRefOutput{}, err
	}
	steps := rotationSteps
	if !immediately {
		steps = []string{"testSecret"} // AWS tests the configuration only
	}
	for _, step := range steps {
		payload, _ := json.Marshal(map[string]string{"Step": step, "SecretId": ref.ARN, "ClientRequestToken": token})
		res, err := inv.Invoke(c.Context(), cloud.InvokeRequest{Region: c.Region, Function: desc.Rotation.LambdaARN, Payload: payload})
		if err != nil {
			if _, ok := awsproto.AsError(err); ok {
				return versionRefOutput{}, err
			}
			return versionRefOutput{}, errInvalidRequest.New("The rotation function could not be invoked: " + err.Error())
		}
		if res.FunctionError != "" {
			return versionRefOutput{}, errInvalidRequest.New("The rotation function failed in step " + step + ": " + string(res.Payload))
		}
	}
	if immediately {
		if err := s.store.RecordRotation(c.Region, ref.ARN, s.env.Now()); err != nil {
			return versionRefOutput{}, err
		}
	}
	return out, nil
}

func (s *Service) cancelRotateSecret(c *awsproto.Call, in *secretIDInput) (versionRefOutput, error) {
	ref, err := s.store.CancelRotation(c.Region, *in.SecretId, s.env.Now())
	return versionRefOutput{ARN: ref.ARN, Name: ref.Name, VersionID: ref.VersionID}, err
}
