package dynamodb

import (
	"slices"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Global tables (version 2017.11.29) across the regions of this emulator.

type regionIn struct {
	RegionName *string `required:"true"`
}

type replicaOut struct {
	RegionName    string
	ReplicaStatus string `json:",omitempty"`
	ReplicaArn    string `json:",omitempty"`
}

type globalTableDescription struct {
	ReplicationGroup  []replicaOut
	GlobalTableArn    string
	CreationDateTime  awsproto.Timestamp
	GlobalTableStatus string
	GlobalTableName   string
}

type globalTableOutput struct {
	GlobalTableDescription globalTableDescription
}

func (s *Service) describeGlobal(gt *globalTable, status string) globalTableOutput {
	d := globalTableDescription{GlobalTableArn: gt.arn, CreationDateTime: awsproto.TimestampOf(gt.created), GlobalTableStatus: status,
		GlobalTableName: gt.name, ReplicationGroup: []replicaOut{}}
	for _, r := range gt.regions {
		rs := "ACTIVE"
		if status == "CREATING" {
			rs = "CREATING"
		}
		d.ReplicationGroup = append(d.ReplicationGroup, replicaOut{RegionName: r, ReplicaStatus: rs,
			ReplicaArn: "arn:aws:dynamodb:" + r + ":" + s.env.Account + ":table/" + gt.name})
	}
	return globalTableOutput{d}
}

type createGlobalTableInput struct {
	GlobalTableName  *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	ReplicationGroup []struct {
		RegionName *string // optional in the model's Replica shape
	} `required:"true"`
}

func (s *Service) createGlobalTable(c *awsproto.Call, in *createGlobalTableInput) (globalTableOutput, error) {
	regions := make([]string, len(in.ReplicationGroup))
	for i, r := range in.ReplicationGroup {
		if r.RegionName == nil {
			return globalTableOutput{}, validationf("One or more parameter values were invalid: RegionName must be specified for each replica")
		}
		regions[i] = *r.RegionName
	}
	gt, err := s.store.createGlobalTable(*in.GlobalTableName, regions)
	if err != nil {
		return globalTableOutput{}, err
	}
	return s.describeGlobal(gt, "CREATING"), nil
}

type globalTableNameIn struct {
	GlobalTableName *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
}

func (s *Service) describeGlobalTable(c *awsproto.Call, in *globalTableNameIn) (globalTableOutput, error) {
	gt, err := s.store.globalTable(*in.GlobalTableName)
	if err != nil {
		return globalTableOutput{}, err
	}
	return s.describeGlobal(gt, "ACTIVE"), nil
}

type updateGlobalTableInput struct {
	GlobalTableName *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	ReplicaUpdates  []struct {
		Create *regionIn
		Delete *regionIn
	} `required:"true"`
}

func (s *Service) updateGlobalTable(c *awsproto.Call, in *updateGlobalTableInput) (globalTableOutput, error) {
	var add, remove []string
	for _, u := range in.ReplicaUpdates {
		switch {
		case u.Create != nil && u.Delete == nil:
			add = append(add, *u.Create.RegionName)
		case u.Delete != nil && u.Create == nil:
			remove = append(remove, *u.Delete.RegionName)
		default:
			return globalTableOutput{}, validationf("One or more parameter values were invalid: One of ReplicaUpdate.Create or ReplicaUpdate.Delete must be specified")
		}
	}
	gt, err := s.store.updateGlobalTable(*in.GlobalTableName, add, remove)
	if err != nil {
		return globalTableOutput{}, err
	}
	return s.describeGlobal(gt, "UPDATING"), nil
}

type listGlobalTablesInput struct {
	ExclusiveStartGlobalTableName *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	Limit                         *int    `min:"1"`
	RegionName                    *string
}

type globalTableSummary struct {
	GlobalTableName  string
	ReplicationGroup []struct{ RegionName string }
}

type listGlobalTablesOutput struct {
	GlobalTables                 []globalTableSummary
	LastEvaluatedGlobalTableName string `json:",omitempty"`
}

func (s *Service) listGlobalTables(c *awsproto.Call, in *listGlobalTablesInput) (listGlobalTablesOutput, error) {
	out := listGlobalTablesOutput{GlobalTables: []globalTableSummary{}}
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	for _, gt := range s.store.globalTableList() {
		if in.ExclusiveStartGlobalTableName != nil && gt.name <= *in.ExclusiveStartGlobalTableName {
			continue
		}
		if in.RegionName != nil && !slices.Contains(gt.regions, *in.RegionName) {
			continue
		}
		if len(out.GlobalTables) == limit {
			out.LastEvaluatedGlobalTableName = out.GlobalTables[limit-1].GlobalTableName
			break
		}
		sum := globalTableSummary{GlobalTableName: gt.name}
		for _, r := range gt.regions {
			sum.ReplicationGroup = append(sum.ReplicationGroup, struct{ RegionName string }{r})
		}
		out.GlobalTables = append(out.GlobalTables, sum)
	}
	return out, nil
}

type replicaSettings struct {
	RegionName                           string
	ReplicaStatus                        string
	ReplicaBillingModeSummary            map[string]any `json:",omitempty"`
	ReplicaProvisionedReadCapacityUnits  int64
	ReplicaProvisionedWriteCapacityUnits int64
	ReplicaGlobalSecondaryIndexSettings  []map[string]any `json:",omitempty"`
	ReplicaTableClassSummary             map[string]any   `json:",omitempty"`
}

type globalTableSettingsOutput struct {
	GlobalTableName string
	ReplicaSettings []replicaSettings
}

func (s *Service) globalSettings(gt *globalTable) (globalTableSettingsOutput, error) {
	out := globalTableSettingsOutput{GlobalTableName: gt.name, ReplicaSettings: []replicaSettings{}}
	for _, r := range gt.regions {
		t := s.store.region(r).table(gt.name)
		if t == nil {
			continue
		}
		info, err := t.info()
		if err != nil {
			continue
		}
		rs := replicaSettings{RegionName: r, ReplicaStatus: "ACTIVE", ReplicaProvisionedReadCapacityUnits: info.meta.rcu,
			ReplicaProvisionedWriteCapacityUnits: info.meta.wcu,
			ReplicaBillingModeSummary:            map[string]any{"BillingMode": info.meta.billing}}
		if info.meta.tableClass != "" {
			rs.ReplicaTableClassSummary = map[string]any{"TableClass": info.meta.tableClass}
		}
		for _, ix := range info.indexes {
			if ix.global {
				rs.ReplicaGlobalSecondaryIndexSettings = append(rs.ReplicaGlobalSecondaryIndexSettings, map[string]any{
					"IndexName": ix.name, "IndexStatus": "ACTIVE",
					"ProvisionedReadCapacityUnits": ix.rcu, "ProvisionedWriteCapacityUnits": ix.wcu})
			}
		}
		out.ReplicaSettings = append(out.ReplicaSettings, rs)
	}
	return out, nil
}

func (s *Service) describeGlobalTableSettings(c *awsproto.Call, in *globalTableNameIn) (globalTableSettingsOutput, error) {
	gt, err := s.store.globalTable(*in.GlobalTableName)
	if err != nil {
		return globalTableSettingsOutput{}, err
	}
	return s.globalSettings(gt)
}

type updateGlobalTableSettingsInput struct {
	GlobalTableName                                              *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	GlobalTableBillingMode                                       string  `enum:"PROVISIONED,PAY_PER_REQUEST"`
	GlobalTableProvisionedWriteCapacityUnits                     *int64  `min:"1"`
	GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate *autoScalingUpdate
	GlobalTableGlobalSecondaryIndexSettingsUpdate                []struct {
		IndexName                                         *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
		ProvisionedWriteCapacityUnits                     *int64  `min:"1"`
		ProvisionedWriteCapacityAutoScalingSettingsUpdate *autoScalingUpdate
	} `min:"1" max:"20"`
	ReplicaSettingsUpdate []struct {
		RegionName                                              *string `required:"true"`
		ReplicaProvisionedReadCapacityUnits                     *int64  `min:"1"`
		ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate *autoScalingUpdate
		ReplicaGlobalSecondaryIndexSettingsUpdate               []struct {
			IndexName                                        *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
			ProvisionedReadCapacityUnits                     *int64  `min:"1"`
			ProvisionedReadCapacityAutoScalingSettingsUpdate *autoScalingUpdate
		} `min:"1" max:"20"`
		ReplicaTableClass string `enum:"STANDARD,STANDARD_INFREQUENT_ACCESS"`
	} `min:"1" max:"50"`
}

// UpdateGlobalTableSettings changes the billing mode and write capacity of
// every replica, and each named replica's read capacity and table class,
// through UpdateTable's own checks; auto scaling settings are kept as
// UpdateTableReplicaAutoScaling keeps them. Per-index capacity units are
// checked, not applied.
func (s *Service) updateGlobalTableSettings(c *awsproto.Call, in *updateGlobalTableSettingsInput) (globalTableSettingsOutput, error) {
	gt, err := s.store.globalTable(*in.GlobalTableName)
	if err != nil {
		return globalTableSettingsOutput{}, err
	}
	perRegion := map[string]int{}
	for i, u := range in.ReplicaSettingsUpdate {
		if !slices.Contains(gt.regions, *u.RegionName) {
			return globalTableSettingsOutput{}, errReplicaNotFound.Errorf("Replica not found in region %s", *u.RegionName)
		}
		perRegion[*u.RegionName] = i
	}
	if err := s.globalAutoScaling(gt, in); err != nil {
		return globalTableSettingsOutput{}, err
	}
	for _, r := range gt.regions {
		t := s.store.region(r).table(gt.name)
		if t == nil {
			continue
		}
		info, err := t.info()
		if err != nil {
			return globalTableSettingsOutput{}, err
		}
		ch := tableChange{billing: in.GlobalTableBillingMode}
		billing := info.meta.billing
		if ch.billing != "" {
			billing = ch.billing
		}
		if billing == "PROVISIONED" {
			tp := capacity{r: info.meta.rcu, w: info.meta.wcu}
			if in.GlobalTableProvisionedWriteCapacityUnits != nil {
				tp.w = *in.GlobalTableProvisionedWriteCapacityUnits
			}
			if i, ok := perRegion[r]; ok && in.ReplicaSettingsUpdate[i].ReplicaProvisionedReadCapacityUnits != nil {
				tp.r = *in.ReplicaSettingsUpdate[i].ReplicaProvisionedReadCapacityUnits
			}
			if tp.r > 0 && tp.w > 0 {
				ch.throughput = &tp
			}
		}
		if i, ok := perRegion[r]; ok {
			ch.tableClass = in.ReplicaSettingsUpdate[i].ReplicaTableClass
		}
		if ch.billing == "" && ch.throughput == nil && ch.tableClass == "" {
			continue
		}
		if _, err := t.change(ch); err != nil {
			return globalTableSettingsOutput{}, err
		}
		s.store.logTable(c.Context(), t, false)
	}
	return s.globalSettings(gt)
}

// globalAutoScaling applies the auto scaling members of a settings update:
// write settings to every replica, read settings to the replica named.
func (s *Service) globalAutoScaling(gt *globalTable, in *updateGlobalTableSettingsInput) error {
	var shared []scalingChange
	if u := in.GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate; u != nil {
		shared = append(shared, scalingChange{scalingKey{"", true}, u})
	}
	for _, g := range in.GlobalTableGlobalSecondaryIndexSettingsUpdate {
		if u := g.ProvisionedWriteCapacityAutoScalingSettingsUpdate; u != nil {
			shared = append(shared, scalingChange{scalingKey{*g.IndexName, true}, u})
		}
	}
	perRegion := map[string][]scalingChange{}
	for _, r := range in.ReplicaSettingsUpdate {
		if u := r.ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate; u != nil {
			perRegion[*r.RegionName] = append(perRegion[*r.RegionName], scalingChange{scalingKey{"", false}, u})
		}
		for _, g := range r.ReplicaGlobalSecondaryIndexSettingsUpdate {
			if u := g.ProvisionedReadCapacityAutoScalingSettingsUpdate; u != nil {
				perRegion[*r.RegionName] = append(perRegion[*r.RegionName], scalingChange{scalingKey{*g.IndexName, false}, u})
			}
		}
	}
	if len(shared) == 0 && len(perRegion) == 0 {
		return nil
	}
	for _, r := range gt.regions {
		t := s.store.region(r).table(gt.name)
		if t == nil {
			continue
		}
		if err := t.setAutoScaling(append(slices.Clone(shared), perRegion[r]...)); err != nil {
			return err
		}
	}
	return nil
}
