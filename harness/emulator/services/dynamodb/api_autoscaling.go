package dynamodb

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Replica auto scaling: the settings are stored per table, index and
// direction and reported; no capacity is ever scaled (the emulator does
// not throttle). The model's patterns for AutoScalingRoleArn and
// PolicyName (surrogate ranges, \p{Print}) are not Go regular expressions
// and are not checked.

type targetTracking struct {
	DisableScaleIn   *bool    `json:",omitempty"`
	ScaleInCooldown  *int     `json:",omitempty"`
	ScaleOutCooldown *int     `json:",omitempty"`
	TargetValue      *float64 `required:"true"`
}

type scalingPolicyUpdate struct {
	PolicyName                               *string         `min:"1" max:"256" json:",omitempty"`
	TargetTrackingScalingPolicyConfiguration *targetTracking `required:"true"`
}

type autoScalingUpdate struct {
	MinimumUnits        *int64 `min:"1"`
	MaximumUnits        *int64 `min:"1"`
	AutoScalingDisabled *bool
	AutoScalingRoleArn  *string `min:"1" max:"1600"`
	ScalingPolicyUpdate *scalingPolicyUpdate
}

// autoScaling is one stored setting, as AutoScalingSettingsDescription.
type autoScaling struct {
	MinimumUnits        *int64  `json:",omitempty"`
	MaximumUnits        *int64  `json:",omitempty"`
	AutoScalingDisabled *bool   `json:",omitempty"`
	AutoScalingRoleArn  *string `json:",omitempty"`
	ScalingPolicies     []scalingPolicyUpdate
}

// merge applies an update to a setting.
func (a autoScaling) merge(u *autoScalingUpdate) autoScaling {
	if u.MinimumUnits != nil {
		a.MinimumUnits = u.MinimumUnits
	}
	if u.MaximumUnits != nil {
		a.MaximumUnits = u.MaximumUnits
	}
	if u.AutoScalingDisabled != nil {
		a.AutoScalingDisabled = u.AutoScalingDisabled
	}
	if u.AutoScalingRoleArn != nil {
		a.AutoScalingRoleArn = u.AutoScalingRoleArn
	}
	if p := u.ScalingPolicyUpdate; p != nil {
		kept := []scalingPolicyUpdate{}
		for _, old := range a.ScalingPolicies {
			if deref(old.PolicyName) != deref(p.PolicyName) {
				kept = append(kept, old)
			}
		}
		a.ScalingPolicies = append(kept, *p)
	}
	if a.ScalingPolicies == nil {
		a.ScalingPolicies = []scalingPolicyUpdate{}
	}
	return a
}

type updateTableReplicaAutoScalingInput struct {
	GlobalSecondaryIndexUpdates []struct {
		IndexName                                 *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
		ProvisionedWriteCapacityAutoScalingUpdate *autoScalingUpdate
	} `min:"1"`
	TableName                                 *string `required:"true" min:"1" max:"1024"`
	ProvisionedWriteCapacityAutoScalingUpdate *autoScalingUpdate
	ReplicaUpdates                            []struct {
		RegionName                         *string `required:"true"`
		ReplicaGlobalSecondaryIndexUpdates []struct {
			IndexName                                *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
			ProvisionedReadCapacityAutoScalingUpdate *autoScalingUpdate
		}
		ReplicaProvisionedReadCapacityAutoScalingUpdate *autoScalingUpdate
	} `min:"1"`
}

// scalingKey names a setting: the index ("" for the table) and direction.
type scalingKey struct {
	index string
	write bool
}

type scalingChange struct {
	k scalingKey
	u *autoScalingUpdate
}

func (s *Service) updateTableReplicaAutoScaling(c *awsproto.Call, in *updateTableReplicaAutoScalingInput) (tableAutoScalingOutput, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return tableAutoScalingOutput{}, err
	}
	// Write settings apply to every replica; read settings to the region
	// they name.
	shared := []scalingChange{}
	if in.ProvisionedWriteCapacityAutoScalingUpdate != nil {
		shared = append(shared, scalingChange{scalingKey{"", true}, in.ProvisionedWriteCapacityAutoScalingUpdate})
	}
	for _, g := range in.GlobalSecondaryIndexUpdates {
		if g.ProvisionedWriteCapacityAutoScalingUpdate != nil {
			shared = append(shared, scalingChange{scalingKey{deref(g.IndexName), true}, g.ProvisionedWriteCapacityAutoScalingUpdate})
		}
	}
	perRegion := map[string][]scalingChange{}
	for _, r := range in.ReplicaUpdates {
		if r.ReplicaProvisionedReadCapacityAutoScalingUpdate != nil {
			perRegion[*r.RegionName] = append(perRegion[*r.RegionName], scalingChange{scalingKey{"", false}, r.ReplicaProvisionedReadCapacityAutoScalingUpdate})
		}
		for _, g := range r.ReplicaGlobalSecondaryIndexUpdates {
			if g.ProvisionedReadCapacityAutoScalingUpdate != nil {
				perRegion[*r.RegionName] = append(perRegion[*r.RegionName], scalingChange{scalingKey{deref(g.IndexName), false}, g.ProvisionedReadCapacityAutoScalingUpdate})
			}
		}
	}
	replicas := s.replicasOf(t)
	for region := range perRegion {
		if replicas[region] == nil {
			return tableAutoScalingOutput{}, errReplicaNotFound.Errorf("Replica not found in region %s", region)
		}
	}
	for region, rt := range replicas {
		if err := rt.setAutoScaling(append(append([]scalingChange{}, shared...), perRegion[region]...)); err != nil {
			return tableAutoScalingOutput{}, err
		}
	}
	return s.describeAutoScaling(t, "UPDATING")
}

// replicasOf returns the table's replicas by region: itself, and the
// other replicas of its global table.
func (s *Service) replicasOf(t *table) map[string]*table {
	out := map[string]*table{t.region: t}
	if gt, err := s.store.globalTable(t.name); err == nil {
		for _, r := range gt.regions {
			if rt := s.store.region(r).table(t.name); rt != nil {
				out[r] = rt
			}
		}
	}
	return out
}

// setAutoScaling applies changes, all or none (an unknown index fails).
func (t *table) setAutoScaling(changes []scalingChange) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return tableNotFound()
	}
	for _, ch := range changes {
		if ix := t.indexNamed(ch.k.index); ch.k.index != "" && (ix == nil || !ix.global) {
			return errIndexNotFound(ch.k.index)
		}
	}
	if t.extras.scaling == nil {
		t.extras.scaling = map[scalingKey]autoScaling{}
	}
	for _, ch := range changes {
		t.extras.scaling[ch.k] = t.extras.scaling[ch.k].merge(ch.u)
	}
	return nil
}

type indexAutoScaling struct {
	IndexName                                   string
	IndexStatus                                 string
	ProvisionedReadCapacityAutoScalingSettings  *autoScaling `json:",omitempty"`
	ProvisionedWriteCapacityAutoScalingSettings *autoScaling `json:",omitempty"`
}

type replicaAutoScaling struct {
	RegionName                                         string
	GlobalSecondaryIndexes                             []indexAutoScaling
	ReplicaProvisionedReadCapacityAutoScalingSettings  *autoScaling `json:",omitempty"`
	ReplicaProvisionedWriteCapacityAutoScalingSettings *autoScaling `json:",omitempty"`
	ReplicaStatus                                      string
}

type tableAutoScalingOutput struct {
	TableAutoScalingDescription struct {
		TableName   string
		TableStatus string
		Replicas    []replicaAutoScaling
	}
}

// autoScalingOf returns a copy of the table's settings and its global
// index names.
func (t *table) autoScalingOf() (map[scalingKey]autoScaling, []string, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return nil, nil, tableNotFound()
	}
	out := make(map[scalingKey]autoScaling, len(t.extras.scaling))
	for k, v := range t.extras.scaling {
		out[k] = v
	}
	var gsis []string
	for _, ix := range t.indexes {
		if ix.global {
			gsis = append(gsis, ix.name)
		}
	}
	return out, gsis, nil
}

func (s *Service) describeAutoScaling(t *table, status string) (tableAutoScalingOutput, error) {
	var out tableAutoScalingOutput
	d := &out.TableAutoScalingDescription
	d.TableName, d.TableStatus, d.Replicas = t.name, status, []replicaAutoScaling{}
	replicas := s.replicasOf(t)
	regions := make([]string, 0, len(replicas))
	for r := range replicas {
		regions = append(regions, r)
	}
	regions = uniqSorted(regions)
	for _, r := range regions {
		set, gsis, err := replicas[r].autoScalingOf()
		if err != nil {
			return out, err
		}
		get := func(k scalingKey) *autoScaling {
			if v, ok := set[k]; ok {
				return &v
			}
			return nil
		}
		ra := replicaAutoScaling{RegionName: r, ReplicaStatus: "ACTIVE", GlobalSecondaryIndexes: []indexAutoScaling{},
			ReplicaProvisionedReadCapacityAutoScalingSettings:  get(scalingKey{"", false}),
			ReplicaProvisionedWriteCapacityAutoScalingSettings: get(scalingKey{"", true})}
		for _, ix := range gsis {
			ra.GlobalSecondaryIndexes = append(ra.GlobalSecondaryIndexes, indexAutoScaling{IndexName: ix, IndexStatus: "ACTIVE",
				ProvisionedReadCapacityAutoScalingSettings:  get(scalingKey{ix, false}),
				ProvisionedWriteCapacityAutoScalingSettings: get(scalingKey{ix, true})})
		}
		d.Replicas = append(d.Replicas, ra)
	}
	return out, nil
}

func (s *Service) describeTableReplicaAutoScaling(c *awsproto.Call, in *tableArnIn) (tableAutoScalingOutput, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return tableAutoScalingOutput{}, err
	}
	return s.describeAutoScaling(t, "ACTIVE")
}
