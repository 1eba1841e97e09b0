package dynamodb

import (
	"slices"
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Inputs of the control plane, with the constraints of AWS's model. Enum
// values are listed in the order DynamoDB prints them in its messages.

type keySchemaIn struct {
	AttributeName *string `required:"true" min:"1" max:"255"`
	KeyType       *string `required:"true" enum:"HASH,RANGE"`
}

type attributeDefinitionIn struct {
	AttributeName *string `required:"true" min:"1" max:"255"`
	AttributeType *string `required:"true" enum:"B,N,S"`
}

type projectionWire struct {
	ProjectionType   string   `json:",omitempty" enum:"ALL,INCLUDE,KEYS_ONLY"`
	NonKeyAttributes []string `json:",omitempty" min:"1" max:"20"`
}

type throughputWire struct {
	ReadCapacityUnits  *int64 `required:"true" min:"1"`
	WriteCapacityUnits *int64 `required:"true" min:"1"`
}

type indexWire struct {
	IndexName             *string         `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	KeySchema             []keySchemaIn   `required:"true" min:"1"`
	Projection            *projectionWire `required:"true"`
	ProvisionedThroughput *throughputWire
}

// globalIndexWire is a global secondary index: a local one's members and
// its on-demand and warm throughput, read so that a value of the wrong
// type is refused (neither is modelled here).
type globalIndexWire struct {
	indexWire
	OnDemandThroughput *onDemandWire `json:",omitempty"`
	WarmThroughput     *struct {
		ReadUnitsPerSecond, WriteUnitsPerSecond *int64
	} `json:",omitempty"`
}

// indexes returns the members of global indexes both kinds share.
func indexes(list []globalIndexWire) []indexWire {
	if list == nil {
		return nil
	}
	out := make([]indexWire, len(list))
	for i, w := range list {
		out[i] = w.indexWire
	}
	return out
}

type onDemandWire struct{ MaxReadRequestUnits, MaxWriteRequestUnits *int64 }

type streamSpecWire struct {
	StreamEnabled  *bool  `required:"true"`
	StreamViewType string `enum:"NEW_IMAGE,OLD_IMAGE,NEW_AND_OLD_IMAGES,KEYS_ONLY"`
}

type tagWire struct {
	Key   *string `required:"true" min:"1" max:"128"`
	Value *string `required:"true" max:"256"`
}

// tableNameIn is the input of the operations that name one table.
type tableNameIn struct {
	TableName *string `required:"true" min:"1" max:"1024"`
}

type createTableInput struct {
	TableName                 *string `required:"true" min:"1" max:"1024"`
	AttributeDefinitions      []attributeDefinitionIn
	KeySchema                 []keySchemaIn
	LocalSecondaryIndexes     []indexWire
	GlobalSecondaryIndexes    []globalIndexWire
	BillingMode               string `enum:"PROVISIONED,PAY_PER_REQUEST"`
	ProvisionedThroughput     *throughputWire
	StreamSpecification       *streamSpecWire
	Tags                      []tagWire
	DeletionProtectionEnabled bool
	TableClass                string `enum:"STANDARD,STANDARD_INFREQUENT_ACCESS"`
}

type tableDescriptionOutput struct {
	TableDescription tableDescription
}

// tableRef resolves a TableName member: a name in the caller's region, or
// a table ARN.
func (s *Service) tableRef(c *awsproto.Call, name string) (*table, error) {
	region := c.Region
	if strings.HasPrefix(name, "arn:") {
		r, n, ok := parseTableARN(name)
		if !ok {
			return nil, validationf("Invalid TableName: %s", name)
		}
		region, name = r, n
	} else if _, err := checkTableName(&name, "tableName"); err != nil {
		return nil, err
	}
	if t := s.store.region(region).table(name); t != nil {
		return t, nil
	}
	return nil, tableNotFound()
}

// namedTable is tableRef for DescribeTable and DeleteTable, whose
// not-found message names the table.
func (s *Service) namedTable(c *awsproto.Call, name string) (*table, error) {
	t, err := s.tableRef(c, name)
	if e, ok := err.(*awsproto.Error); ok && e.Code == errResourceNotFound.Name {
		return nil, errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", name)
	}
	return t, err
}

func (s *Service) createTable(c *awsproto.Call, in *createTableInput) (tableDescriptionOutput, error) {
	sp, err := in.spec()
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	info, err := s.store.createTable(c.Context(), c.Region, sp)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	return tableDescriptionOutput{describe(info, "CREATING", "CREATING")}, nil
}

// spec validates a CreateTable request beyond its model's constraints.
func (in *createTableInput) spec() (tableSpec, error) {
	name, err := checkTableName(in.TableName, "tableName")
	if err != nil {
		return tableSpec{}, err
	}
	if in.AttributeDefinitions == nil {
		return tableSpec{}, notNull("attributeDefinitions")
	}
	defs, defList, err := parseAttrDefs(in.AttributeDefinitions)
	if err != nil {
		return tableSpec{}, err
	}
	key, err := parseKeySchema(in.KeySchema, "keySchema", defs)
	if err != nil {
		return tableSpec{}, err
	}
	sp := tableSpec{name: name, key: key, defs: defList, billing: in.BillingMode, tags: parseTags(in.Tags),
		deletionProtection: in.DeletionProtectionEnabled, tableClass: in.TableClass}
	if sp.billing == "" {
		sp.billing = "PROVISIONED"
	}
	if tp := in.ProvisionedThroughput.units(); sp.billing == "PROVISIONED" {
		if tp == nil {
			return tableSpec{}, validationf(msgThroughputRequired)
		}
		sp.rcu, sp.wcu = tp.r, tp.w
	} else if in.ProvisionedThroughput != nil {
		return tableSpec{}, validationf("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	switch {
	case in.GlobalSecondaryIndexes != nil && len(in.GlobalSecondaryIndexes) == 0:
		return tableSpec{}, validationf("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
	case in.LocalSecondaryIndexes != nil && len(in.LocalSecondaryIndexes) == 0:
		return tableSpec{}, validationf("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty")
	case len(in.GlobalSecondaryIndexes) > maxGSIs:
		// A validation at CreateTable, LimitExceeded at UpdateTable (the catalogue of live answers).
		return tableSpec{}, validationf("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs)
	case len(in.LocalSecondaryIndexes) > maxLSIs:
		return tableSpec{}, validationf("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %d", maxLSIs)
	}
	seen := map[string]bool{}
	for i, global := range []bool{false, true} {
		list := [][]indexWire{in.LocalSecondaryIndexes, indexes(in.GlobalSecondaryIndexes)}[i]
		for j, w := range list {
			ix, err := parseIndex(w, global, j+1, defs, key)
			if err != nil {
				return tableSpec{}, err
			}
			if err := ix.settleThroughput(sp.billing, throughputNotSpecified); err != nil {
				return tableSpec{}, err
			}
			sp.indexes = append(sp.indexes, ix)
		}
	}
	for _, ix := range sp.indexes {
		if seen[ix.name] {
			return tableSpec{}, validationf("One or more parameter values were invalid: Duplicate index name: %s", ix.name)
		}
		seen[ix.name] = true
	}
	if err := checkDefinitionsUsed(defs, key, sp.indexes); err != nil {
		return tableSpec{}, err
	}
	if sp.streamView, err = parseStreamSpec(in.StreamSpecification, true); err != nil {
		return tableSpec{}, err
	}
	return sp, nil
}

type describeTableOutput struct {
	Table tableDescription
}

func (s *Service) describeTable(c *awsproto.Call, in *tableNameIn) (describeTableOutput, error) {
	t, err := s.namedTable(c, *in.TableName)
	if err != nil {
		return describeTableOutput{}, err
	}
	info, err := t.info()
	if err != nil {
		return describeTableOutput{}, err
	}
	return describeTableOutput{describe(info, "ACTIVE", "")}, nil
}

type listTablesInput struct {
	ExclusiveStartTableName *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	Limit                   *int    `min:"1" max:"100"`
}

type listTablesOutput struct {
	TableNames             []string
	LastEvaluatedTableName string `json:",omitempty"`
}

func (s *Service) listTables(c *awsproto.Call, in *listTablesInput) (listTablesOutput, error) {
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	names := s.store.region(c.Region).tableNames()
	start := 0
	if in.ExclusiveStartTableName != nil {
		start = sort.SearchStrings(names, *in.ExclusiveStartTableName)
		if start < len(names) && names[start] == *in.ExclusiveStartTableName {
			start++
		}
	}
	out := listTablesOutput{TableNames: names[start:]}
	if len(out.TableNames) > limit {
		out.TableNames = out.TableNames[:limit]
		out.LastEvaluatedTableName = out.TableNames[limit-1]
	}
	return out, nil
}

func (s *Service) deleteTable(c *awsproto.Call, in *tableNameIn) (tableDescriptionOutput, error) {
	t, err := s.namedTable(c, *in.TableName)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	info, err := s.store.deleteTable(c.Context(), t)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	return tableDescriptionOutput{describe(info, "DELETING", "DELETING")}, nil
}

type gsiUpdateWire struct {
	Create *globalIndexWire
	Delete *struct {
		IndexName *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	}
	Update *struct {
		IndexName             *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
		ProvisionedThroughput *throughputWire
		// Read so that a value of the wrong type is refused; neither is
		// modelled here (see globalIndexWire).
		OnDemandThroughput *onDemandWire
		WarmThroughput     *struct {
			ReadUnitsPerSecond, WriteUnitsPerSecond *int64
		}
	}
}

type updateTableInput struct {
	TableName                   *string `required:"true" min:"1" max:"1024"`
	AttributeDefinitions        []attributeDefinitionIn
	BillingMode                 string `enum:"PROVISIONED,PAY_PER_REQUEST"`
	ProvisionedThroughput       *throughputWire
	StreamSpecification         *streamSpecWire
	DeletionProtectionEnabled   *bool
	TableClass                  string `enum:"STANDARD,STANDARD_INFREQUENT_ACCESS"`
	GlobalSecondaryIndexUpdates []gsiUpdateWire
	ReplicaUpdates              []replicaGroupUpdate `min:"1"`
}

type replicaRegion struct {
	RegionName         *string `required:"true"`
	TableClassOverride string  `enum:"STANDARD,STANDARD_INFREQUENT_ACCESS"`
}

type replicaGroupUpdate struct {
	Create *replicaRegion
	Update *replicaRegion
	Delete *struct {
		RegionName *string `required:"true"`
	}
}

func (s *Service) updateTable(c *awsproto.Call, in *updateTableInput) (tableDescriptionOutput, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	if len(in.ReplicaUpdates) > 0 {
		if err := s.updateReplicas(t, in.ReplicaUpdates); err != nil {
			return tableDescriptionOutput{}, err
		}
	}
	ch, err := in.change(t.key)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	res, err := t.change(ch)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	s.store.logTable(c.Context(), t, false)
	desc := describe(res.info, "UPDATING", "")
	if len(res.dropped) > 0 || len(res.creating) > 0 {
		gsis, _ := desc["GlobalSecondaryIndexes"].([]map[string]any)
		for _, ix := range res.dropped {
			d := describeIndex(ix, "DELETING")
			gsis = append(gsis, d)
		}
		for _, g := range gsis {
			if res.creating[g["IndexName"].(string)] {
				g["IndexStatus"] = "CREATING"
			}
		}
		desc["GlobalSecondaryIndexes"] = gsis
	}
	return tableDescriptionOutput{desc}, nil
}

// updateReplicas applies ReplicaUpdates (global tables version
// 2019.11.21): a replica is a copy of the table in another region of this
// emulator, replicating both ways.
func (s *Service) updateReplicas(t *table, ups []replicaGroupUpdate) error {
	for _, u := range ups {
		n := 0
		for _, set := range []bool{u.Create != nil, u.Update != nil, u.Delete != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return validationf("One or more parameter values were invalid: One of ReplicationGroupUpdate.Create, ReplicationGroupUpdate.Update, ReplicationGroupUpdate.Delete must be specified")
		}
	}
	for _, u := range ups {
		switch {
		case u.Create != nil:
			if err := s.store.addReplica(t, *u.Create.RegionName); err != nil {
				return err
			}
			if u.Create.TableClassOverride != "" {
				if rt := s.store.region(*u.Create.RegionName).table(t.name); rt != nil {
					if _, err := rt.change(tableChange{tableClass: u.Create.TableClassOverride}); err != nil {
						return err
					}
				}
			}
		case u.Delete != nil:
			if err := s.store.removeReplica(t, *u.Delete.RegionName); err != nil {
				return err
			}
		default:
			rt := s.store.region(*u.Update.RegionName).table(t.name)
			if rt == nil || !slices.Contains(append(t.replicaRegions(), t.region), *u.Update.RegionName) {
				return validationf("One or more parameter values were invalid: Replica does not exist in region %s", *u.Update.RegionName)
			}
			if u.Update.TableClassOverride != "" {
				if _, err := rt.change(tableChange{tableClass: u.Update.TableClassOverride}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// change validates what an UpdateTable request can say without the
// table's state; (*table).change checks the rest.
func (in *updateTableInput) change(tableKey keyDef) (tableChange, error) {
	ch := tableChange{billing: in.BillingMode, throughput: in.ProvisionedThroughput.units(),
		deletionProtection: in.DeletionProtectionEnabled, tableClass: in.TableClass}
	if in.StreamSpecification != nil {
		ch.streamSet = true
		var err error
		if ch.streamView, err = parseStreamSpec(in.StreamSpecification, false); err != nil {
			return ch, err
		}
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil && in.StreamSpecification == nil &&
		in.DeletionProtectionEnabled == nil && in.TableClass == "" && len(in.GlobalSecondaryIndexUpdates) == 0 && len(in.ReplicaUpdates) == 0 {
		return ch, validationf("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")
	}
	if in.AttributeDefinitions != nil {
		defs, _, err := parseAttrDefs(in.AttributeDefinitions)
		if err != nil {
			return ch, err
		}
		ch.defs = defs
	}
	for i, u := range in.GlobalSecondaryIndexUpdates {
		n := 0
		for _, set := range []bool{u.Create != nil, u.Delete != nil, u.Update != nil} {
			if set {
				n++
			}
		}
		switch {
		case n != 1:
			return ch, validationf("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		case u.Create != nil:
			sp, err := parseIndex(u.Create.indexWire, true, i+1, nil, tableKey)
			if err != nil {
				return ch, err
			}
			ch.creates = append(ch.creates, sp)
		case u.Delete != nil:
			ch.deletes = append(ch.deletes, *u.Delete.IndexName)
		default:
			tp := u.Update.ProvisionedThroughput.units()
			if tp == nil {
				return ch, validationf("One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: %s", *u.Update.IndexName)
			}
			if ch.updates == nil {
				ch.updates = map[string]capacity{}
			}
			ch.updates[*u.Update.IndexName] = *tp
		}
	}
	if ch.streamSet && (len(ch.creates) > 0 || len(ch.deletes) > 0) {
		// AWS refuses both in one request (a catalogue of live answers).
		return ch, validationf("One or more parameter values were invalid: You cannot create or delete index while changing stream status")
	}
	return ch, nil
}

type describeTimeToLiveOutput struct {
	TimeToLiveDescription struct {
		TimeToLiveStatus string
		AttributeName    string `json:",omitempty"`
	}
}

func (s *Service) describeTimeToLive(c *awsproto.Call, in *tableNameIn) (describeTimeToLiveOutput, error) {
	var out describeTimeToLiveOutput
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return out, err
	}
	name, err := t.ttlAttribute()
	if err != nil {
		return out, err
	}
	out.TimeToLiveDescription.TimeToLiveStatus = "DISABLED"
	if name != "" {
		out.TimeToLiveDescription.TimeToLiveStatus = "ENABLED"
		out.TimeToLiveDescription.AttributeName = name
	}
	return out, nil
}

type ttlSpecification struct {
	Enabled       *bool   `required:"true"`
	AttributeName *string `required:"true" min:"1" max:"255"`
}

type updateTimeToLiveInput struct {
	TableName               *string           `required:"true" min:"1" max:"1024"`
	TimeToLiveSpecification *ttlSpecification `required:"true"`
}

type updateTimeToLiveOutput struct {
	TimeToLiveSpecification ttlSpecification
}

func (s *Service) updateTimeToLive(c *awsproto.Call, in *updateTimeToLiveInput) (updateTimeToLiveOutput, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return updateTimeToLiveOutput{}, err
	}
	spec := in.TimeToLiveSpecification
	if err := t.updateTTL(*spec.Enabled, *spec.AttributeName); err != nil {
		return updateTimeToLiveOutput{}, err
	}
	s.store.logTable(c.Context(), t, false)
	if *spec.Enabled {
		s.store.sweeper.ensure()
	}
	return updateTimeToLiveOutput{*spec}, nil
}

// resourceTable finds the table a tagging ARN names.
func (s *Service) resourceTable(arn string) (*table, error) {
	region, _, ok := parseTableARN(arn)
	if !ok {
		return nil, badResourceARN(arn)
	}
	t := s.store.region(region).tableByARN(arn)
	if t == nil {
		return nil, errResourceNotFound.Errorf("Requested resource not found: ResourcArn: %s not found", arn)
	}
	return t, nil
}

type tagResourceInput struct {
	ResourceArn *string   `required:"true" min:"1" max:"1283"`
	Tags        []tagWire `required:"true"`
}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (struct{}, error) {
	t, err := s.resourceTable(*in.ResourceArn)
	if err != nil {
		return struct{}{}, err
	}
	if err := t.addTags(parseTags(in.Tags)); err != nil {
		return struct{}{}, err
	}
	s.store.logTable(c.Context(), t, false)
	return struct{}{}, nil
}

type untagResourceInput struct {
	ResourceArn *string  `required:"true" min:"1" max:"1283"`
	TagKeys     []string `required:"true"`
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	t, err := s.resourceTable(*in.ResourceArn)
	if err != nil {
		return struct{}{}, err
	}
	t.removeTags(in.TagKeys)
	s.store.logTable(c.Context(), t, false)
	return struct{}{}, nil
}

type listTagsOfResourceInput struct {
	ResourceArn *string `required:"true" min:"1" max:"1283"`
	NextToken   *string
}

type tagOut struct{ Key, Value string }

type listTagsOfResourceOutput struct {
	Tags []tagOut
}

func (s *Service) listTagsOfResource(c *awsproto.Call, in *listTagsOfResourceInput) (listTagsOfResourceOutput, error) {
	t, err := s.resourceTable(*in.ResourceArn)
	if err != nil {
		return listTagsOfResourceOutput{}, err
	}
	tags := t.tagList()
	out := listTagsOfResourceOutput{Tags: make([]tagOut, len(tags))}
	for i, tg := range tags {
		out.Tags[i] = tagOut{tg.key, tg.value}
	}
	return out, nil
}

type endpoint struct {
	Address              string
	CachePeriodInMinutes int
}

type describeEndpointsOutput struct {
	Endpoints []endpoint
}

func (s *Service) describeEndpoints(c *awsproto.Call, in *struct{}) (describeEndpointsOutput, error) {
	addr := s.env.Host
	if addr == "" {
		addr = "dynamodb." + c.Region + ".amazonaws.com"
	}
	return describeEndpointsOutput{[]endpoint{{addr, 1440}}}, nil
}

type describeLimitsOutput struct {
	AccountMaxReadCapacityUnits, AccountMaxWriteCapacityUnits int
	TableMaxReadCapacityUnits, TableMaxWriteCapacityUnits     int
}

func (s *Service) describeLimits(c *awsproto.Call, in *struct{}) (describeLimitsOutput, error) {
	return describeLimitsOutput{80000, 80000, 40000, 40000}, nil
}
