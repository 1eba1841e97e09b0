package dynamodb

import (
	"errors"
	"sort"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Continuous backups (point-in-time recovery), on-demand backups and
// restores.

// sourceTable resolves the TableName (a name or an ARN) of the backup
// operations, whose missing table is a TableNotFoundException.
func (s *Service) sourceTable(c *awsproto.Call, name string) (*table, error) {
	t, err := s.tableRef(c, name)
	var e *awsproto.Error
	if errors.As(err, &e) && e.Code == errResourceNotFound.Name {
		return nil, errTableNotFound.Errorf("Table not found: %s", name)
	}
	return t, err
}

type pitrDescription struct {
	PointInTimeRecoveryStatus  string
	RecoveryPeriodInDays       int                 `json:",omitempty"`
	EarliestRestorableDateTime *awsproto.Timestamp `json:",omitempty"`
	LatestRestorableDateTime   *awsproto.Timestamp `json:",omitempty"`
}

type continuousBackupsDescription struct {
	ContinuousBackupsStatus        string
	PointInTimeRecoveryDescription pitrDescription
}

type continuousBackupsOutput struct {
	ContinuousBackupsDescription continuousBackupsDescription
}

func continuousBackupsWire(cb continuousBackups) continuousBackupsOutput {
	d := continuousBackupsDescription{ContinuousBackupsStatus: "ENABLED", PointInTimeRecoveryDescription: pitrDescription{PointInTimeRecoveryStatus: "DISABLED"}}
	if cb.enabled {
		e, l := awsproto.TimestampOf(cb.earliest), awsproto.TimestampOf(cb.latest)
		d.PointInTimeRecoveryDescription = pitrDescription{PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: cb.days,
			EarliestRestorableDateTime: &e, LatestRestorableDateTime: &l}
	}
	return continuousBackupsOutput{d}
}

type tableArnIn struct {
	TableName *string `required:"true" min:"1" max:"1024"`
}

func (s *Service) describeContinuousBackups(c *awsproto.Call, in *tableArnIn) (continuousBackupsOutput, error) {
	t, err := s.sourceTable(c, *in.TableName)
	if err != nil {
		return continuousBackupsOutput{}, err
	}
	cb, err := t.continuousBackups()
	if err != nil {
		return continuousBackupsOutput{}, err
	}
	return continuousBackupsWire(cb), nil
}

type updateContinuousBackupsInput struct {
	TableName                        *string `required:"true" min:"1" max:"1024"`
	PointInTimeRecoverySpecification *struct {
		PointInTimeRecoveryEnabled *bool `required:"true"`
		RecoveryPeriodInDays       *int  `min:"1" max:"35"`
	} `required:"true"`
}

func (s *Service) updateContinuousBackups(c *awsproto.Call, in *updateContinuousBackupsInput) (continuousBackupsOutput, error) {
	t, err := s.sourceTable(c, *in.TableName)
	if err != nil {
		return continuousBackupsOutput{}, err
	}
	spec := in.PointInTimeRecoverySpecification
	days := pitrDefaultDays
	if spec.RecoveryPeriodInDays != nil {
		if !*spec.PointInTimeRecoveryEnabled {
			return continuousBackupsOutput{}, validationf("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.")
		}
		days = *spec.RecoveryPeriodInDays
	}
	cb, err := t.setPITR(*spec.PointInTimeRecoveryEnabled, days)
	if err != nil {
		return continuousBackupsOutput{}, err
	}
	s.store.logTable(c.Context(), t, false)
	return continuousBackupsWire(cb), nil
}

type backupDetails struct {
	BackupArn              string
	BackupName             string
	BackupSizeBytes        int64
	BackupStatus           string
	BackupType             string
	BackupCreationDateTime awsproto.Timestamp
}

func (b *backup) details(status string) backupDetails {
	return backupDetails{BackupArn: b.arn, BackupName: b.name, BackupSizeBytes: b.snap.bytes, BackupStatus: status,
		BackupType: "USER", BackupCreationDateTime: awsproto.TimestampOf(b.created)}
}

type createBackupInput struct {
	TableName  *string `required:"true" min:"1" max:"1024"`
	BackupName *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
}

type createBackupOutput struct {
	BackupDetails backupDetails
}

func (s *Service) createBackup(c *awsproto.Call, in *createBackupInput) (createBackupOutput, error) {
	t, err := s.sourceTable(c, *in.TableName)
	if err != nil {
		return createBackupOutput{}, err
	}
	b, err := s.store.createBackup(t, *in.BackupName)
	if err != nil {
		return createBackupOutput{}, err
	}
	return createBackupOutput{b.details("CREATING")}, nil
}

type sourceTableDetails struct {
	TableName             string
	TableId               string
	TableArn              string
	TableSizeBytes        int64
	KeySchema             []keySchemaElement
	TableCreationDateTime awsproto.Timestamp
	ProvisionedThroughput struct{ ReadCapacityUnits, WriteCapacityUnits int64 }
	ItemCount             int
	BillingMode           string
}

type backupIndex struct {
	IndexName             string
	KeySchema             []keySchemaElement
	Projection            projectionWire
	ProvisionedThroughput *struct{ ReadCapacityUnits, WriteCapacityUnits int64 } `json:",omitempty"`
}

type backupDescription struct {
	BackupDetails             backupDetails
	SourceTableDetails        sourceTableDetails
	SourceTableFeatureDetails struct {
		LocalSecondaryIndexes  []backupIndex `json:",omitempty"`
		GlobalSecondaryIndexes []backupIndex `json:",omitempty"`
		StreamDescription      *streamSpecWire
		TimeToLiveDescription  *struct{ TimeToLiveStatus, AttributeName string } `json:",omitempty"`
	}
}

func (b *backup) description(status string) backupDescription {
	sn := b.snap
	d := backupDescription{BackupDetails: b.details(status)}
	d.SourceTableDetails = sourceTableDetails{TableName: sn.name, TableId: sn.id, TableArn: sn.arn, TableSizeBytes: sn.bytes,
		KeySchema: keySchemaWire(sn.key), TableCreationDateTime: awsproto.TimestampOf(sn.created), ItemCount: len(sn.ents),
		BillingMode: sn.meta.billing}
	d.SourceTableDetails.ProvisionedThroughput.ReadCapacityUnits = sn.meta.rcu
	d.SourceTableDetails.ProvisionedThroughput.WriteCapacityUnits = sn.meta.wcu
	f := &d.SourceTableFeatureDetails
	for _, ix := range sn.indexes {
		bi := backupIndex{IndexName: ix.name, KeySchema: keySchemaWire(ix.key), Projection: projectionWire{ProjectionType: ix.projection, NonKeyAttributes: ix.include}}
		if ix.global {
			bi.ProvisionedThroughput = &struct{ ReadCapacityUnits, WriteCapacityUnits int64 }{ix.rcu, ix.wcu}
			f.GlobalSecondaryIndexes = append(f.GlobalSecondaryIndexes, bi)
		} else {
			f.LocalSecondaryIndexes = append(f.LocalSecondaryIndexes, bi)
		}
	}
	if sn.meta.streamEnabled {
		on := true
		f.StreamDescription = &streamSpecWire{StreamEnabled: &on, StreamViewType: sn.meta.streamViewType}
	}
	if sn.ttlAttr != "" {
		f.TimeToLiveDescription = &struct{ TimeToLiveStatus, AttributeName string }{"ENABLED", sn.ttlAttr}
	}
	return d
}

type backupArnIn struct {
	BackupArn *string `required:"true" min:"37" max:"1024"`
}

type backupDescriptionOutput struct {
	BackupDescription backupDescription
}

func (s *Service) describeBackup(c *awsproto.Call, in *backupArnIn) (backupDescriptionOutput, error) {
	b, err := s.store.backupByARN(*in.BackupArn)
	if err != nil {
		return backupDescriptionOutput{}, err
	}
	return backupDescriptionOutput{b.description("AVAILABLE")}, nil
}

func (s *Service) deleteBackup(c *awsproto.Call, in *backupArnIn) (backupDescriptionOutput, error) {
	b, err := s.store.deleteBackup(*in.BackupArn)
	if err != nil {
		return backupDescriptionOutput{}, err
	}
	return backupDescriptionOutput{b.description("DELETED")}, nil
}

type listBackupsInput struct {
	TableName               *string `min:"1" max:"1024"`
	Limit                   *int    `min:"1" max:"100"`
	TimeRangeLowerBound     *awsproto.Timestamp
	TimeRangeUpperBound     *awsproto.Timestamp
	ExclusiveStartBackupArn *string `min:"37" max:"1024"`
	BackupType              string  `enum:"USER,SYSTEM,AWS_BACKUP,ALL"`
}

type backupSummary struct {
	TableName              string
	TableId                string
	TableArn               string
	BackupArn              string
	BackupName             string
	BackupCreationDateTime awsproto.Timestamp
	BackupStatus           string
	BackupType             string
	BackupSizeBytes        int64
}

type listBackupsOutput struct {
	BackupSummaries        []backupSummary
	LastEvaluatedBackupArn string `json:",omitempty"`
}

func (s *Service) listBackups(c *awsproto.Call, in *listBackupsInput) (listBackupsOutput, error) {
	all := s.store.listBackups(c.Region)
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	table := ""
	if in.TableName != nil {
		table = *in.TableName
		if r, n, ok := parseTableARN(table); ok && r == c.Region {
			table = n
		}
	}
	out := listBackupsOutput{BackupSummaries: []backupSummary{}}
	started := in.ExclusiveStartBackupArn == nil
	for _, b := range all {
		if !started {
			started = b.arn == *in.ExclusiveStartBackupArn
			continue
		}
		switch {
		case table != "" && b.snap.name != table,
			in.BackupType != "" && in.BackupType != "ALL" && in.BackupType != "USER",
			in.TimeRangeLowerBound != nil && b.created.Before(in.TimeRangeLowerBound.Time()),
			in.TimeRangeUpperBound != nil && !b.created.Before(in.TimeRangeUpperBound.Time()):
			continue
		}
		if len(out.BackupSummaries) == limit {
			out.LastEvaluatedBackupArn = out.BackupSummaries[limit-1].BackupArn
			break
		}
		out.BackupSummaries = append(out.BackupSummaries, backupSummary{TableName: b.snap.name, TableId: b.snap.id,
			TableArn: b.snap.arn, BackupArn: b.arn, BackupName: b.name, BackupCreationDateTime: awsproto.TimestampOf(b.created),
			BackupStatus: "AVAILABLE", BackupType: "USER", BackupSizeBytes: b.snap.bytes})
	}
	return out, nil
}

// restoreOverrides are the members both restores share.
type restoreOverrides struct {
	TargetTableName               *string `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	BillingModeOverride           string  `enum:"PROVISIONED,PAY_PER_REQUEST"`
	GlobalSecondaryIndexOverride  []globalIndexWire
	LocalSecondaryIndexOverride   []indexWire
	ProvisionedThroughputOverride *throughputWire
	OnDemandThroughputOverride    *onDemandWire
	SSESpecificationOverride      *struct {
		Enabled        *bool
		SSEType        string `enum:"AES256,KMS"`
		KMSMasterKeyId *string
	}
}

// spec validates the overrides against the snapshot's definitions.
func (o *restoreOverrides) spec(sn *snapshot) (restoreSpec, error) {
	rs := restoreSpec{billing: o.BillingModeOverride, tp: o.ProvisionedThroughputOverride.units(), target: *o.TargetTableName}
	if rs.billing == "PAY_PER_REQUEST" && rs.tp != nil {
		return rs, validationf("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	billing := rs.billing
	if billing == "" {
		billing = sn.meta.billing
	}
	defs := map[string]attr.Type{}
	for _, d := range sn.meta.attrDefs {
		defs[d.name] = d.typ
	}
	for i, global := range []bool{false, true} {
		list := [][]indexWire{o.LocalSecondaryIndexOverride, indexes(o.GlobalSecondaryIndexOverride)}[i]
		if list == nil {
			continue
		}
		for j, w := range list {
			ix, err := parseIndex(w, global, j+1, defs, sn.key)
			if err != nil {
				return rs, err
			}
			for _, n := range ix.key.names() {
				if _, ok := defs[n]; !ok {
					return rs, validationf("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: %s", n, defNames(defs))
				}
			}
			if err := ix.settleThroughput(billing, throughputRequired); err != nil {
				return rs, err
			}
			if global {
				rs.gsis = append(rs.gsis, ix)
			} else {
				rs.lsis = append(rs.lsis, ix)
			}
		}
		if global {
			rs.gsisSet = true
		} else {
			rs.lsisSet = true
		}
	}
	return rs, nil
}

func defNames(defs map[string]attr.Type) string {
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := "["
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out + "]"
}

type restoreTableFromBackupInput struct {
	BackupArn *string `required:"true" min:"37" max:"1024"`
	restoreOverrides
}

func (s *Service) restoreTableFromBackup(c *awsproto.Call, in *restoreTableFromBackupInput) (tableDescriptionOutput, error) {
	b, err := s.store.backupByARN(*in.BackupArn)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	rs, err := in.spec(b.snap)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	rs.from = restoreSummary{backupARN: b.arn, tableARN: b.snap.arn, at: b.created}
	info, err := s.store.restoreTable(c.Context(), c.Region, b.snap, rs)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	return tableDescriptionOutput{describe(info, "CREATING", "CREATING")}, nil
}

type restoreTableToPointInTimeInput struct {
	SourceTableArn          *string `min:"1" max:"1024"`
	SourceTableName         *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	UseLatestRestorableTime *bool
	RestoreDateTime         *awsproto.Timestamp
	restoreOverrides
}

// msgOneSource is AWS's refusal of a restore naming no source table, or two.
const msgOneSource = "Must provide exactly one of: sourceTableArn, sourceTableName"

func (s *Service) restoreTableToPointInTime(c *awsproto.Call, in *restoreTableToPointInTimeInput) (tableDescriptionOutput, error) {
	var name string
	switch {
	case in.SourceTableArn != nil && in.SourceTableName != nil:
		return tableDescriptionOutput{}, validationf(msgOneSource)
	case in.SourceTableArn != nil:
		name = *in.SourceTableArn
	case in.SourceTableName != nil:
		name = *in.SourceTableName
	default:
		return tableDescriptionOutput{}, validationf(msgOneSource)
	}
	latest := in.UseLatestRestorableTime != nil && *in.UseLatestRestorableTime
	switch {
	case latest && in.RestoreDateTime != nil, !latest && in.RestoreDateTime == nil:
		return tableDescriptionOutput{}, validationf("Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both")
	}
	t, err := s.sourceTable(c, name)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	var at awsproto.Timestamp
	if in.RestoreDateTime != nil {
		at = *in.RestoreDateTime
	}
	sn, when, err := t.snapshotAt(at.Time(), latest)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	rs, err := in.spec(sn)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	rs.from = restoreSummary{tableARN: sn.arn, at: when}
	info, err := s.store.restoreTable(c.Context(), c.Region, sn, rs)
	if err != nil {
		return tableDescriptionOutput{}, err
	}
	return tableDescriptionOutput{describe(info, "CREATING", "CREATING")}, nil
}
