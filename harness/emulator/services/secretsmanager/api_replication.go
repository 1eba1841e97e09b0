package secretsmanager

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica ----

type replicaRegionParam struct {
	Region   *string `json:"Region" min:"1" max:"128" pattern:"^([a-z]+-)+\\d+$"`
	KmsKeyId *string `json:"KmsKeyId" max:"2048"`
}

type replicationStatusOut struct {
	Region        string `json:"Region"`
	KmsKeyID      string `json:"KmsKeyId,omitempty"`
	Status        string `json:"Status"`
	StatusMessage string `json:"StatusMessage,omitempty"`
}

func replicationOut(st []ReplicaStatus) []replicationStatusOut {
	out := make([]replicationStatusOut, len(st))
	for i, r := range st {
		out[i] = replicationStatusOut{r.Region, r.KmsKeyID, r.Status, r.Message}
	}
	return out
}

// replicaRegions checks each region (the model leaves Region optional; a
// replica needs one) and returns them.
func replicaRegions(in []replicaRegionParam) ([]ReplicaRegion, error) {
	out := make([]ReplicaRegion, len(in))
	for i, r := range in {
		if r.Region == nil {
			return nil, errInvalidParameter.New("Invalid replica region: Region must be specified.")
		}
		out[i] = ReplicaRegion{Region: *r.Region, KmsKeyID: deref(r.KmsKeyId)}
	}
	return out, nil
}

type replicateInput struct {
	SecretId                    *string              `json:"SecretId" required:"true" min:"1" max:"2048"`
	AddReplicaRegions           []replicaRegionParam `json:"AddReplicaRegions" required:"true" min:"1"`
	ForceOverwriteReplicaSecret bool                 `json:"ForceOverwriteReplicaSecret"`
}

type replicationOutput struct {
	ARN               string                 `json:"ARN"`
	ReplicationStatus []replicationStatusOut `json:"ReplicationStatus"`
}

func (s *Service) replicateSecretToRegions(c *awsproto.Call, in *replicateInput) (replicationOutput, error) {
	adds, err := replicaRegions(in.AddReplicaRegions)
	if err != nil {
		return replicationOutput{}, err
	}
	arn, st, err := s.store.Replicate(c.Region, *in.SecretId, adds, in.ForceOverwriteReplicaSecret, s.arnPrefix, s.env.Now())
	if err != nil {
		return replicationOutput{}, err
	}
	return replicationOutput{arn, replicationOut(st)}, nil
}

type removeRegionsInput struct {
	SecretId             *string  `json:"SecretId" required:"true" min:"1" max:"2048"`
	RemoveReplicaRegions []string `json:"RemoveReplicaRegions" required:"true" min:"1"`
}

// Validate checks each region against the model's RegionType.
func (in *removeRegionsInput) Validate() error {
	for _, r := range in.RemoveReplicaRegions {
		if err := awsproto.CheckLength(errValidation, r, "removeReplicaRegions.member", 1, 128); err != nil {
			return err
		}
		if !validRegion(r) {
			return awsproto.Constraint(errValidation, r, "removeReplicaRegions.member", awsproto.Pattern(`^([a-z]+-)+\d+$`))
		}
	}
	return nil
}

// validRegion matches ^([a-z]+-)+\d+$.
func validRegion(r string) bool {
	i, groups := 0, 0
	for {
		j := i
		for j < len(r) && r[j] >= 'a' && r[j] <= 'z' {
			j++
		}
		if j == i || j == len(r) || r[j] != '-' {
			break
		}
		i, groups = j+1, groups+1
	}
	if groups == 0 || i == len(r) {
		return false
	}
	for ; i < len(r); i++ {
		if r[i] < '0' || r[i] > '9' {
			return false
		}
	}
	return true
}

func (s *Service) removeRegionsFromReplication(c *awsproto.Call, in *removeRegionsInput) (replicationOutput, error) {
	arn, st, err := s.store.Unreplicate(c.Region, *in.SecretId, in.RemoveReplicaRegions, s.env.Now())
	if err != nil {
		return replicationOutput{}, err
	}
	return replicationOutput{arn, replicationOut(st)}, nil
}

type arnOutput struct {
	ARN string `json:"ARN"`
}

func (s *Service) stopReplicationToReplica(c *awsproto.Call, in *secretIDInput) (arnOutput, error) {
	arn, err := s.store.StopReplication(c.Region, *in.SecretId, s.env.Now())
	return arnOutput{arn}, err
}
